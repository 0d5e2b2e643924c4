"""Loading a generated company into an emulator: for the demo, and for `make emulator` on a fresh org."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from ..emulator.admin_client import is_serving
from ..emulator.server import ServerInfo
from ..generator.pipeline import GenerateConfig, generate_company, org_schema
from ..generator.seed_loader import admin_for, seed_org

_WAIT_SECONDS = 60


def ensure_company(
    company_dir: Path, state_dir: Path, scale: int, seed: int, echo: Callable[[str], None]
) -> None:
    """Generate a company into `company_dir` and load it into the org serving `state_dir`, unless it is there."""
    if (company_dir / "truth" / "manifest.json").exists():
        echo(f"company already in {company_dir}; reusing it")
        return
    admin = admin_for(None, state_dir)
    admin.reset()
    echo(f"generating a company of ~{scale:,} source records (seed {seed}) into {company_dir}")
    generate_company(GenerateConfig(out_dir=company_dir, scale=scale, seed=seed, overwrite=True), echo)
    seed_org(company_dir, admin, org_schema(), echo)


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
