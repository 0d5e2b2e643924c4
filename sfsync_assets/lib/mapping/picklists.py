"""Picklists: source codes mapped to Salesforce values, and Salesforce values checked against the org's picklists.

A value map never passes a value through: a code it does not list is `Unmapped`, which the mapping turns into
an INVALID_PICKLIST_VALUE rejection. Picklist domains come from the org schema the emulator also serves
(standard objects plus `config/org_schema.yaml`), so a value is checked against what Salesforce would accept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from ..config.files import CONFIG_DIR
from ..emulator.schema import load_schema
from .findings import Rejected, Rule

ORG_SCHEMA_FILE = CONFIG_DIR / "org_schema.yaml"


@dataclass(frozen=True)
class Mapped:
    value: str


@dataclass(frozen=True)
class Unmapped:
    code: str


@dataclass(frozen=True)
class ValueMap:
    """Source code → Salesforce picklist value, e.g. `NT30` → `Net 30`."""

    name: str
    entries: Mapping[str, str]

    def lookup(self, code: str) -> Mapped | Unmapped:
        value = self.entries.get(code)
        return Unmapped(code) if value is None else Mapped(value)

    def apply(self, code: str) -> str:
        outcome = self.lookup(code)
        if isinstance(outcome, Unmapped):
            raise Rejected(
                Rule.INVALID_PICKLIST_VALUE, f"{code!r} is unmapped: value map {self.name!r} does not list it"
            )
        return outcome.value


class UnknownPicklist(LookupError):
    """A picklist reference (`Object.Field`) the org schema does not define as a picklist."""


@lru_cache(maxsize=128)
def picklist_values(reference: str) -> tuple[str, ...]:
    """The values of picklist `Object.Field` in the org schema."""
    object_name, _, field_name = reference.partition(".")
    definition = _org_schema().object(object_name)
    field = definition.field(field_name) if definition is not None else None
    if field is None or not field.picklist_values:
        raise UnknownPicklist(f"{reference!r} is not a picklist field of the org schema ({ORG_SCHEMA_FILE})")
    return field.picklist_values


def check_picklist(value: str, reference: str) -> str:
    if value not in picklist_values(reference):
        raise Rejected(Rule.INVALID_PICKLIST_VALUE, f"{value!r} is not a value of picklist {reference}")
    return value


@lru_cache(maxsize=1)
def _org_schema():
    return load_schema(ORG_SCHEMA_FILE)
