"""One instance of each resource; every secret and location comes from the environment."""

import dagster as dg
from dagster_duckdb import DuckDBResource


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "duckdb": DuckDBResource(database=dg.EnvVar("SFSYNC_DUCKDB_PATH")),
        },
        executor=dg.in_process_executor,
    )
