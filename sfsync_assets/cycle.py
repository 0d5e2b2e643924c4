"""One headless sync cycle, run in this process and recorded in the deployment's Dagster instance.

Files waiting in the drop folder load first, one partition each, as the inbox sensor would request them; then
the `sync_cycle` job runs every other asset in dependency order with its checks. Runs land in DAGSTER_HOME, so
the UI shows them like any scheduled run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import dagster as dg

from .defs.ingest.legacy_files import FILE_PARTITIONS, legacy_job_name
from .defs.ingest.legacy_files import SETTINGS as LEGACY_SETTINGS
from .lib.legacy.inbox import scan_inbox


class CycleFailed(RuntimeError):
    """A step of the cycle failed; the message names the job and the failed steps."""


def run_cycle(echo: Callable[[str], None] = print, run_config: Mapping[str, Any] | None = None) -> None:
    """`run_config` configures the sync_cycle run, e.g. a rehearsal pointing a resource at other settings."""
    from .definitions import defs

    definitions = defs()
    instance = dg.DagsterInstance.get()
    _load_inbox(definitions, instance, Path(os.environ["SFSYNC_INBOUND_DIR"]), echo)
    echo("running the sync cycle: ingest, validate, resolve, push, reconcile")
    result = definitions.resolve_job_def("sync_cycle").execute_in_process(
        instance=instance, raise_on_error=False, run_config=run_config
    )
    if not result.success:
        failed = [event.step_key for event in result.all_events if event.is_step_failure]
        raise CycleFailed(
            f"the sync_cycle run {result.run_id} failed in {', '.join(failed) or 'a check'}; "
            "see its run page in the UI"
        )


def _load_inbox(
    definitions: dg.Definitions, instance: dg.DagsterInstance, inbox: Path, echo: Callable[[str], None]
) -> None:
    # The cycle starts after the files were written, so none is still arriving: skip the settle wait.
    scan = scan_inbox(inbox, LEGACY_SETTINGS, {}, time.time() + LEGACY_SETTINGS.settle_seconds)
    for name, reason in sorted(scan.unmatched.items()):
        echo(f"  inbox: {name} not loaded: {reason}")
    for file in scan.ready:
        partitions = FILE_PARTITIONS[file.feed]
        if file.partition.key in instance.get_dynamic_partitions(partitions.name):
            continue
        instance.add_dynamic_partitions(partitions.name, [file.partition.key])
        job = definitions.resolve_job_def(legacy_job_name(file.feed))
        result = job.execute_in_process(
            instance=instance, partition_key=file.partition.key, raise_on_error=False
        )
        echo(f"  inbox: {file.partition.key} {'loaded' if result.success else 'FAILED'}")
        if not result.success:
            raise CycleFailed(f"loading {file.partition.key} failed (run {result.run_id}); see its run page")
