"""The golden tests use the identity tests' generated company (see lib/matching/prepared.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sfsync_assets_tests.lib.matching.prepared import company_dir, resolved_database


@pytest.fixture(scope="session")
def company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return company_dir(tmp_path_factory)


@pytest.fixture(scope="session")
def resolved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Identity resolved and golden records built (no conflicts yet)."""
    return resolved_database(tmp_path_factory)
