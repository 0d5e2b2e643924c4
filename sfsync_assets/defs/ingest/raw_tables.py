"""What the raw layer's assets share: owners and table names, and for the dlt-loaded sources how a dlt resource
becomes `raw/<system>/<table>`, which of dlt's numbers reach the asset's page, and how a load waits out a DuckDB
file another process holds or a source that is briefly unavailable."""

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import dagster as dg
from dagster_dlt import DagsterDltTranslator
from dagster_dlt.translator import DltResourceTranslatorData
from dlt.extract.source import DltSource
from duckdb import DuckDBPyConnection

from ...lib.erp.locks import is_duckdb_lock_error
from ...lib.outbound.failures import request_failure

OWNERS = ["team:integration"]
LOCK_RETRIES = 5
LOCK_RETRY_SECONDS = 15
UNAVAILABLE_RETRIES = 3
UNAVAILABLE_RETRY_SECONDS = 10


def table_name(dataset: str, table: str) -> str:
    """The table as the other layers name theirs: `warehouse.<schema>.<table>`."""
    return f"warehouse.{dataset}.{table}"


@dataclasses.dataclass
class RawTableTranslator(DagsterDltTranslator):
    """dlt resource `<table>` of `dataset` → asset `raw/<system>/<table>`, read on `schedule`."""

    system: str
    dataset: str
    kinds: frozenset[str]
    schedule: str
    code_version: str
    describe: Callable[[str], str]

    def asset_specs(self, source: DltSource) -> list[dg.AssetSpec]:
        """The specs for `dg.multi_asset`. Not `@dlt_assets`: it adds dagster-dlt's source, pipeline and
        translator objects to every asset's definition metadata, where the UI shows them as "(unserializable)"
        text; the asset bodies hand them to `DagsterDltResource.run` explicitly instead."""
        return [self.spec(table) for table in source.selected_resources]

    def asset_key(self, table: str) -> dg.AssetKey:
        return dg.AssetKey(["raw", self.system, table])

    def get_asset_spec(self, data: DltResourceTranslatorData) -> dg.AssetSpec:
        return self.spec(data.resource.name)

    def spec(self, table: str) -> dg.AssetSpec:
        return dg.AssetSpec(
            key=self.asset_key(table),
            group_name="raw",
            description=self.describe(table),
            kinds=set(self.kinds),
            owners=OWNERS,
            code_version=self.code_version,
            automation_condition=dg.AutomationCondition.on_cron(self.schedule),
            metadata={"dagster/table_name": table_name(self.dataset, table)},
        )


def load_metadata(
    dlt_metadata: Mapping[str, Any], connection: DuckDBPyConnection, dataset: str, table: str
) -> dict[str, Any]:
    """Of what dagster-dlt reports per load, the column schema; not its job list, timings and destination
    names, which repeat on every asset of the run. Plus the table's row count after the load."""
    return {
        "dagster/column_schema": dlt_metadata["dagster/column_schema"],
        "dagster/table_name": table_name(dataset, table),
        "dagster/row_count": row_count(connection, dataset, table),
    }


def row_count(connection: DuckDBPyConnection, dataset: str, table: str) -> int:
    """Rows in `dataset.table`; 0 before dlt has created it (a first load without rows creates nothing)."""
    exists = connection.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        [dataset, table],
    ).fetchall()[0][0]
    if not exists:
        return 0
    return connection.execute(f'SELECT count(*) FROM {dataset}."{table}"').fetchall()[0][0]


@contextmanager
def retry_transient_failures() -> Iterator[None]:
    """Ask Dagster to retry the step when a later attempt will likely pass: DuckDB held by another process (dlt's
    destination fails at once instead of waiting), or a source briefly unavailable (a 5xx, a dropped connection).
    Reads are windows or lists of ids, so reading again loads nothing twice."""
    try:
        yield
    except Exception as error:
        if is_duckdb_lock_error(error):
            raise dg.RetryRequested(max_retries=LOCK_RETRIES, seconds_to_wait=LOCK_RETRY_SECONDS) from error
        if _is_unavailable(error):
            raise dg.RetryRequested(
                max_retries=UNAVAILABLE_RETRIES, seconds_to_wait=UNAVAILABLE_RETRY_SECONDS
            ) from error
        raise


def _is_unavailable(error: BaseException | None) -> bool:
    """True when `error`, or what caused it (dlt wraps extraction errors), is a retriable request failure."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        failure = request_failure(error) if isinstance(error, Exception) else None
        if failure is not None:
            return failure.retriable
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False
