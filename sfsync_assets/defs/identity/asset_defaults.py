"""What every identity asset shares: its group and owners, its kinds and the DuckDB writer pool; and the
condition on which the routine ones build (after their inputs, once those inputs' blocking checks pass)."""

from typing import Any

import dagster as dg

GROUP = "identity"
OWNERS = ["team:integration"]
DUCKDB_WRITER_POOL = "duckdb_writer"
AUTOMATION = dg.AutomationCondition.eager() & dg.AutomationCondition.all_deps_blocking_checks_passed()


def identity_layer_asset(**asset_arguments: Any):
    """`dg.asset` with the identity defaults; `asset_arguments` (key, deps, code version...) add the rest."""
    return dg.asset(
        group_name=GROUP,
        owners=OWNERS,
        kinds={"splink", "duckdb"},
        pool=DUCKDB_WRITER_POOL,
        **asset_arguments,
    )
