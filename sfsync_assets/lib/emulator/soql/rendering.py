"""Rows of a compiled SELECT rendered as REST records or Bulk 2.0 CSV cells.

The converters (`values.to_json` / `values.to_csv` bound to each column's field) and the nesting of parent
records are worked out once per query, so rendering a row is a loop over prepared entries: a million-row Bulk
query spends its time in SQLite, not here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

from ..schema import FieldDef
from ..values import to_csv, to_json
from .joins import ResolvedField

RecordRenderer = Callable[[Sequence[Any], str], dict[str, Any]]


def record_renderer(
    root_type: str,
    root_id_index: int,
    columns: Sequence[tuple[ResolvedField, int]],
    parent_id_indexes: Mapping[tuple[str, ...], int],
) -> RecordRenderer:
    """Renders `row` as `{"attributes": ..., "Id": ..., "Account": {"attributes": ..., "Name": ...}}`.

    Keys follow the SELECT order (a parent appears where its first field was selected); a parent whose Id is
    null renders as None. The second argument is the `/services/data/vXX.X/sobjects/` prefix of the urls.
    """
    root = _RecordNode(root_type, root_id_index)
    for resolved, index in columns:
        node = root
        for hop in resolved.hops:
            node = node.child(hop.relationships[-1], hop.object.name, parent_id_indexes[hop.relationships])
        node.entries.append((resolved.field.name, index, partial(to_json, resolved.field), None))
    return root.renderer()


def aggregate_renderer(columns: Sequence[tuple[str, FieldDef]]) -> RecordRenderer:
    """Renders `row` as `{"attributes": {"type": "AggregateResult"}, "expr0": ...}`.

    `columns` gives each result's key (`expr0`, an alias or a grouped field's name) and the field to render.
    """
    converters = [(key, index, partial(to_json, field)) for index, (key, field) in enumerate(columns)]

    def render(row: Sequence[Any], _sobjects_url: str) -> dict[str, Any]:
        record: dict[str, Any] = {"attributes": {"type": "AggregateResult"}}
        for key, index, convert in converters:
            record[key] = convert(row[index])
        return record

    return render


def csv_renderer(fields: Sequence[FieldDef]) -> Callable[[Sequence[Any]], list[str]]:
    """Renders the first `len(fields)` cells of `row` as Bulk 2.0 CSV strings (null → empty cell)."""
    converters = [partial(to_csv, field) for field in fields]

    def cells(row: Sequence[Any]) -> list[str]:
        return [convert(value) for convert, value in zip(converters, row, strict=False)]

    return cells


class _RecordNode:
    """One (root or parent) record of the rendered shape, with its entries in key order."""

    def __init__(self, type_name: str, id_index: int) -> None:
        self.type_name = type_name
        self.id_index = id_index
        self.entries: list[tuple[str, int, Callable[[Any], Any] | None, _RecordNode | None]] = []
        self.children: dict[str, _RecordNode] = {}

    def child(self, key: str, type_name: str, id_index: int) -> _RecordNode:
        if key not in self.children:
            self.children[key] = _RecordNode(type_name, id_index)
            self.entries.append((key, id_index, None, self.children[key]))
        return self.children[key]

    def renderer(self) -> Callable[[Sequence[Any], str], dict[str, Any] | None]:
        type_name, id_index = self.type_name, self.id_index
        entries = [
            (key, index, convert, child.renderer() if child else None)
            for key, index, convert, child in self.entries
        ]

        def render(row: Sequence[Any], sobjects_url: str) -> dict[str, Any] | None:
            record_id = row[id_index]
            if record_id is None:
                return None
            url = f"{sobjects_url}{type_name}/{record_id}"
            record: dict[str, Any] = {"attributes": {"type": type_name, "url": url}}
            for key, index, convert, child in entries:
                record[key] = child(row, sobjects_url) if child else convert(row[index])
            return record

        return render
