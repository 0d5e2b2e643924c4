"""The Salesforce ingest configuration (`config/salesforce_ingest.yaml`), validated on load."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pydantic import BaseModel, Field, model_validator

from ..config.files import CONFIG_DIR, load_model
from .budget import BudgetPolicy

SALESFORCE_INGEST_FILE = CONFIG_DIR / "salesforce_ingest.yaml"


class WindowSettings(BaseModel):
    lookback_seconds: int = Field(300, ge=0)
    settle_seconds: int = Field(2, ge=0)

    @property
    def lookback(self) -> timedelta:
        return timedelta(seconds=self.lookback_seconds)

    @property
    def settle(self) -> timedelta:
        return timedelta(seconds=self.settle_seconds)


class ReadSettings(BaseModel):
    bulk_threshold: int = Field(2000, ge=0)
    bulk_page_records: int = Field(200_000, ge=1)
    bulk_poll_seconds: float = Field(1.0, gt=0)


class BudgetSettings(BaseModel):
    share_of_daily_limit: float = Field(0.25, gt=0, le=1)
    org_ceiling: float = Field(0.9, gt=0, le=1)

    def policy(self) -> BudgetPolicy:
        return BudgetPolicy(self.share_of_daily_limit, self.org_ceiling)


class SalesforceIngestSettings(BaseModel):
    objects: list[str] = Field(min_length=1)
    realtime: list[str] = []
    schedule: str = "7 * * * *"
    window: WindowSettings = WindowSettings()
    read: ReadSettings = ReadSettings()
    budget: BudgetSettings = BudgetSettings()

    @model_validator(mode="after")
    def _realtime_objects_are_ingested(self) -> SalesforceIngestSettings:
        unknown = set(self.realtime) - set(self.objects)
        if unknown:
            raise ValueError(f"realtime names objects that are not in objects: {sorted(unknown)}")
        return self


def load_salesforce_ingest_settings(path: Path = SALESFORCE_INGEST_FILE) -> SalesforceIngestSettings:
    return load_model(path, SalesforceIngestSettings)


def table_name(object_name: str) -> str:
    """The raw table (and dlt resource) name of an object: dlt's snake_case of the API name."""
    return object_name.lower().replace("__c", "_c")
