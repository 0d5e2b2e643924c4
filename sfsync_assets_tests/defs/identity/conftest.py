"""The asset tests use the identity tests' generated company, staged (see lib/matching/prepared.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sfsync_assets_tests.lib.matching.prepared import staged_database


@pytest.fixture(scope="session")
def staged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return staged_database(tmp_path_factory)
