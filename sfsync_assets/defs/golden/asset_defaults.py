"""What every golden asset shares: its group and owners, the DuckDB writer pool, the code version of the
system-of-record matrix it applies, and building after identity resolution."""

from typing import Any

import dagster as dg

from ...lib.config.files import config_version
from ...lib.golden.matrix import SYSTEM_OF_RECORD_FILE
from ..identity.asset_defaults import AUTOMATION

GROUP = "golden"
OWNERS = ["team:integration"]
DUCKDB_WRITER_POOL = "duckdb_writer"


def golden_layer_asset(**asset_arguments: Any):
    """`dg.asset` with the golden defaults; `asset_arguments` (key, deps, description...) add the rest."""
    return dg.asset(
        group_name=GROUP,
        owners=OWNERS,
        kinds={"splink", "duckdb"},
        code_version=config_version(SYSTEM_OF_RECORD_FILE),
        pool=DUCKDB_WRITER_POOL,
        automation_condition=AUTOMATION,
        **asset_arguments,
    )
