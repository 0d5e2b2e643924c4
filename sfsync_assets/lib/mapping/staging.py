"""Staging one source object: map its raw records, replace its staged tables, hold them to the pandera schema,
and quarantine every problem with its reason, all in one DuckDB transaction.

A schema violation that slips past the transforms is handled like a transform rejection: the value is emptied
(or, for lineage and required columns, the row removed) and the problem quarantined, so the stored table always
passes the blocking schema check and nothing is lost silently. Problems this run no longer sees are resolved.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from duckdb import DuckDBPyConnection

from ..quality.schemas import staged_schema
from ..quality.violations import Violation, row_violations
from ..warehouse.quarantine import QuarantinedRow, quarantine, resolve_missing
from .engine import MappedRecord, SourceMapper
from .findings import Finding, Outcome, Rule
from .integration_user_changes import load_integration_user_changes
from .raw_records import load_rates, read_records, reference_keys
from .spec import LINEAGE_NAMES, SourceMapping, TargetSpec
from .staged_tables import replace_table, row_count, staged_table

RULE_PREFIX = "mapping."
_OUTCOME_NOTE = {
    Outcome.VALUE_REJECTED: "the staged value is empty",
    Outcome.REPAIRED: "the repaired value is staged; fix it at the source",
    Outcome.ROW_REJECTED: "the record is not staged",
}


@dataclass
class TargetResult:
    """What staging did for one target table, in the numbers an asset reports."""

    target: TargetSpec
    table: str
    rows_in: int = 0
    rows_staged: int = 0
    rows_with_errors: int = 0
    rows_repaired: int = 0
    problems_by_rule: Counter[str] = field(default_factory=Counter)

    @property
    def error_rate(self) -> float:
        """Share of source records that lost data (a value emptied or the record not staged)."""
        return self.rows_with_errors / self.rows_in if self.rows_in else 0.0


@dataclass
class StagingResult:
    targets: list[TargetResult]
    quarantined: int
    resolved: int


def stage_source(
    connection: DuckDBPyConnection, mapping: SourceMapping, run_id: str, now: datetime | None = None
) -> StagingResult:
    """Rebuild the staged tables of `mapping` from its raw table and quarantine what could not be used."""
    now = now or datetime.now(UTC)
    records = read_records(connection, mapping)
    mapper = SourceMapper(
        mapping,
        run_id,
        reference_keys(connection, mapping),
        load_rates(connection, mapping.path.name) if mapping.uses_rates else None,
        load_integration_user_changes(connection, mapping),
    )
    mapped = [mapper.map(record) for record in records]
    connection.execute("BEGIN TRANSACTION")
    try:
        results = [_stage_target(connection, mapping, target, mapped, now) for target in mapping.spec.targets]
        rows = [
            _quarantine_row(mapping, record, outcome, finding)
            for record, outcome in zip(records, mapped, strict=True)
            for finding in outcome.distinct_findings()
        ]
        quarantined = quarantine(connection, rows, run_id)
        source = mapping.spec.source
        resolved = resolve_missing(connection, source.system, source.object, RULE_PREFIX, run_id)
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return StagingResult(results, quarantined, resolved)


def _stage_target(
    connection: DuckDBPyConnection,
    mapping: SourceMapping,
    target: TargetSpec,
    mapped: list[MappedRecord],
    now: datetime,
) -> TargetResult:
    table = staged_table(mapping.spec.source.system, target.staged_as)
    name = target.staged_as
    replace_table(
        connection, table, target.columns, [m.rows[name] for m in mapped if m.rows[name] is not None]
    )
    frame = connection.sql(f"SELECT * FROM {table}").df()
    violations = row_violations(staged_schema(target.entity, now), frame, table)
    by_key = {m.rows[name]["source_key"]: m for m in mapped if m.rows[name] is not None}
    for violation in _distinct(violations):
        drop_row = violation.column is None or violation.column in LINEAGE_NAMES
        if drop_row:
            connection.execute(f"DELETE FROM {table} WHERE source_key = ?", [violation.source_key])
        else:
            connection.execute(
                f'UPDATE {table} SET "{violation.column}" = NULL WHERE source_key = ?', [violation.source_key]
            )
        record = by_key[violation.source_key]
        record.findings[name].append(_schema_finding(target, violation, drop_row))
    result = TargetResult(target, table, rows_in=len(mapped), rows_staged=row_count(connection, table))
    for record in mapped:
        findings = record.findings[name]
        result.rows_with_errors += any(finding.is_error for finding in findings)
        result.rows_repaired += any(not finding.is_error for finding in findings)
        result.problems_by_rule.update(finding.rule.value for finding in findings)
    return result


def _distinct(violations: list[Violation]) -> list[Violation]:
    """A check across columns reports every column of the row; one violation per row and check is enough."""
    seen: dict[tuple[str, str | None, str], Violation] = {}
    for violation in violations:
        seen.setdefault((violation.source_key, violation.column, violation.check), violation)
    return list(seen.values())


def _schema_finding(target: TargetSpec, violation: Violation, row_dropped: bool) -> Finding:
    field_mapping = target.fields.get(violation.column or "")
    source_field = (field_mapping.source_field if field_mapping else None) or ""
    label = f"{target.entity}.{violation.column}" if violation.column else ""
    return Finding(
        label,
        Rule.SCHEMA_VIOLATION,
        f"staged {violation.column or 'row'} {violation.value!r} fails the {target.entity} schema check "
        f"'{violation.check}'",
        violation.value,
        Outcome.ROW_REJECTED if row_dropped else Outcome.VALUE_REJECTED,
        source_field,
        label if field_mapping is not None else None,
    )


def _quarantine_row(
    mapping: SourceMapping, record: dict[str, Any], mapped: MappedRecord, finding: Finding
) -> QuarantinedRow:
    source = mapping.spec.source
    lineage = source.record_lineage
    return QuarantinedRow(
        system=source.system,
        source_object=source.object,
        record_ref=mapped.record_ref,
        field=finding.field,
        rule=RULE_PREFIX + finding.rule.value,
        reason=f"{finding.reason}; {_OUTCOME_NOTE[finding.outcome]}",
        value=None if finding.value is None else str(finding.value),
        source_file=str(record.get(lineage.file)) if lineage else None,
        line_number=_number(record, lineage.line if lineage else None),
        byte_offset=_number(record, lineage.byte_offset if lineage else None),
        raw=json.dumps(
            {key: value for key, value in record.items() if not key.startswith("_dlt")},
            default=str,
            ensure_ascii=False,
        ),
        source_key=mapped.source_key,
        canonical_field=finding.canonical_field,
    )


def _number(record: dict[str, Any], column: str | None) -> int | None:
    value = record.get(column) if column else None
    return None if value is None else int(value)
