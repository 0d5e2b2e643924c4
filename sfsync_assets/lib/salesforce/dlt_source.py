"""The dlt source of Salesforce objects: one merge-on-Id resource per object, typed from describe."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import dlt
import pyarrow as pa
from dlt.extract.source import DltSource

from .ingest_settings import table_name
from .shapes import FieldShape, ObjectShape

# Records of an object, as Arrow tables (dlt loads them without normalising row by row).
RecordsOf = Callable[[str], Iterator[pa.Table]]
# Salesforce datetimes are instants: TIMESTAMPTZ at DuckDB's own precision (microseconds). dlt's DuckDB
# destination cannot give a TIMESTAMPTZ any other precision (it warns per column and table, then drops it), so the
# Arrow tables carry microseconds too (`shapes.ARROW_TYPES`) and the hint agrees with them.
TIMESTAMP_HINT = {"timezone": True, "precision": 6}


def column_hint(field: FieldShape) -> dict[str, Any]:
    """dlt's column hint for a field: its type from describe; datetimes as instants (`TIMESTAMP_HINT`)."""
    hint: dict[str, Any] = {"data_type": field.dlt_type, "nullable": True}
    if field.dlt_type == "timestamp":
        hint.update(TIMESTAMP_HINT)
    return hint


def _not_bound(object_name: str) -> Iterator[pa.Table]:
    raise RuntimeError(f"the Salesforce source for {object_name} was built without a reader")
    yield pa.table({})  # pragma: no cover - makes this a generator


def salesforce_source(
    objects: list[str], records_of: RecordsOf | None = None, shapes: dict[str, ObjectShape] | None = None
) -> DltSource:
    """Resources named after each object's raw table; `records_of` and `shapes` are bound at run time."""

    @dlt.source(name="salesforce", max_table_nesting=0)
    def source():
        for object_name in objects:
            shape = (shapes or {}).get(object_name)
            columns: dict[str, Any] = {"SystemModstamp": {"dedup_sort": "desc", **TIMESTAMP_HINT}}
            if shape is not None:
                columns = {f.name: column_hint(f) for f in shape.fields}
                columns["SystemModstamp"]["dedup_sort"] = "desc"
            rows = records_of(object_name) if records_of is not None else _not_bound(object_name)
            yield dlt.resource(
                rows,
                name=table_name(object_name),
                primary_key="Id",
                write_disposition="merge",
                columns=columns,
            )

    return source()
