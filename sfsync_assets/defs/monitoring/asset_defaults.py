"""What every monitoring asset shares: its group and owners, the DuckDB writer pool, a code version from the
configuration it reads, and eager automation (plus a cron where it must also run on its own)."""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import dagster as dg

from ...lib.config.files import config_version
from ...lib.reconcile.settings import RECONCILE_FILE

GROUP = "monitoring"
OWNERS = ["team:integration"]
DUCKDB_WRITER_POOL = "duckdb_writer"


def monitoring_asset(
    *, config_files: Sequence[Path] = (RECONCILE_FILE,), cron: str | None = None, **asset_arguments: Any
):
    """`dg.asset` with the monitoring defaults; `asset_arguments` (key, deps, kinds, checks...) add the rest."""
    automation = dg.AutomationCondition.eager()
    if cron is not None:
        automation = automation | dg.AutomationCondition.on_cron(cron)
    return dg.asset(
        group_name=GROUP,
        owners=OWNERS,
        pool=DUCKDB_WRITER_POOL,
        code_version=config_version(*config_files),
        automation_condition=automation,
        **asset_arguments,
    )
