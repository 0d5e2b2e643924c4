"""Previews and samples for Dagster's metadata that show no personal value.

Metadata lives in Dagster's event log, which an erasure cannot reach, so a preview of a table or a sample of
failing rows shows keys and non-personal columns as they are and a personal value only as `REDACTED`: whoever
needs the value follows the key into the warehouse, where a forget request can still erase it. Which field is
personal is decided in one place: the canonical model's `personal` flag for canonical fields (staged, golden,
conflicts, provenance, reconciliation and drift speak canonical or Salesforce names), and the masking
vocabulary's reading of a column name for anything else (raw tables, source field names).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from ..canonical.model import ORGANIZATION, PERSON, Column
from ..masking.columns import column_kind

REDACTED = "•••"
_MODELS: dict[str, tuple[Column, ...]] = {"organization": ORGANIZATION, "person": PERSON}


def is_personal(field: str, entity: str | None = None) -> bool:
    """Whether `field` holds personal values. A field prefixed with its entity (`person.Email`, as the
    quarantine names them) is read as that entity's; without an entity, a field personal in either shape is."""
    prefix, _, name = field.rpartition(".")
    entity = prefix if prefix in _MODELS else entity
    models = [_MODELS[entity]] if entity in _MODELS else list(_MODELS.values())
    known = [column.personal for model in models for column in model if column.name == name]
    return any(known) if known else column_kind(name) is not None


def _hidden(value: Any) -> Any:
    return value if value is None or (not isinstance(value, list | tuple) and pd.isna(value)) else REDACTED


def redacted_columns(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """The frame with every value of `columns` hidden (empty values stay empty)."""
    shown = frame.copy()
    for column in set(columns) & set(shown.columns):
        shown[column] = shown[column].astype(object).map(_hidden)
    return shown


def redacted(frame: pd.DataFrame, entity: str | None = None) -> pd.DataFrame:
    """The frame with every value of its personal columns hidden."""
    return redacted_columns(
        frame, [str(column) for column in frame.columns if is_personal(str(column), entity)]
    )


def redacted_by_field(
    frame: pd.DataFrame,
    value_columns: Iterable[str],
    field_column: str = "field",
    entity: str | None = None,
    entity_column: str | None = None,
) -> pd.DataFrame:
    """The frame with `value_columns` hidden on rows whose `field_column` names a personal field of `entity` (or
    of the row's `entity_column`): a sample of failures or conflicts, one row per field, values in common columns."""
    shown = frame.copy()
    if shown.empty:
        return shown
    entities = shown[entity_column] if entity_column else [entity] * len(shown)
    personal = [
        isinstance(field, str) and is_personal(field, entity)
        for field, entity in zip(shown[field_column], entities, strict=True)
    ]
    for column in value_columns:
        shown[column] = [
            _hidden(value) if hide else value for value, hide in zip(shown[column], personal, strict=True)
        ]
    return shown


def redacted_rows(
    rows: Sequence[Mapping[str, Any]], value_columns: Iterable[str], field_column: str = "field"
) -> list[dict[str, Any]]:
    """`redacted_by_field` for rows held as mappings (the monitoring samples)."""
    hidden = set(value_columns)
    return [
        {
            column: _hidden(value) if column in hidden and is_personal(str(row[field_column])) else value
            for column, value in row.items()
        }
        for row in rows
    ]


def markdown_preview(frame: pd.DataFrame) -> str:
    """A (redacted) frame as the markdown table a metadata entry shows, `none` when empty."""
    return frame.astype(str).to_markdown(index=False) if len(frame) else "none"
