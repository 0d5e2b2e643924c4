"""The API governor of one run that writes to Salesforce: the day's earlier calls count, this run's are recorded.

Pushes and erasures share the integration's budget with ingest (one integration, one share), so each run starts
from what the warehouse says was spent in the rolling day and records its own calls, however it ends.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from ...lib.outbound.settings import OutboundSettings
from ...lib.salesforce.budget import ApiGovernor
from ...lib.warehouse import sync_state


@contextmanager
def governed_run(
    connection: duckdb.DuckDBPyConnection, settings: OutboundSettings, run_id: str
) -> Iterator[ApiGovernor]:
    governor = ApiGovernor(
        settings.salesforce.budget.policy(), used_before_run=sync_state.api_calls_last_day(connection)
    )
    try:
        yield governor
    finally:
        sync_state.record_api_calls(connection, run_id, governor.calls)
