"""A consistent copy of an org's database, taken safely while the emulator keeps serving."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .org import DATABASE_FILE


def snapshot(state_dir: Path, destination: Path) -> int:
    """Copy the org to `destination` with SQLite's online backup; returns the number of bytes written."""
    source_path = Path(state_dir) / DATABASE_FILE
    if not source_path.exists():
        raise FileNotFoundError(f"no org in {state_dir} (missing {source_path})")
    destination.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    target = sqlite3.connect(str(destination))
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    return destination.stat().st_size
