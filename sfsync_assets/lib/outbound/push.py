"""One push of one target: collect what earlier pushes left running, plan against the ledger, write, record.

The plan is made again at push time, after earlier jobs are collected, from the golden records and the ledger as
they are now: a plan made earlier may have been overtaken (a consent push, a collected job). `outbound.plan` is
left holding what is still planned. Nothing here knows Dagster; the assets wrap it. Salesforce is logged in to
only when there is something to write or to collect, so a push with nothing to do makes no API call at all.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
from simple_salesforce import Salesforce

from ..salesforce.budget import ApiGovernor
from . import dead_letter
from .errors import PushStopped
from .golden_source import SYSTEM_OF_RECORD_FILE, GoldenSource
from .job_journal import JobJournal
from .ledger import confirmed_golden_ids, load_ledger
from .payloads import PayloadCodec
from .plan import PlannedWrite, TargetState, plan_writes, save_plan
from .recorder import OutcomeRecorder
from .retry import retrying_caller
from .salesforce_writer import SalesforceWriter, WriteReport
from .settings import OutboundSettings
from .tables import ensure_tables


@dataclass(frozen=True)
class PushScope:
    """What to push: a target, or only some of its fields on records Salesforce already holds (consent)."""

    target: str
    only_fields: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Plan:
    writes: list[PlannedWrite]
    unavailable_fields: list[str]
    # Dead-lettered records whose write is the payload Salesforce refused for good: not sent until it changes.
    awaiting_fix: list[str] = field(default_factory=list)

    @property
    def golden_ids(self) -> list[str]:
        """Every record still to be written: planned now, or waiting for a fix."""
        return [p.write.golden_id for p in self.writes] + self.awaiting_fix


def plan(
    connection: duckdb.DuckDBPyConnection,
    settings: OutboundSettings,
    scope: PushScope,
    system_of_record: Path = SYSTEM_OF_RECORD_FILE,
) -> Plan:
    """The writes that would bring the target to the golden values now."""
    ensure_tables(connection)
    target = settings.targets[scope.target]
    golden = GoldenSource(connection, system_of_record)
    owned = set(golden.owned_by(settings.salesforce.system, target.golden_entity))
    parent_field = target.parent_field if scope.only_fields is None else None
    if parent_field and golden.parent_column(target.golden_entity) in owned:
        owned.add(parent_field)
    read = golden.records(target.golden_entity, scope.only_fields or target.fields)
    fields = [name for name in scope.only_fields or target.fields if name not in read.unavailable]
    parents = (
        confirmed_golden_ids(connection, target.parent.target) if target.parent and parent_field else set()
    )
    state = TargetState(
        entries=load_ledger(connection, scope.target),
        failing={g: f.error_code for g, f in dead_letter.open_failures(connection, scope.target).items()},
        in_target=golden.salesforce_ids(target.golden_entity, target.object),
        confirmed_parents=parents,
        held=golden.held_by_written_record(
            target.golden_entity, settings.salesforce.system, target.object, scope.target
        ),
    )
    writes = list(
        plan_writes(
            read.records, fields, owned, parent_field, state, known_only=scope.only_fields is not None
        )
    )
    held_since = datetime.now(UTC) - timedelta(hours=settings.salesforce.refused_retry_after_hours)
    refused = dead_letter.unfixable_payloads(connection, scope.target, held_since)
    codec = PayloadCodec(target)
    awaiting_fix = {
        p.write.golden_id
        for p in writes
        if p.write.golden_id in refused and codec.was_sent(p.write, refused[p.write.golden_id])
    }
    return Plan(
        [p for p in writes if p.write.golden_id not in awaiting_fix], read.unavailable, sorted(awaiting_fix)
    )


@dataclass
class PushResult:
    target: str
    planned: int
    waiting_for_parent: int
    awaiting_fix: int
    unavailable_fields: list[str]
    report: WriteReport
    dead_letter_open: int
    dead_letter_retriable: int
    api_calls_used: int
    api_calls_remaining: int | None
    duration_s: float

    @property
    def needs_resume(self) -> bool:
        """Another push soon would get further: it stopped early, or left failures a retry may fix."""
        return bool(self.report.stopped or self.report.deferred or self.dead_letter_retriable)

    def metadata(self) -> dict[str, Any]:
        report = self.report
        return {
            "planned": self.planned,
            "waiting_for_parent": self.waiting_for_parent,
            "awaiting_fix": self.awaiting_fix,
            "fields_not_in_golden": ", ".join(self.unavailable_fields) or "none",
            "pushed": report.pushed,
            "created": report.created,
            "updated": report.updated,
            "failed": len(report.failed),
            "refusals": report.refusals,
            "deferred": len(report.deferred),
            "dead_lettered": self.dead_letter_open,
            "dead_lettered_retriable": self.dead_letter_retriable,
            "retries": report.requests_retried + report.retried_records,
            "requests_retried": report.requests_retried,
            "records_retried": report.retried_records,
            "bulk_jobs": report.bulk_jobs,
            "collections_requests": report.collections_requests,
            "api_calls_used": self.api_calls_used,
            "api_calls_remaining": self.api_calls_remaining,
            "status": f"stopped: {report.stopped}" if report.stopped else "complete",
            "needs_resume": self.needs_resume,
            "duration_s": round(self.duration_s, 3),
        }


def push(
    connection: duckdb.DuckDBPyConnection,
    settings: OutboundSettings,
    scope: PushScope,
    connect: Callable[[], Salesforce],
    governor: ApiGovernor,
    run_id: str | None,
    client_id: str,
    system_of_record: Path = SYSTEM_OF_RECORD_FILE,
    sleep: Callable[[float], None] = time.sleep,
) -> PushResult:
    started, calls_at_start = time.monotonic(), governor.calls
    ensure_tables(connection)
    write_settings = settings.salesforce
    journal = JobJournal(connection, scope.target, run_id)
    entries = load_ledger(connection, scope.target)
    recorder = OutcomeRecorder(connection, scope.target, entries, journal, run_id, client_id)
    caller = retrying_caller(write_settings, sleep)
    report = WriteReport()

    def open_writer() -> SalesforceWriter:
        return SalesforceWriter(
            connect(),
            settings.targets[scope.target],
            write_settings,
            caller,
            journal,
            recorder,
            governor.remaining_for_integration,
            sleep,
        )

    writer = None
    if journal.unfinished():
        writer = open_writer()
        try:
            writer.recover(report)
        except PushStopped as stop:
            report.stopped = str(stop)
    planned = plan(connection, settings, scope, system_of_record)
    if scope.only_fields is None:
        dead_letter.supersede_unplanned(
            connection, scope.target, planned.golden_ids, run_id, datetime.now(UTC)
        )
    ready = [p.write for p in planned.writes if not p.waiting_for_parent]
    report.planned |= {write.golden_id for write in ready}
    if ready and not report.stopped:
        writer = writer or open_writer()
        writer.upsert(ready, report)
    report.requests_retried = caller.retries
    if scope.only_fields is None:
        still_planned = [p for p in planned.writes if p.write.golden_id not in report.confirmed]
        save_plan(connection, scope.target, still_planned, run_id)
    failures = dead_letter.open_failures(connection, scope.target)
    return PushResult(
        scope.target,
        planned=len(planned.writes),
        waiting_for_parent=len(planned.writes) - len(ready),
        awaiting_fix=len(planned.awaiting_fix),
        unavailable_fields=planned.unavailable_fields,
        report=report,
        dead_letter_open=len(failures),
        dead_letter_retriable=sum(failure.retriable for failure in failures.values()),
        api_calls_used=governor.calls - calls_at_start,
        api_calls_remaining=governor.remaining_for_integration(),
        duration_s=time.monotonic() - started,
    )
