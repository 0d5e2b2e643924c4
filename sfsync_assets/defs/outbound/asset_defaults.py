"""What every outbound asset shares: its group and owners, the DuckDB writer pool (each writes the ledger, audit
log or plan) and the code version of the outbound configuration."""

from typing import Any

import dagster as dg

from .resources import CODE_VERSION

GROUP = "outbound"
OWNERS = ["team:integration"]
DUCKDB_WRITER_POOL = "duckdb_writer"


def outbound_asset(**asset_arguments: Any):
    """`dg.asset` with the outbound defaults; `asset_arguments` (key, deps, kinds, description...) add the rest."""
    return dg.asset(
        group_name=GROUP, owners=OWNERS, pool=DUCKDB_WRITER_POOL, code_version=CODE_VERSION, **asset_arguments
    )
