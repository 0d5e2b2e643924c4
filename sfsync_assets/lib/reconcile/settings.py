"""The monitoring configuration (`config/reconcile.yaml`), validated on load."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pydantic import BaseModel, Field, model_validator

from ..config.files import CONFIG_DIR, load_model

RECONCILE_FILE = CONFIG_DIR / "reconcile.yaml"


class SalesforceReconcileSettings(BaseModel):
    targets: list[str] = Field(min_length=1)
    watch_formula_fields: bool = True
    schedule: str = "37 * * * *"


class ErpComparison(BaseModel):
    staged_table: str = Field(pattern=r"^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$")
    key: str


class DriftSettings(BaseModel):
    max_drifted_share: float = Field(0.01, ge=0, le=1)


class FreshnessWindow(BaseModel):
    warn_minutes: int = Field(gt=0)
    fail_minutes: int = Field(gt=0)

    @model_validator(mode="after")
    def _warns_before_failing(self) -> FreshnessWindow:
        if self.warn_minutes >= self.fail_minutes:
            raise ValueError(
                f"warn_minutes ({self.warn_minutes}) must be below fail_minutes ({self.fail_minutes})"
            )
        return self


class HeartbeatSettings(BaseModel):
    assets: str = Field(pattern=r"^[a-z_][a-z0-9_]*(/[a-z_][a-z0-9_]*)*$", description="asset key prefix")
    sla_minutes: int = Field(gt=0)

    @property
    def prefix(self) -> list[str]:
        return self.assets.split("/")

    @property
    def sla(self) -> timedelta:
        return timedelta(minutes=self.sla_minutes)


class LagSettings(BaseModel):
    window_hours: int = Field(24, gt=0)
    sla_minutes: int = Field(60, gt=0)

    @property
    def window(self) -> timedelta:
        return timedelta(hours=self.window_hours)

    @property
    def sla(self) -> timedelta:
        return timedelta(minutes=self.sla_minutes)


class HealthSettings(BaseModel):
    heartbeat_schedule: str = "*/15 * * * *"
    max_error_rate: float = Field(0.01, ge=0, le=1)
    report_dir: str = "reports"
    schedule: str = "47 * * * *"
    ui_url: str = Field("http://127.0.0.1:3000", pattern=r"^https?://")
    failed_checks_hours: int = Field(24, gt=0)

    @property
    def failed_checks_window(self) -> timedelta:
        return timedelta(hours=self.failed_checks_hours)


class ReconcileSettings(BaseModel):
    sample_size: int = Field(20, ge=1)
    salesforce: SalesforceReconcileSettings
    erp: dict[str, ErpComparison] = {}
    drift: DriftSettings = DriftSettings()
    freshness: dict[str, FreshnessWindow] = {}
    heartbeats: dict[str, HeartbeatSettings] = {}
    lag: LagSettings = LagSettings()
    health: HealthSettings = HealthSettings()


def load_reconcile_settings(path: Path = RECONCILE_FILE) -> ReconcileSettings:
    return load_model(path, ReconcileSettings)
