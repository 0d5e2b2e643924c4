"""Reading back the records sfsync manages in Salesforce, in the spelling the ledger uses.

Every record of each target object is read through the reader's window path (`queryAll`, so deletions arrive
flagged): one Composite call opens every object's query, and an object with more records than the bulk threshold
is read by a Bulk 2.0 query job, so a full reconciliation costs a handful of API calls whatever the org's size.
Only records that carry the external id (`Golden_Id__c`) are kept. A child's parent reference is read as the
parent's golden id, the way the ledger records it (`Account.Golden_Id__c`), from the parent records read alongside.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ..outbound.settings import TargetSettings
from ..outbound.wire import wire
from ..salesforce.reader import EPOCH, SalesforceReader, Window
from ..salesforce.shapes import ObjectShape
from .errors import ReconcileError

SYSTEM_FIELDS = ("Id", "SystemModstamp", "IsDeleted")


@dataclass(frozen=True)
class ObservedRecord:
    record_id: str
    golden_id: str
    is_deleted: bool
    system_modstamp: datetime
    values: dict[str, str | None]


@dataclass
class ObservedTarget:
    """One target's records as Salesforce held them at `observed_at`, by golden id (a live record wins)."""

    target: str
    object: str
    observed_at: datetime
    formula_fields: tuple[str, ...] = ()
    records: dict[str, ObservedRecord] = field(default_factory=dict)
    read_mode: str = "rest"

    def add(self, record: ObservedRecord) -> None:
        known = self.records.get(record.golden_id)
        if known is None or (known.is_deleted and not record.is_deleted):
            self.records[record.golden_id] = record

    @property
    def live(self) -> int:
        return sum(not record.is_deleted for record in self.records.values())


def read_targets(
    reader: SalesforceReader,
    targets: Mapping[str, TargetSettings],
    watch_formula_fields: bool,
    observed_at: datetime,
) -> dict[str, ObservedTarget]:
    """Every managed record of the targets, as of `observed_at` (records changed later are left for next time)."""
    for name, target in targets.items():
        if target.parent and target.parent.target not in targets:
            raise ReconcileError(
                f"target {name} names parent {target.parent.target}, which is not reconciled"
            )
    shapes = reader.describe(sorted({target.object for target in targets.values()}))
    observed: dict[str, ObservedTarget] = {}
    requests = []
    for name, target in targets.items():
        shape = shapes[target.object]
        formula = tuple(f.name for f in shape.fields if f.calculated) if watch_formula_fields else ()
        lookup = [target.parent.lookup_field] if target.parent else []
        wanted = [*SYSTEM_FIELDS, target.external_id, *target.fields, *formula, *lookup]
        requests.append((_narrowed(shape, wanted), Window(EPOCH, observed_at)))
        observed[name] = ObservedTarget(name, target.object, observed_at, formula)
    golden_ids_by_record: dict[str, dict[str, str]] = {}
    parents_by_record: dict[str, dict[str, str | None]] = {}
    for (name, target), opened in zip(targets.items(), reader.open_windows(requests), strict=True):
        observed[name].read_mode = opened.mode
        golden_ids_by_record[name], parents_by_record[name] = {}, {}
        for row in reader.records(opened):
            golden_id = row.get(target.external_id)
            if not golden_id:
                continue
            golden_ids_by_record[name][row["Id"]] = golden_id
            if target.parent:
                parents_by_record[name][row["Id"]] = row.get(target.parent.lookup_field)
            values = {f: wire(row.get(f)) for f in (*target.fields, *observed[name].formula_fields)}
            observed[name].add(
                ObservedRecord(row["Id"], golden_id, bool(row["IsDeleted"]), row["SystemModstamp"], values)
            )
    for name, target in targets.items():
        if target.parent and target.parent_field:
            parent_golden_ids = golden_ids_by_record[target.parent.target]
            for record in observed[name].records.values():
                parent_id = parents_by_record[name].get(record.record_id)
                record.values[target.parent_field] = parent_golden_ids.get(parent_id) if parent_id else None
    return observed


def _narrowed(shape: ObjectShape, names: Sequence[str]) -> ObjectShape:
    fields = []
    for name in dict.fromkeys(names):
        found = shape.field(name)
        if found is None:
            raise ReconcileError(f"Salesforce {shape.name} has no field {name}; outbound.yaml expects it")
        fields.append(found)
    return ObjectShape(shape.name, tuple(fields))
