"""Running a staged schema lazily and reading its failures as per-row violations and a readable sample."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import pandera.pandas as pa


class StructuralSchemaError(ValueError):
    """A staged table whose shape is wrong (a missing column, a wrong type): a mapping bug, not bad data."""


@dataclass(frozen=True)
class Violation:
    """One value of one staged row that fails a check; `column` is None for a check across columns."""

    source_key: str
    column: str | None
    check: str
    value: Any


def failure_cases(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> pd.DataFrame:
    """pandera's failure cases (empty when the frame passes), all checks evaluated."""
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        return errors.failure_cases
    return pd.DataFrame(columns=["schema_context", "column", "check", "failure_case", "index"])


def row_violations(schema: pa.DataFrameSchema, frame: pd.DataFrame, table: str) -> list[Violation]:
    cases = failure_cases(schema, frame)
    structural = cases[cases["index"].isna()]
    if not structural.empty:
        raise StructuralSchemaError(
            f"{table} does not have the shape of {schema.name}:\n{sample(structural)}"
        )
    return [
        Violation(
            str(frame.at[case["index"], "source_key"]),
            None
            if pd.isna(case["column"]) or case["schema_context"] == "DataFrameSchema"
            else str(case["column"]),
            str(case["check"]),
            None if pd.isna(case["failure_case"]) else case["failure_case"],
        )
        for _, case in cases.iterrows()
    ]


def sample(cases: pd.DataFrame, frame: pd.DataFrame | None = None, limit: int = 20) -> str:
    """The first failures as a markdown table, with the row's source_key when the frame is given."""
    shown = cases.head(limit).copy()
    if frame is not None and not shown.empty:
        shown.insert(
            0,
            "source_key",
            [frame.at[index, "source_key"] if not pd.isna(index) else "" for index in shown["index"]],
        )
    columns = [c for c in ("source_key", "column", "check", "failure_case") if c in shown.columns]
    return shown[columns].astype(str).to_markdown(index=False)
