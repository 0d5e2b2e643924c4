"""Mapping one source record into its canonical rows: lineage, each target's fields, and the source's own checks.

Bad data never raises here. A field whose value cannot be used is null in the staged row and its problem is a
finding; a record is left out of a target only when it cannot be used at all (it has no id, or none of the
target's `usable_if_any` fields has a value).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .context import FieldContext
from .countries import to_iso2
from .currency import RateTable
from .findings import Finding, Outcome, Rejected, Rule
from .integration_user_changes import OwnWrites
from .source_types import read_value
from .spec import FieldMapping, SourceMapping, TargetSpec
from .transforms import CompiledStep

# Keys that exist in each referenced raw table, by (table, column), as text.
ReferenceKeys = Mapping[tuple[str, str], frozenset[str]]


@dataclass
class MappedRecord:
    """What one source record became: a row per target (None when not staged) and the findings of each."""

    record_ref: str
    source_key: str | None = None  # `system:object:id`, for a record that has an id
    rows: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    findings: dict[str, list[Finding]] = field(default_factory=dict)

    def distinct_findings(self) -> list[Finding]:
        """Findings across targets, one per (field, rule): a problem every target meets (a lineage value, a
        source check, a missing id) is reported once."""
        distinct: dict[tuple[str, Rule], Finding] = {}
        for findings in self.findings.values():
            for finding in findings:
                distinct.setdefault((finding.field, finding.rule), finding)
        return list(distinct.values())


@dataclass(frozen=True)
class _Field:
    name: str  # canonical column, or the source field a check validates
    label: str  # how the quarantine names it: `<entity>.<canonical column>`, or the source field
    mapping: FieldMapping
    steps: tuple[CompiledStep, ...]
    canonical: bool = False  # a value of the canonical model (not a lineage value or a source check)

    @property
    def source_field(self) -> str:
        return self.mapping.source_field or self.name


class SourceMapper:
    """Maps records of one source object with its mapping file; reference keys and rates are loaded by the caller."""

    def __init__(
        self,
        mapping: SourceMapping,
        run_id: str,
        references: ReferenceKeys | None = None,
        rates: RateTable | None = None,
        integration_user_changes: OwnWrites | None = None,
    ) -> None:
        self.spec = mapping.spec
        self.run_id = run_id
        self.references = references or {}
        self.rates = rates
        self.integration_user_changes = integration_user_changes
        maps = self.spec.maps()

        def compiled(name: str, label: str, field_mapping: FieldMapping, canonical: bool = False) -> _Field:
            steps = tuple(step.compile(maps) for step in field_mapping.transforms)
            return _Field(name, label, field_mapping, steps, canonical)

        source = self.spec.source
        updated_at = source.updated_at.source_field or ""
        self._updated_at = compiled("source_updated_at", updated_at, source.updated_at)
        created_at = source.integration_user_changes.created_at if source.integration_user_changes else None
        self._created_at = (
            compiled("source_updated_at", created_at.source_field or "", created_at) if created_at else None
        )
        self._checks = [
            compiled(check.source_field or "", check.source_field or "", check) for check in source.checks
        ]
        self._targets = [
            (
                target,
                [compiled(name, f"{target.entity}.{name}", fm, True) for name, fm in target.fields.items()],
            )
            for target in self.spec.targets
        ]

    def map(self, record: Mapping[str, Any]) -> MappedRecord:
        source = self.spec.source
        source_id = _text_id(record.get(source.id))
        mapped = MappedRecord(source_id or self._position(record))
        if source_id is None:
            missing = Finding(
                source.id,
                Rule.REQUIRED_FIELD_MISSING,
                f"the record has no {source.id}, so it cannot be keyed; it is not staged",
                None,
                Outcome.ROW_REJECTED,
                source.id,
            )
            for target in self.spec.targets:
                mapped.rows[target.staged_as] = None
                mapped.findings[target.staged_as] = [missing]
            return mapped
        mapped.source_key = f"{source.system}:{source.object}:{source_id}"
        context = FieldContext(record, self._region(record), self.rates)
        shared: list[Finding] = []
        lineage = {
            "source_system": source.system,
            "source_object": source.object,
            "source_id": source_id,
            "source_key": mapped.source_key,
            "source_updated_at": self._last_edit(mapped.source_key, context, shared),
            "is_deleted": bool(record.get(source.deleted)) if source.deleted else False,
            "ingest_run_id": self.run_id,
        }
        for check in self._checks:
            self._value(check, context, shared)
        for target, fields in self._targets:
            findings = list(shared)
            context.extras = {}
            row = dict(lineage)
            for compiled in fields:
                row[compiled.name] = self._value(compiled, context, findings)
            row.update({name: context.extras.get(name, row.get(name)) for name in target.extra_columns})
            mapped.rows[target.staged_as] = self._usable(target, row, findings)
            mapped.findings[target.staged_as] = findings
        return mapped

    def _last_edit(self, source_key: str, context: FieldContext, findings: list[Finding]) -> Any:
        """When someone other than sfsync last changed the record: its change time, unless sfsync's own user made
        the last change; then the time staged before, or for a record not staged before, its creation time."""
        changes, declared = self.integration_user_changes, self.spec.source.integration_user_changes
        if (
            changes is None
            or declared is None
            or not changes.made_by_integration_user(context.record.get(declared.last_modified_by))
        ):
            return self._value(self._updated_at, context, findings)
        staged = changes.staged_updated_at.get(source_key)
        return staged if staged is not None else self._value(self._created_at, context, findings)

    def _value(self, compiled: _Field, context: FieldContext, findings: list[Finding]) -> Any:
        """The field's canonical value, or None; every problem met on the way is appended to `findings`."""
        mapping, source = compiled.mapping, self.spec.source
        raw = context.record.get(mapping.source_field) if mapping.source_field else None
        context.repairs = []
        rejected = False
        try:
            value = read_value(
                raw, mapping.type, source.date_formats, source.decimal_separator, source.thousands_separator
            )
            if value is not None and mapping.references is not None:
                self._check_reference(value, mapping)
            for step in compiled.steps:
                if value is None:
                    break
                value = step(value, context)
        except Rejected as rejection:
            findings.append(
                self._finding(compiled, rejection.rule, rejection.reason, raw, Outcome.VALUE_REJECTED)
            )
            value, rejected = None, True
        findings.extend(
            self._finding(compiled, repair.rule, repair.reason, raw, Outcome.REPAIRED)
            for repair in context.repairs
        )
        if value is None and not rejected:
            value = mapping.default
            if value is None and mapping.required:
                findings.append(
                    self._finding(
                        compiled,
                        Rule.REQUIRED_FIELD_MISSING,
                        f"required by {source.system} {source.object} and empty",
                        raw,
                        Outcome.VALUE_REJECTED,
                    )
                )
        return value

    @staticmethod
    def _finding(compiled: _Field, rule: Rule, reason: str, raw: Any, outcome: Outcome) -> Finding:
        return Finding(
            compiled.label,
            rule,
            f"{compiled.source_field}: {reason}",
            raw,
            outcome,
            compiled.source_field,
            compiled.label if compiled.canonical else None,
        )

    def _check_reference(self, value: Any, mapping: FieldMapping) -> None:
        reference = mapping.references
        if str(value) not in self.references[(reference.table, reference.column)]:
            raise Rejected(
                Rule.ORPHAN_LOOKUP, f"{value!r} matches no {reference.column} in {reference.table}"
            )

    def _usable(
        self, target: TargetSpec, row: dict[str, Any], findings: list[Finding]
    ) -> dict[str, Any] | None:
        if target.usable_if_any and all(row.get(name) is None for name in target.usable_if_any):
            findings.append(
                Finding(
                    "",
                    Rule.REQUIRED_FIELD_MISSING,
                    f"none of {list(target.usable_if_any)} has a usable value, so the record cannot be matched; "
                    f"it is not staged as {target.entity}",
                    None,
                    Outcome.ROW_REJECTED,
                )
            )
            return None
        return {column.name: _as_sql(row.get(column.name), column.sql_type) for column in target.columns}

    def _region(self, record: Mapping[str, Any]) -> str | None:
        """The record's country (ISO alpha-2) for national phone numbers: the first of the declared columns
        that names a country, else the source's default."""
        for column in self.spec.source.phone_region_from:
            value = record.get(column)
            if value:
                try:
                    return to_iso2(str(value))
                except Rejected:
                    continue
        return self.spec.source.default_phone_region

    def _position(self, record: Mapping[str, Any]) -> str:
        """Where a record without an id was read, as the legacy ingest names it (`FILE line 12`)."""
        lineage = self.spec.source.record_lineage
        if lineage is None:
            return "(no id)"
        for column, word in ((lineage.line, "line"), (lineage.byte_offset, "byte")):
            if column and record.get(column) is not None:
                return f"{record.get(lineage.file)} {word} {record.get(column)}"
        return str(record.get(lineage.file))


def _text_id(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _as_sql(value: Any, sql_type: str) -> Any:
    """A mapped value in the Python type of its column (an integer ERP id fills a VARCHAR as text)."""
    if value is None:
        return None
    if sql_type == "VARCHAR":
        return str(value)
    if sql_type == "DOUBLE":
        return float(value)
    if sql_type == "DATE" and isinstance(value, datetime):
        return value.date()
    return value
