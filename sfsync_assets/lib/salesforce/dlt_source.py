"""The dlt source of Salesforce objects: one merge-on-Id resource per object, typed from describe."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import dlt
import pyarrow as pa
from dlt.extract.source import DltSource

from .ingest_settings import table_name
from .shapes import ObjectShape

# Records of an object, as Arrow tables (dlt loads them without normalising row by row).
RecordsOf = Callable[[str], Iterator[pa.Table]]


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
            columns: dict[str, Any] = {"SystemModstamp": {"dedup_sort": "desc"}}
            if shape is not None:
                columns = {f.name: {"data_type": f.dlt_type, "nullable": True} for f in shape.fields}
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
