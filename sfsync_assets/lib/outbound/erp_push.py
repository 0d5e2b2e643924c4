"""One write-back of golden values to an ERP table, with the push's ledger discipline.

The plan is the Salesforce plan's (`plan_writes`) against the ledger under the target `erp:<name>`: a row the
ERP confirmed with the same values costs no statement, fields the ERP owns in the system-of-record matrix are
never written, and the first write to a row sends every value the ERP does not own. Only rows that are the
entity's own ERP records (identity) are written; golden records without one are not the ERP's to hold. Every
answer goes through the push's recorder: ledger, audit log and dead letter in one transaction per batch.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import sqlalchemy as sa

from ..erp.writer import ErpWriter
from . import dead_letter
from .golden_source import SYSTEM_OF_RECORD_FILE, GoldenSource
from .job_journal import JobJournal
from .ledger import load_ledger
from .plan import TargetState, plan_writes
from .recorder import OutcomeRecorder
from .settings import OutboundSettings
from .tables import ensure_tables

ERP_CLIENT_ID = "sfsync"
ERP_TARGET_PREFIX = "erp:"  # ledger, audit and dead-letter rows of ERP targets; the others are Salesforce's


def ledger_target(name: str) -> str:
    return f"{ERP_TARGET_PREFIX}{name}"


@dataclass
class ErpPushResult:
    target: str
    planned: int
    written: int
    refused: int
    reasons: Counter[str]
    unavailable_fields: list[str]

    def metadata(self) -> dict[str, object]:
        return {
            "planned": self.planned,
            "written": self.written,
            "failed": self.refused,
            **{f"planned_{reason}": count for reason, count in sorted(self.reasons.items())},
            "fields_not_in_golden": ", ".join(self.unavailable_fields) or "none",
        }


def push_to_erp(
    connection: duckdb.DuckDBPyConnection,
    settings: OutboundSettings,
    name: str,
    engine: sa.Engine,
    schema: str | None,
    run_id: str | None,
    system_of_record: Path = SYSTEM_OF_RECORD_FILE,
    now: Callable[[], datetime] = lambda: datetime.now(UTC).replace(tzinfo=None),
) -> ErpPushResult:
    """Write the changed golden values of target `name` into its ERP rows; `now` stamps the change time."""
    ensure_tables(connection)
    target, target_name = settings.erp.targets[name], ledger_target(name)
    golden = GoldenSource(connection, system_of_record)
    owned = golden.owned_by(settings.erp.system, target.golden_entity)
    read = golden.records(target.golden_entity, list(target.columns))
    fields = [field for field in target.columns if field not in read.unavailable]
    entries = load_ledger(connection, target_name)
    state = TargetState(
        entries=entries,
        failing={g: f.error_code for g, f in dead_letter.open_failures(connection, target_name).items()},
        in_target=golden.source_ids(target.golden_entity, settings.erp.system, target.source_object),
    )
    wanted = list(plan_writes(read.records, fields, owned, None, state))
    at = datetime.now(UTC)
    dead_letter.supersede_unplanned(connection, target_name, [p.write.golden_id for p in wanted], run_id, at)
    # A record with no ERP row to write (none in identity, or its row is gone: dead-lettered) is not the ERP's.
    planned = [p for p in wanted if p.write.adopt or p.write.golden_id in entries]
    keys = {p.write.golden_id: p.write.adopt or entries[p.write.golden_id].record_id for p in planned}
    journal = JobJournal(connection, target_name, run_id)
    record = OutcomeRecorder(connection, target_name, entries, journal, run_id, ERP_CLIENT_ID)
    written = refused = 0
    if planned:
        writer = ErpWriter(engine, schema, target, settings.erp.batch_rows, now)
        for outcome in writer.write([p.write for p in planned], keys):
            record(outcome)
            written += len(outcome.confirmed)
            refused += len(outcome.refused)
    return ErpPushResult(
        target_name, len(planned), written, refused, Counter(p.reason for p in planned), read.unavailable
    )
