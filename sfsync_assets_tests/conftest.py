"""Shared fixtures: a real emulator process on a free port, driven over HTTPS like a real org."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sfsync_assets.lib.emulator.process import EmulatorProcess


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    """One org shared by the tests of a session: tests create their own records and never assume an empty org."""
    with EmulatorProcess(tmp_path_factory.mktemp("emulator")) as process:
        yield process


@pytest.fixture
def fresh_emulator(tmp_path: Path) -> Iterator[EmulatorProcess]:
    """An org of its own, for tests that change limits, sessions or restart the server."""
    with EmulatorProcess(tmp_path / "org") as process:
        yield process


@pytest.fixture(scope="session")
def chaos_seed() -> int:
    """The seed of every injected fault in the chaos suites: `make test` runs them once for each of several."""
    return int(os.environ.get("SFSYNC_CHAOS_SEED", "1"))
