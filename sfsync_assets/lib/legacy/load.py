"""Loading one legacy file into `raw_legacy.<feed>` in a single transaction.

The rows any earlier load of the same file name left are deleted first (a rerun, or a corrected re-drop,
replaces them; nothing is duplicated), every row gets lineage columns, every rejection goes to the shared
quarantine, and a record count that differs from the trailer or the profile is quarantined for the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from ..warehouse.quarantine import quarantine
from .quarantining import count_mismatch, quarantine_rows, resolve_fixed_problems
from .raw_tables import append, columns, delete_file_rows, table_name, with_lineage
from .readers import open_reader
from .records import RecordCounts
from .settings import Feed


@dataclass
class LoadSummary:
    table: str
    source_file: str
    partition_key: str
    profile_source: str = ""
    counts: RecordCounts = field(default_factory=RecordCounts)
    rows_loaded: int = 0
    fields_rejected: int = 0  # records loaded with these fields null
    quarantined: int = 0  # quarantine rows written: fields, whole records, file-level problems
    resolved: int = 0  # problems an earlier version of the file had and this one does not
    replaced: dict[str, int] = field(default_factory=dict)  # rows of earlier loads deleted, per partition key
    preview: pa.Table | None = None
    columns: list[tuple[str, str]] = field(default_factory=list)

    @property
    def counts_match(self) -> bool:
        return not self.counts.mismatches()


def load_file(
    connection: duckdb.DuckDBPyConnection,
    feed_name: str,
    feed: Feed,
    data_file: Path,
    partition_key: str,
    run_id: str,
    preview_rows: int = 5,
) -> LoadSummary:
    reader, profile_source = open_reader(feed_name, feed, data_file)
    file_name = data_file.name
    summary = LoadSummary(table_name(feed_name), file_name, partition_key, profile_source)
    loaded_at = datetime.now(UTC)
    connection.begin()
    try:
        summary.replaced = delete_file_rows(connection, summary.table, file_name)
        for batch in reader.batches():
            append(
                connection,
                summary.table,
                with_lineage(batch.table, file_name, partition_key, run_id, loaded_at),
            )
            summary.rows_loaded += batch.table.num_rows
            if summary.preview is None and batch.table.num_rows:
                summary.preview = batch.table.slice(0, preview_rows)
            summary.fields_rejected += sum(1 for rejection in batch.rejections if rejection.field)
            rows = quarantine_rows(batch.rejections, feed.system, feed_name, file_name)
            summary.quarantined += quarantine(connection, rows, run_id)
        summary.counts = reader.counts
        mismatch = count_mismatch(reader.counts, feed.system, feed_name, file_name)
        summary.quarantined += quarantine(connection, mismatch, run_id)
        summary.resolved = resolve_fixed_problems(connection, feed.system, feed_name, file_name, run_id)
        summary.columns = columns(connection, summary.table)
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    return summary
