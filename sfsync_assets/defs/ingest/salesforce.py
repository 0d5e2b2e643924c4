"""raw/salesforce/<object>: Salesforce objects landed in DuckDB, window by window, within an API budget."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import dagster as dg
import dlt
import pyarrow as pa
import pyarrow.compute as pc
from dagster_dlt import DagsterDltResource
from dagster_duckdb import DuckDBResource
from pydantic import Field

from ...lib.config.files import config_version
from ...lib.salesforce.budget import ApiBudgetExhausted, ApiGovernor
from ...lib.salesforce.dlt_source import salesforce_source
from ...lib.salesforce.ingest_settings import (
    SALESFORCE_INGEST_FILE,
    load_salesforce_ingest_settings,
    table_name,
)
from ...lib.salesforce.integration_user import integration_user, record_integration_user
from ...lib.salesforce.reader import OpenedWindow, SalesforceReader, Window, next_window
from ...lib.salesforce.shapes import ObjectShape
from ...lib.warehouse import sync_state
from ..salesforce_resource import SalesforceResource
from .raw_tables import RawTableTranslator, load_metadata, retry_transient_failures

SETTINGS = load_salesforce_ingest_settings()
DATASET = "raw_salesforce"
_BY_TABLE = {table_name(name): name for name in SETTINGS.objects}


TRANSLATOR = RawTableTranslator(
    system="salesforce",
    dataset=DATASET,
    kinds=frozenset({"salesforce", "dlt", "duckdb"}),
    schedule=SETTINGS.schedule,
    code_version=config_version(SALESFORCE_INGEST_FILE),
    describe=lambda table: (
        f"Every Salesforce {_BY_TABLE[table]} record as Salesforce holds it (deleted ones "
        "flagged is_deleted), read incrementally by SystemModstamp."
    ),
)


def asset_key(object_name: str) -> dg.AssetKey:
    return TRANSLATOR.asset_key(table_name(object_name))


class SalesforceIngestConfig(dg.Config):
    """Run options. A backfill window re-reads history; `record_ids` (set by the change-feed sensor) reads just
    those records. Neither moves the incremental cursor."""

    backfill_start: str | None = None
    backfill_end: str | None = None
    record_ids: dict[str, list[str]] = Field(default_factory=dict)

    def backfill_window(self) -> Window | None:
        if not self.backfill_start:
            return None
        end = datetime.fromisoformat(self.backfill_end) if self.backfill_end else datetime.now(UTC)
        return Window(_aware(datetime.fromisoformat(self.backfill_start)), _aware(end))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class ObjectRead:
    """What reading one object did, for metadata and for deciding whether its cursor may move."""

    shape: ObjectShape
    queries: list[OpenedWindow]
    window: Window | None  # None when reading records named by the change feed
    rows_read: int = 0
    rows_deleted: int = 0
    stopped: str | None = None
    finished: bool = False

    def metadata(self) -> dict[str, Any]:
        bounds = self.window.as_metadata() if self.window else {"record_ids_requested": self.total}
        return {
            **bounds,
            "read_mode": self.mode,
            "records_in_window": self.total,
            "rows_read": self.rows_read,
            "rows_deleted": self.rows_deleted,
            "formula_fields": ", ".join(self.shape.formula_fields) or "none",
            "status": "complete" if self.finished else f"stopped: {self.stopped}",
        }

    @property
    def total(self) -> int:
        return sum(query.total for query in self.queries)

    @property
    def mode(self) -> str:
        if self.window is None:
            return "by_id"
        return self.queries[0].mode if self.queries else "rest"


def _counted(read: ObjectRead, tables: Iterator[pa.Table]) -> Iterator[pa.Table]:
    """Count rows as dlt pulls them; an exhausted budget ends this object's read cleanly, unfinished."""
    try:
        for table in tables:
            read.rows_read += table.num_rows
            read.rows_deleted += pc.sum(table["IsDeleted"]).as_py() or 0
            yield table
        read.finished = True
    except ApiBudgetExhausted as error:
        read.stopped = str(error)


def _pipeline(database: str) -> dlt.Pipeline:
    return dlt.pipeline(
        pipeline_name="sfsync_salesforce", dataset_name=DATASET, destination=dlt.destinations.duckdb(database)
    )


@dg.multi_asset(
    specs=TRANSLATOR.asset_specs(salesforce_source(SETTINGS.objects)),
    name="salesforce_raw",
    can_subset=True,
    pool="duckdb_writer",
)
def salesforce_raw(
    context: dg.AssetExecutionContext,
    config: SalesforceIngestConfig,
    dlt: DagsterDltResource,
    duckdb: DuckDBResource,
    salesforce: SalesforceResource,
):
    selected = [name for name in SETTINGS.objects if asset_key(name) in context.selected_asset_keys]
    with duckdb.get_connection() as connection:
        previous_ends = sync_state.window_ends(connection)
        used_today = sync_state.api_calls_last_day(connection)
    governor = ApiGovernor(SETTINGS.budget.policy(), used_before_run=used_today)
    reads: dict[str, ObjectRead] = {}
    try:
        with retry_transient_failures():
            sf = salesforce.connect(governor)
            writes_as = integration_user(sf)
            reader = SalesforceReader(sf, **SETTINGS.read.model_dump())
            shapes = reader.describe(selected)
            if config.record_ids:
                for name in selected:
                    ids = config.record_ids.get(name, [])
                    reads[name] = ObjectRead(
                        shapes[name], reader.open_ids(shapes[name], ids) if ids else [], None
                    )
            else:
                now = datetime.now(UTC)
                backfill = config.backfill_window()
                windows = [
                    (
                        shapes[name],
                        backfill
                        or next_window(
                            previous_ends.get(name), now, SETTINGS.window.lookback, SETTINGS.window.settle
                        ),
                    )
                    for name in selected
                ]
                for opened in reader.open_windows(windows):
                    reads[opened.shape.name] = ObjectRead(opened.shape, [opened], opened.window)
            context.log.info("reads: %s", {n: (r.mode, r.total) for n, r in reads.items()})
            source = salesforce_source(
                selected,
                lambda name: _counted(
                    reads[name], (table for q in reads[name].queries for table in reader.tables(q))
                ),
                shapes,
            )
            loads = list(
                dlt.run(
                    context=context,
                    dlt_source=source,
                    dlt_pipeline=_pipeline(duckdb.database),
                    dagster_dlt_translator=TRANSLATOR,
                    loader_file_format="parquet",
                )
            )
        with duckdb.get_connection() as connection:
            record_integration_user(connection, writes_as, context.run_id)
            results = [
                dg.MaterializeResult(
                    asset_key=load.asset_key,
                    metadata={
                        **load_metadata(load.metadata, connection, DATASET, load.asset_key.path[-1]),
                        **reads[_BY_TABLE[load.asset_key.path[-1]]].metadata(),
                        **governor.summary(),
                    },
                )
                for load in loads
            ]
        yield from results
    except ApiBudgetExhausted as error:
        raise dg.Failure(
            description=f"Stopped before reading: {error}", metadata=governor.summary()
        ) from error
    finally:
        with duckdb.get_connection() as connection:
            sync_state.record_api_calls(connection, context.run_id, governor.calls)
    finished = {name: read.window.end for name, read in reads.items() if read.finished and read.window}
    if not config.backfill_window():
        with duckdb.get_connection() as connection:
            sync_state.record_window_ends(connection, finished, context.run_id)
    stopped = {name: read.stopped for name, read in reads.items() if not read.finished}
    if stopped:
        raise dg.Failure(
            description="API budget reached; these objects keep their window and resume on the next run: "
            + "; ".join(f"{name}: {reason}" for name, reason in stopped.items()),
            metadata=governor.summary(),
        )
