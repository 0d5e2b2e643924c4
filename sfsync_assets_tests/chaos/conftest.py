"""The fault seed of this run of the chaos and crash suites."""

from __future__ import annotations

import os

import pytest

SEED_VARIABLE = "SFSYNC_CHAOS_SEED"


@pytest.fixture(scope="session")
def chaos_seed() -> int:
    """The seed of every injected fault: `make test` runs the suites once for each of several seeds."""
    return int(os.environ.get(SEED_VARIABLE, "1"))
