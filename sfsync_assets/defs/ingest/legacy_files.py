"""raw/legacy/<feed>: files from the legacy drop folder landed in DuckDB (schema raw_legacy), one dynamic
partition per file.

Each feed of `config/legacy_feeds.yaml` has its own dynamic partitions (`legacy_<feed>_files`) rather than one
shared set: an asset then lists only its own files, and "materialize missing" never hands a CSV to the EBCDIC
reader. A partition key is the file name plus a content hash (see lib/legacy/inbox.py); `legacy_inbox_sensor`
adds the partitions and requests the runs. Loading a partition replaces the rows of that file name, so reruns
and corrected re-drops never duplicate; rejected lines and fields go to quality.quarantine.
"""

from pathlib import Path
from typing import Any

import dagster as dg
from dagster_duckdb import DuckDBResource

from ...lib.config.files import config_version
from ...lib.legacy.errors import LegacyFileError
from ...lib.legacy.inbox import FilePartition
from ...lib.legacy.load import LoadSummary, load_file
from ...lib.legacy.raw_tables import SCHEMA
from ...lib.legacy.settings import LEGACY_FEEDS_FILE, Feed, load_legacy_feeds
from ...lib.privacy.redaction import markdown_preview, redacted
from .raw_tables import OWNERS, table_name

SETTINGS = load_legacy_feeds()
RECORD_COUNT_CHECK = "record_count_matches"
PREVIEW_COLUMNS = 10
_KIND_TAGS = {"csv": "csv", "fixed": "fixed_width", "ebcdic": "ebcdic"}


class LegacyInboxResource(dg.ConfigurableResource):
    """The drop folder legacy systems write their exports to (`SFSYNC_INBOUND_DIR`)."""

    path: str

    @property
    def folder(self) -> Path:
        return Path(self.path)


def legacy_asset_key(feed_name: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", "legacy", feed_name.lower()])


FILE_PARTITIONS = {
    feed_name: dg.DynamicPartitionsDefinition(name=f"legacy_{feed_name.lower()}_files")
    for feed_name in SETTINGS.feeds
}


def _legacy_file_asset(feed_name: str, feed: Feed) -> dg.AssetsDefinition:
    key = legacy_asset_key(feed_name)

    @dg.asset(
        key=key,
        partitions_def=FILE_PARTITIONS[feed_name],
        pool="duckdb_writer",
        group_name="raw",
        kinds={_KIND_TAGS[feed.kind], "duckdb"},
        owners=OWNERS,
        description=f"{feed.description} One partition per delivered file; unreadable lines and values are in "
        "quality.quarantine.",
        code_version=config_version(LEGACY_FEEDS_FILE),
        metadata={
            "dagster/table_name": table_name(SCHEMA, feed_name.lower()),
            "feed": feed_name,
            "system": feed.system,
        },
        check_specs=[
            dg.AssetCheckSpec(
                RECORD_COUNT_CHECK,
                asset=key,
                description="The file holds as many data records as its trailer and profile announce.",
            )
        ],
    )
    def legacy_file(
        context: dg.AssetExecutionContext, duckdb: DuckDBResource, legacy_inbox: LegacyInboxResource
    ):
        partition = FilePartition.parse(context.partition_key)
        try:
            path = partition.verified_path(legacy_inbox.folder)
            with duckdb.get_connection() as connection:
                summary = load_file(connection, feed_name, feed, path, partition.key, context.run_id)
        except LegacyFileError as error:
            raise dg.Failure(description=str(error)) from error
        context.log.info(
            "%s: %d rows loaded, %d records and %d fields quarantined",
            path.name,
            summary.rows_loaded,
            summary.counts.rejected_records,
            summary.fields_rejected,
        )
        yield dg.MaterializeResult(metadata=_metadata(summary, partition))
        yield dg.AssetCheckResult(
            check_name=RECORD_COUNT_CHECK,
            passed=summary.counts_match,
            severity=dg.AssetCheckSeverity.WARN,
            description="; ".join(summary.counts.mismatches()) or "record counts agree",
            metadata=_count_metadata(summary),
        )

    return legacy_file


def _count_metadata(summary: LoadSummary) -> dict[str, Any]:
    counts = summary.counts
    return {
        "data_records": counts.data_records,
        "trailer_count": counts.trailer_count,
        "profile_record_count": counts.profile_records,
        "record_counts_match": summary.counts_match,
    }


def _metadata(summary: LoadSummary, partition: FilePartition) -> dict[str, Any]:
    return {
        "dagster/row_count": summary.rows_loaded,
        "rows_loaded": summary.rows_loaded,
        "rows_quarantined": summary.counts.rejected_records,
        "fields_quarantined": summary.fields_rejected,
        "quarantine_entries": summary.quarantined,
        "problems_resolved": summary.resolved,
        **_count_metadata(summary),
        "header_record": summary.counts.header,
        "source_file": summary.source_file,
        "content_hash": partition.digest,
        "profile": summary.profile_source,
        "rows_replaced": sum(summary.replaced.values()),
        "replaced_partitions": ", ".join(summary.replaced) or "none",
        "dagster/column_schema": dg.TableSchema(
            columns=[dg.TableColumn(name, column_type) for name, column_type in summary.columns]
        ),
        "preview": dg.MetadataValue.md(_preview(summary)),
    }


def _preview(summary: LoadSummary) -> str:
    if summary.preview is None:
        return "(no rows)"
    preview = summary.preview.select(summary.preview.column_names[:PREVIEW_COLUMNS])
    return markdown_preview(redacted(preview.to_pandas()))  # Dagster's storage is out of an erasure's reach


LEGACY_ASSETS = [_legacy_file_asset(feed_name, feed) for feed_name, feed in SETTINGS.feeds.items()]


def legacy_job_name(feed_name: str) -> str:
    return f"load_legacy_{feed_name.lower()}"


# One job per feed: a job (and so a sensor's run) can only span assets that share a partitions definition.
LEGACY_JOBS = [
    dg.define_asset_job(
        legacy_job_name(feed_name),
        selection=[legacy_asset_key(feed_name)],
        partitions_def=FILE_PARTITIONS[feed_name],
        description=f"Load one {feed_name} file into raw_legacy.{feed_name.lower()}.",
    )
    for feed_name in SETTINGS.feeds
]


@dg.definitions
def legacy_files() -> dg.Definitions:
    """The feeds' assets and jobs (a module with a @definitions function contributes only what it returns)."""
    return dg.Definitions(assets=LEGACY_ASSETS, jobs=LEGACY_JOBS)
