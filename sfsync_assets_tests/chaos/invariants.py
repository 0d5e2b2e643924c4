"""What must hold once reruns have converged after any fault or crash: every golden record exactly once in
Salesforce with its golden values, a ledger that agrees with Salesforce, every refusal in the dead letter, and one
audit row per write.

Salesforce is read back over the API, independently of the product's own reconciliation. `prefix` narrows
everything to golden ids of one test when several share an org.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from simple_salesforce import Salesforce

from sfsync_assets.lib.outbound.golden_source import GoldenSource
from sfsync_assets.lib.outbound.push import PushScope, plan
from sfsync_assets.lib.outbound.settings import OutboundSettings, TargetSettings
from sfsync_assets.lib.outbound.wire import wire


@dataclass(frozen=True)
class Outstanding:
    """What another rerun could still change; empty once the reruns have converged."""

    writes: dict[str, set[str]]
    retriable_letters: int
    unfinished_jobs: int

    def __bool__(self) -> bool:
        return bool(any(self.writes.values()) or self.retriable_letters or self.unfinished_jobs)


def outstanding(
    connection: duckdb.DuckDBPyConnection,
    settings: OutboundSettings,
    system_of_record: Path,
    prefix: str = "",
) -> Outstanding:
    """Planned writes, retriable dead letters and Bulk jobs whose results were never read. A retry of a record
    Salesforce refuses for good (or of a child waiting for such a parent) is not outstanding: the dead letter
    accounts for it until someone fixes the data."""
    writes = {}
    for name in settings.parents_first():
        target = settings.targets[name]
        refused = _open_letters(connection, name, prefix, retriable=False)
        parent_refused = (
            _open_letters(connection, target.parent.target, prefix, retriable=False)
            if target.parent
            else set()
        )
        writes[name] = {
            p.write.golden_id
            for p in plan(connection, settings, PushScope(name), system_of_record).writes
            if p.write.golden_id.startswith(prefix)
            and p.write.golden_id not in refused
            and not (p.waiting_for_parent and p.write.parent_golden_id in parent_refused)
        }
    retriable = sum(len(_open_letters(connection, name, prefix, retriable=True)) for name in settings.targets)
    jobs = connection.execute(
        "SELECT count(*) FROM outbound.bulk_jobs WHERE state IN ('open', 'submitted')"
    ).fetchall()[0][0]
    return Outstanding(writes, retriable, jobs)


@dataclass(frozen=True)
class _Held:
    """What Salesforce holds for one target (golden id -> record), and every target's golden id -> record Id."""

    name: str
    target: TargetSettings
    found: dict[str, dict[str, Any]]
    record_ids: dict[str, dict[str, str]]

    def value(self, field: str, record: dict[str, Any]) -> str | None:
        """A record's value in wire spelling; the parent reference as the parent's golden id."""
        parent = self.target.parent
        if parent and field == self.target.parent_field:
            lookup = record.get(parent.lookup_field)
            by_record = {
                record_id: golden_id for golden_id, record_id in self.record_ids[parent.target].items()
            }
            return by_record.get(lookup, lookup)
        return wire(record[field])


def assert_invariants(
    connection: duckdb.DuckDBPyConnection,
    sf: Salesforce,
    settings: OutboundSettings,
    system_of_record: Path,
    prefix: str = "",
) -> dict[str, int]:
    """Check every invariant for every target; returns how many golden records each target holds in Salesforce."""
    left = outstanding(connection, settings, system_of_record, prefix)
    assert not left, f"the reruns did not converge: {left}"
    golden = GoldenSource(connection, system_of_record)
    record_ids: dict[str, dict[str, str]] = {}
    held = {}
    for name in settings.parents_first():
        target = settings.targets[name]
        records = _salesforce_records(sf, target, prefix)
        duplicated = {g: [r["Id"] for r in found] for g, found in records.items() if len(found) > 1}
        assert not duplicated, f"{target.object}: golden ids held by more than one record: {duplicated}"
        found = {golden_id: rows[0] for golden_id, rows in records.items()}
        record_ids[name] = {golden_id: record["Id"] for golden_id, record in found.items()}
        view = _Held(name, target, found, record_ids)
        _assert_golden_values(connection, golden, settings, view, prefix)
        _assert_ledger_agrees(connection, view, prefix)
        _assert_audit(connection, view, prefix)
        _assert_refusals_dead_lettered(connection, sf, view, prefix)
        held[name] = len(found)
    return held


def _open_letters(
    connection: duckdb.DuckDBPyConnection, target: str, prefix: str, retriable: bool
) -> set[str]:
    rows = connection.execute(
        "SELECT golden_id FROM outbound.dead_letter WHERE target = ? AND NOT resolved AND retriable = ? "
        "AND starts_with(golden_id, ?)",
        [target, retriable, prefix],
    ).fetchall()
    return {row[0] for row in rows}


def _salesforce_records(
    sf: Salesforce, target: TargetSettings, prefix: str
) -> dict[str, list[dict[str, Any]]]:
    """golden id -> every live record carrying it (more than one is a duplicate)."""
    columns = [
        target.parent.lookup_field if target.parent and field == target.parent_field else field
        for field in [*target.fields, *([target.parent_field] if target.parent else [])]
    ]
    soql = (
        f"SELECT Id, {target.external_id}, {', '.join(columns)} FROM {target.object} "
        f"WHERE {target.external_id} LIKE '{prefix}%'"
    )
    by_golden: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in sf.query_all(soql)["records"]:
        by_golden[record[target.external_id]].append(record)
    return by_golden


def _assert_golden_values(
    connection: duckdb.DuckDBPyConnection,
    golden: GoldenSource,
    settings: OutboundSettings,
    held: _Held,
    prefix: str,
) -> None:
    """Every golden record not refused for good is in Salesforce, with the golden value of every field
    Salesforce does not own (a field Salesforce owns keeps its own value by design)."""
    name, target, found = held.name, held.target, held.found
    owned = golden.owned_by(settings.salesforce.system, target.golden_entity)
    read = golden.records(target.golden_entity, target.fields)
    compared = [field for field in target.fields if field not in owned and field not in read.unavailable]
    refused = _open_letters(connection, name, prefix, retriable=False)
    parent_refused = (
        _open_letters(connection, target.parent.target, prefix, retriable=False) if target.parent else set()
    )
    parent_owned = golden.parent_column(target.golden_entity) in owned
    lost, wrong = [], {}
    for record in read.records:
        if not record.golden_id.startswith(prefix) or record.golden_id in refused:
            continue
        if record.golden_id not in found:
            if record.parent_golden_id not in parent_refused:
                lost.append(record.golden_id)
            continue
        expected = {field: wire(record.values[field]) for field in compared}
        if target.parent and not parent_owned:
            expected[target.parent_field] = record.parent_golden_id
        actual = {field: held.value(field, found[record.golden_id]) for field in expected}
        differ = {f: (expected[f], actual[f]) for f in expected if not _same(expected[f], actual[f])}
        if differ:
            wrong[record.golden_id] = differ
    assert not lost, (
        f"{target.object}: golden records missing from Salesforce and from the dead letter: {lost}"
    )
    assert not wrong, f"{target.object}: Salesforce differs from the golden values: {wrong}"


def _same(golden: str | None, salesforce: str | None) -> bool:
    """Equal in wire spelling; a checkbox cannot be empty in Salesforce, so an empty golden flag reads false."""
    return golden == salesforce or (golden is None and salesforce == "false")


def _assert_ledger_agrees(connection: duckdb.DuckDBPyConnection, held: _Held, prefix: str) -> None:
    """Each ledger row names the record that carries its golden id, and Salesforce holds the values it lists."""
    rows = connection.execute(
        "SELECT golden_id, record_id, pushed_values::VARCHAR FROM outbound.ledger "
        "WHERE target = ? AND starts_with(golden_id, ?)",
        [held.name, prefix],
    ).fetchall()
    disagreements = {}
    for golden_id, record_id, pushed in rows:
        record = held.found.get(golden_id)
        if record is None or record["Id"] != record_id:
            disagreements[golden_id] = f"ledger says {record_id}, Salesforce has {record and record['Id']}"
            continue
        values = json.loads(pushed)
        actual = {field: held.value(field, record) for field in values}
        if actual != values:
            disagreements[golden_id] = {f: (values[f], actual[f]) for f in values if values[f] != actual[f]}
    assert not disagreements, f"{held.target.object}: ledger and Salesforce disagree: {disagreements}"


def _assert_audit(connection: duckdb.DuckDBPyConnection, held: _Held, prefix: str) -> None:
    """One audit row per confirmed write: none twice, a creation at most once per golden id, the latest row of
    each golden id equal to its ledger row, and no record in Salesforce that the audit log never saw written."""
    name = held.name
    audit = connection.execute(
        "SELECT golden_id, record_id, operation, fields_hash, api_ref FROM outbound.audit "
        "WHERE target = ? AND starts_with(golden_id, ?) ORDER BY written_at",
        [name, prefix],
    ).fetchall()
    writes = [(golden_id, api_ref) for golden_id, _, _, _, api_ref in audit]
    assert len(writes) == len(set(writes)), f"{name}: a write is in the audit log twice"
    created = [golden_id for golden_id, _, operation, _, _ in audit if operation == "created"]
    assert len(created) == len(set(created)), f"{name}: a golden id was created more than once"
    latest = {golden_id: (record_id, fields_hash) for golden_id, record_id, _, fields_hash, _ in audit}
    ledger = connection.execute(
        "SELECT golden_id, record_id, fields_hash FROM outbound.ledger WHERE target = ? AND starts_with(golden_id, ?)",
        [name, prefix],
    ).fetchall()
    confirmed = {golden_id: (record_id, fields_hash) for golden_id, record_id, fields_hash in ledger}
    assert latest == confirmed, (
        f"{name}: the latest audit row and the ledger differ for {set(latest.items() ^ confirmed.items())}"
    )
    audited = {record_id for _, record_id, _, _, _ in audit}
    unaudited = {g: r["Id"] for g, r in held.found.items() if r["Id"] not in audited}
    assert not unaudited, f"{name}: records carry a golden id but no audit row says we wrote it: {unaudited}"


def _assert_refusals_dead_lettered(
    connection: duckdb.DuckDBPyConnection, sf: Salesforce, held: _Held, prefix: str
) -> None:
    """Every row any Bulk job of the target refused, as Salesforce lists it, has a dead-letter row."""
    name, target = held.name, held.target
    jobs = sf.session.get(f"{sf.base_url}jobs/ingest/", headers=sf.headers).json()["records"]
    refused = set()
    for job in jobs:
        if job["object"] == target.object and int(job.get("numberRecordsFailed") or 0):
            answer = sf.session.get(
                f"{sf.base_url}jobs/ingest/{job['id']}/failedResults/", headers=sf.headers
            )
            rows = list(csv.DictReader(io.StringIO(answer.text, newline="")))
            refused |= {row[target.external_id] for row in rows if row[target.external_id].startswith(prefix)}
    lettered = {
        row[0]
        for row in connection.execute(
            "SELECT golden_id FROM outbound.dead_letter WHERE target = ?", [name]
        ).fetchall()
    }
    assert refused <= lettered, f"{name}: Bulk refusals missing from the dead letter: {refused - lettered}"
