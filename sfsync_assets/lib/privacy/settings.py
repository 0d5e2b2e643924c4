"""The erasure configuration (`config/privacy.yaml`), validated on load."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from ..config.files import CONFIG_DIR, load_model

PRIVACY_FILE = CONFIG_DIR / "privacy.yaml"


class RecordReference(BaseModel):
    """Columns that name a source record: its system, object and id, and the field a row is about."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    system: str
    object: str
    id: str
    field: str


class WarehouseSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    keep_rows: list[str] = []
    shared_rows: dict[str, list[str]] = {}
    record_references: dict[str, RecordReference] = {}


class ErpPersonTable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str
    email: str


class ErpSharedTable(ErpPersonTable):
    columns: list[str] = Field(min_length=1)
    touch: str | None = None


class ErpErasureSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    person_tables: dict[str, ErpPersonTable] = {}
    shared_tables: dict[str, ErpSharedTable] = {}


class SalesforceErasureSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    objects: list[str] = Field(min_length=1)


class PrivacySettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    warehouse: WarehouseSettings
    erp: ErpErasureSettings
    salesforce: SalesforceErasureSettings


def load_privacy_settings(path: Path = PRIVACY_FILE) -> PrivacySettings:
    return load_model(path, PrivacySettings)
