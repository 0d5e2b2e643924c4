"""Seeding a freshly started emulator with a generated company, for `make emulator`."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from ..emulator.admin_client import is_serving
from ..emulator.server import ServerInfo
from ..generator.seed_loader import admin_for
from .demo import ensure_company

_WAIT_SECONDS = 60


def seed_when_serving(state_dir: Path, scale: int, seed: int = 42) -> None:
    """Wait for the emulator of `state_dir` to answer, then load a company if its org has no Accounts."""
    deadline = time.monotonic() + _WAIT_SECONDS
    while time.monotonic() < deadline:
        try:
            info = ServerInfo.load(state_dir)
            if is_serving(info.base_url, info.ca_file):
                break
        except FileNotFoundError:
            pass
        time.sleep(0.2)
    else:
        print(f"emulator in {state_dir} did not start; not seeding", file=sys.stderr)
        return
    admin = admin_for(None, state_dir)
    if admin.count("Account") > 0:
        print("org already has Accounts; not seeding", file=sys.stderr)
        return
    ensure_company(
        Path(state_dir) / "company",
        Path(state_dir),
        scale,
        seed,
        lambda line: print(line, file=sys.stderr, flush=True),
    )
    print("seeded; the emulator keeps serving (Ctrl-C stops it)", file=sys.stderr, flush=True)
