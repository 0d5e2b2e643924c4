"""The system-of-record matrix (`config/system_of_record.yaml`): per golden field, which system's value wins.

Validated on load against the canonical model: every field must be a canonical column of its entity type (or a
declared derived field), every class must rank known systems, every check must exist.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..canonical.model import ORGANIZATION, PERSON, SYSTEMS, Column
from ..config.files import CONFIG_DIR, load_model

SYSTEM_OF_RECORD_FILE = CONFIG_DIR / "system_of_record.yaml"
EntityType = Literal["person", "organization"]
CANONICAL: dict[str, tuple[Column, ...]] = {"person": PERSON, "organization": ORGANIZATION}
DERIVED_TYPES = {"organization_golden_id": "VARCHAR"}
NAMED_CHECKS = {"e164", "email", "iso_country", "iso_currency", "no_mojibake", "non_negative"}
PICKLIST_CHECK = re.compile(r"picklist:(\w+)\.(\w+)")
MOST_CORROBORATED = "most_corroborated"
MOST_RESTRICTIVE = "most_restrictive"  # an opt-out flag set anywhere wins


class FieldRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    field_class: str = Field(alias="class")
    checks: list[str] = []
    ignore: list[str] = []
    prefer: Literal["most_corroborated", "most_restrictive"] | None = None
    conflicts: bool = True
    derived: Literal["organization_golden_id"] | None = None

    @model_validator(mode="after")
    def _known_checks(self) -> FieldRule:
        for check in self.checks:
            if check not in NAMED_CHECKS and not PICKLIST_CHECK.fullmatch(check):
                raise ValueError(
                    f"unknown check {check!r}; expected one of {sorted(NAMED_CHECKS)} or picklist:<Object>.<Field>"
                )
        return self


class SystemOfRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    system_groups: dict[str, list[str]] = {}
    classes: dict[str, list[str]] = Field(min_length=1)
    fields: dict[EntityType, dict[str, FieldRule]]

    @model_validator(mode="after")
    def _consistent(self) -> SystemOfRecord:
        grouped = {system for members in self.system_groups.values() for system in members}
        unknown = grouped - set(SYSTEMS)
        if unknown:
            raise ValueError(
                f"system_groups: {sorted(unknown)} are not systems; expected some of {list(SYSTEMS)}"
            )
        rankable = set(self.system_groups) | (set(SYSTEMS) - grouped)
        for name, order in self.classes.items():
            if set(order) - rankable:
                raise ValueError(
                    f"classes.{name}: {sorted(set(order) - rankable)} are neither systems nor groups"
                )
        for entity_type, rules in self.fields.items():
            columns = {column.name for column in CANONICAL[entity_type]}
            for field_name, rule in rules.items():
                where = f"fields.{entity_type}.{field_name}"
                if rule.field_class not in self.classes:
                    raise ValueError(
                        f"{where}: class {rule.field_class!r} is not one of {sorted(self.classes)}"
                    )
                if rule.derived is None and field_name not in columns:
                    raise ValueError(
                        f"{where}: not a column of the canonical {entity_type} (lib/canonical/model.py)"
                    )
                if rule.prefer == MOST_RESTRICTIVE and self.sql_type(entity_type, field_name) != "BOOLEAN":
                    raise ValueError(
                        f"{where}: prefer {MOST_RESTRICTIVE} needs a BOOLEAN field (an opt-out flag)"
                    )
        return self

    def group_of(self, system: str) -> str:
        return next((group for group, members in self.system_groups.items() if system in members), system)

    def rank(self, field_class: str, system: str) -> int:
        """Position of `system` in the class order (0 wins); systems not listed rank last."""
        order = self.classes[field_class]
        group = self.group_of(system)
        return order.index(group) if group in order else len(order)

    def sql_type(self, entity_type: EntityType, field_name: str) -> str:
        rule = self.fields[entity_type][field_name]
        if rule.derived is not None:
            return DERIVED_TYPES[rule.derived]
        return next(column.sql_type for column in CANONICAL[entity_type] if column.name == field_name)


def load_system_of_record(path: Path = SYSTEM_OF_RECORD_FILE) -> SystemOfRecord:
    return load_model(path, SystemOfRecord)
