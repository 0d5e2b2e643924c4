"""Picklist drift: the values our mappings and staged schemas hold valid against the values Salesforce has now.

The mappings map source codes onto, and the staged schema accepts, the picklist values of the org schema file
(`config/org_schema.yaml`). When an admin adds, renames or removes a value in the real org, that file is out of
date: records carrying a new value are quarantined as invalid, and mapped values Salesforce no longer accepts
fail on push. This module lists, per picklist, the values added and removed on the Salesforce side.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..mapping.picklists import picklist_values
from ..mapping.spec import SourceMapping, TargetSpec
from .schemas import PICKLIST_COLUMNS


@dataclass(frozen=True)
class PicklistDrift:
    """One picklist whose values differ: `added` exist only in Salesforce, `removed` only in our config.

    A field Salesforce does not report (deleted, or no longer a picklist) has every value removed."""

    object: str
    field: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    missing: bool = False

    def describe(self) -> str:
        if self.missing:
            return f"{self.object}.{self.field} is not a picklist in Salesforce any more"
        changes = [f"added {value!r}" for value in self.added] + [
            f"removed {value!r}" for value in self.removed
        ]
        return f"{self.object}.{self.field}: {', '.join(changes)}"


def picklists_of(mapping: SourceMapping, target: TargetSpec) -> set[str]:
    """`Object.Field` of every picklist a staged target relies on: its mapping's `picklist` steps (checks of
    the source included) and the picklist columns of the staged schema it fills."""
    references = {
        step.argument
        for field_mapping in (*mapping.spec.source.checks, *target.fields.values())
        for step in field_mapping.transforms
        if step.name == "picklist"
    }
    return references | {PICKLIST_COLUMNS[name] for name in target.fields if name in PICKLIST_COLUMNS}


def objects_of(references: Iterable[str]) -> list[str]:
    return sorted({reference.partition(".")[0] for reference in references})


def picklist_drift(
    references: Iterable[str], described: Mapping[str, Mapping[str, Sequence[str]]]
) -> list[PicklistDrift]:
    """Drift of each `Object.Field` in `references`, given Salesforce's picklist values by object and field
    (fields without picklist values left out); picklists that match are not listed."""
    drift = []
    for reference in sorted(set(references)):
        object_name, _, field_name = reference.partition(".")
        expected = picklist_values(reference)
        actual = described.get(object_name, {}).get(field_name)
        if actual is None:
            drift.append(PicklistDrift(object_name, field_name, (), tuple(expected), missing=True))
            continue
        added = tuple(value for value in actual if value not in expected)
        removed = tuple(value for value in expected if value not in actual)
        if added or removed:
            drift.append(PicklistDrift(object_name, field_name, added, removed))
    return drift
