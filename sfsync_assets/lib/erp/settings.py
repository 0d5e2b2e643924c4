"""The ERP ingest configuration (`config/erp_ingest.yaml`), validated on load."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from ..config.files import CONFIG_DIR, load_model

ERP_INGEST_FILE = CONFIG_DIR / "erp_ingest.yaml"

SNAKE_CASE = re.compile(r"[a-z_][a-z0-9_]*")


def _snake_case(name: str) -> str:
    """dlt keeps lower snake_case names unchanged, so raw DuckDB tables and columns carry the ERP's own names."""
    if not SNAKE_CASE.fullmatch(name):
        raise ValueError(f"{name!r} must be lower snake_case (a-z, 0-9, _), the name dlt gives it in DuckDB")
    return name


def _cron(expression: str) -> str:
    if len(expression.split()) != 5:
        raise ValueError(f"{expression!r} must be a five-field cron expression such as '17 * * * *'")
    return expression


SnakeCaseName = Annotated[str, AfterValidator(_snake_case)]
CronExpression = Annotated[str, AfterValidator(_cron)]


class ErpTable(BaseModel):
    """How one ERP table is read: merged on `primary_key`, incrementally on `cursor_column`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str = Field(min_length=1)
    primary_key: list[SnakeCaseName] = Field(min_length=1)
    cursor_column: SnakeCaseName = "updated_at"
    text_columns: list[SnakeCaseName] = []

    @property
    def columns(self) -> set[str]:
        """Every column the configuration names; each must exist in the ERP table."""
        return {*self.primary_key, self.cursor_column, *self.text_columns}


class ErpIngestSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schedule: CronExpression
    # At least 1: without a lookback dlt skips rows at the boundary timestamp by key, missing later edits.
    lookback_seconds: int = Field(ge=1)
    tables: dict[SnakeCaseName, ErpTable] = Field(min_length=1)

    @model_validator(mode="after")
    def _cursor_is_not_a_text_column(self) -> ErpIngestSettings:
        for name, table in self.tables.items():
            if table.cursor_column in table.text_columns:
                raise ValueError(
                    f"tables.{name}: cursor_column {table.cursor_column!r} cannot also be in text_columns "
                    "(the cursor is compared as a timestamp)"
                )
        return self


def load_erp_ingest_settings(path: Path = ERP_INGEST_FILE) -> ErpIngestSettings:
    return load_model(path, ErpIngestSettings)
