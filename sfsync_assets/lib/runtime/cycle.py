"""One headless sync cycle: materialize every asset in dependency order, then summarise what happened.

It runs through the Dagster CLI with the deployment's DAGSTER_HOME, so the run appears in the UI's history like
any other, and pools and asset checks apply exactly as they do for scheduled runs.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb


class CycleFailed(RuntimeError):
    """The Dagster run of the cycle failed; its log says which step and why."""


def run_cycle(environment: dict[str, str], selection: str = "*") -> None:
    Path(environment["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)
    dagster_yaml = Path(environment["DAGSTER_HOME"]) / "dagster.yaml"
    if not dagster_yaml.exists():
        dagster_yaml.write_text(Path("dagster.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    command = [
        str(Path(sys.executable).with_name("dagster")),
        "asset",
        "materialize",
        "--select",
        selection,
        "-m",
        "sfsync_assets.definitions",
    ]
    completed = subprocess.run(command, env=environment, check=False)
    if completed.returncode != 0:
        raise CycleFailed(f"the sync cycle failed (exit {completed.returncode}); see the run log above")


def summary(warehouse: Path) -> list[tuple[str, int]]:
    """Rows per table in the warehouse, layer by layer."""
    if not warehouse.exists():
        return []
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        tables = connection.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema NOT IN ('information_schema', 'main') AND table_schema NOT LIKE '%\\_staging' "
            "ESCAPE '\\' AND table_name NOT LIKE '\\_%' ESCAPE '\\' "
            "ORDER BY table_schema, table_name"
        ).fetchall()
        return [
            (
                f"{schema}.{table}",
                connection.execute(f'SELECT count(*) FROM "{schema}"."{table}"').fetchall()[0][0],
            )
            for schema, table in tables
        ]
