"""legacy_inbox_sensor: files dropped in the legacy inbox become partitions of raw/legacy/<feed>, one run each.

A tick lists the folder and asks Dagster's instance which partitions exist; it never opens DuckDB (a sensor
holding the writer lock would block every run). The cursor remembers content hashes by size and mtime, so
unchanged files are not re-read; `run_key` is the partition key, so a file is requested once even if the
cursor is lost. Files no feed takes are reported in the skip reason and the tick log.
"""

import time
from collections import defaultdict

import dagster as dg

from ...lib.legacy.inbox import fingerprints_from_cursor, fingerprints_to_cursor, scan_inbox
from . import legacy_files
from .legacy_files import FILE_PARTITIONS, SETTINGS, LegacyInboxResource, legacy_job_name


@dg.sensor(
    name="legacy_inbox_sensor",
    jobs=legacy_files.LEGACY_JOBS,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Loads each new or corrected file of the legacy drop folder (SFSYNC_INBOUND_DIR) into raw/legacy.",
)
def legacy_inbox_sensor(
    context: dg.SensorEvaluationContext, legacy_inbox: LegacyInboxResource
) -> dg.SensorResult:
    scan = scan_inbox(legacy_inbox.folder, SETTINGS, fingerprints_from_cursor(context.cursor), time.time())
    if scan.unmatched:
        context.log.warning("files in %s that no feed takes: %s", legacy_inbox.folder, scan.unmatched)
    existing: dict[str, set[str]] = {}
    new_keys: dict[str, list[str]] = defaultdict(list)
    for file in scan.ready:
        if file.feed not in existing:
            existing[file.feed] = set(
                context.instance.get_dynamic_partitions(FILE_PARTITIONS[file.feed].name)
            )
        if file.partition.key not in existing[file.feed]:
            new_keys[file.feed].append(file.partition.key)
    cursor = fingerprints_to_cursor(scan.fingerprints)
    if not new_keys:
        return dg.SensorResult(skip_reason=f"no new files: {scan.describe()}", cursor=cursor)
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(run_key=key, partition_key=key, job_name=legacy_job_name(feed))
            for feed, keys in new_keys.items()
            for key in keys
        ],
        dynamic_partitions_requests=[
            FILE_PARTITIONS[feed].build_add_request(keys) for feed, keys in new_keys.items()
        ],
        cursor=cursor,
    )
