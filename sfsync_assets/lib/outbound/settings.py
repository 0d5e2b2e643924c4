"""The push-back configuration (`config/outbound.yaml`), validated on load."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from ..canonical.model import ORGANIZATION, PERSON
from ..config.files import CONFIG_DIR, load_model
from ..salesforce.ingest_settings import BudgetSettings

OUTBOUND_FILE = CONFIG_DIR / "outbound.yaml"
MAX_COLLECTIONS_BATCH = 200
CANONICAL_FIELDS = {
    "organization": {column.name for column in ORGANIZATION},
    "person": {column.name for column in PERSON},
}


def _require_canonical(key: str, names: Iterable[str], entity: str) -> None:
    unknown = [name for name in names if name not in CANONICAL_FIELDS[entity]]
    if unknown:
        raise ValueError(f"{key} {unknown} are not canonical {entity} fields (lib/canonical/model.py)")


class ParentLink(BaseModel):
    """How a child record names its parent: by the parent's external id, through a relationship."""

    target: str
    relationship: str
    lookup_field: str


class TargetSettings(BaseModel):
    object: str
    golden_entity: Literal["organization", "person"]
    external_id: str = "Golden_Id__c"
    fields: list[str] = Field(min_length=1)
    parent: ParentLink | None = None

    @model_validator(mode="after")
    def _fields_are_canonical(self) -> TargetSettings:
        _require_canonical("fields", self.fields, self.golden_entity)
        return self

    @property
    def parent_field(self) -> str | None:
        """The parent reference as a pushed field, e.g. `Account.Golden_Id__c`."""
        if self.parent is None:
            return None
        return f"{self.parent.relationship}.{self.external_id}"


class ConsentSettings(BaseModel):
    target: str = "contact"
    fields: list[str] = Field(min_length=1)
    sensor_interval_seconds: int = Field(15, ge=1, le=60)


class RetrySettings(BaseModel):
    max_attempts: int = Field(5, ge=1)
    base_delay_seconds: float = Field(0.5, ge=0)
    max_delay_seconds: float = Field(30.0, ge=0)


class SalesforceWriteSettings(BaseModel):
    system: str = "salesforce"
    bulk_threshold: int = Field(1000, ge=0)
    collections_batch: int = Field(MAX_COLLECTIONS_BATCH, ge=1, le=MAX_COLLECTIONS_BATCH)
    bulk_internal_batch_rows: int = Field(10_000, ge=1)
    bulk_max_rows_per_job: int = Field(100_000, ge=1)
    bulk_poll_seconds: float = Field(0.5, gt=0)
    bulk_poll_max_seconds: float = Field(5.0, gt=0)
    bulk_timeout_seconds: float = Field(3600.0, gt=0)
    retry: RetrySettings = RetrySettings()
    circuit_breaker_failures: int = Field(8, ge=1)
    resume_after_seconds: int = Field(900, ge=0)
    refused_retry_after_hours: float = Field(24.0, ge=0)
    budget: BudgetSettings = BudgetSettings()


class ErpTargetSettings(BaseModel):
    """One ERP table golden values are written back to: existing rows only, the entity's own ERP record."""

    table: str
    golden_entity: Literal["organization", "person"]
    source_object: str
    key: str
    columns: dict[str, str] = Field(min_length=1)
    touch: str | None = None

    @model_validator(mode="after")
    def _fields_are_canonical(self) -> ErpTargetSettings:
        _require_canonical("columns", self.columns, self.golden_entity)
        return self


class ErpWriteSettings(BaseModel):
    system: str = "erp"
    batch_rows: int = Field(500, ge=1)
    targets: dict[str, ErpTargetSettings] = {}


class OutboundSettings(BaseModel):
    targets: dict[str, TargetSettings] = Field(min_length=1)
    consent: ConsentSettings
    salesforce: SalesforceWriteSettings = SalesforceWriteSettings()
    erp: ErpWriteSettings = ErpWriteSettings()

    @model_validator(mode="after")
    def _references_are_known(self) -> OutboundSettings:
        for name, target in self.targets.items():
            if target.parent and target.parent.target not in self.targets:
                raise ValueError(f"targets.{name}.parent.target: unknown target {target.parent.target!r}")
        consent = self.targets.get(self.consent.target)
        if consent is None:
            raise ValueError(f"consent.target: unknown target {self.consent.target!r}")
        missing = set(self.consent.fields) - set(consent.fields)
        if missing:
            raise ValueError(f"consent.fields: not fields of target {self.consent.target}: {sorted(missing)}")
        return self

    def parents_first(self) -> list[str]:
        """Target names ordered so that every parent comes before its children."""
        ordered: list[str] = []
        while len(ordered) < len(self.targets):
            for name, target in self.targets.items():
                if name not in ordered and (target.parent is None or target.parent.target in ordered):
                    ordered.append(name)
        return ordered


def load_outbound_settings(path: Path = OUTBOUND_FILE) -> OutboundSettings:
    return load_model(path, OutboundSettings)
