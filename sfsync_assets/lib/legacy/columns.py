"""Output columns of the text readers: a converter per column, collected row by row into Arrow batches."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from .errors import ProfileError
from .settings import Feed
from .values import MAX_DIGITS, DateFormat

RECORD_NUMBER = "_record_number"  # 1-based among the data records of the file
LINE_NUMBER = "_line_number"  # physical line the record starts on (text files)
BYTE_OFFSET = "_byte_offset"  # where the record's data starts in the file (binary files)
TEXT_LINEAGE = (
    pa.field(RECORD_NUMBER, pa.int64(), nullable=False),
    pa.field(LINE_NUMBER, pa.int64(), nullable=False),
)


def column_name(source_name: str) -> str:
    """The DuckDB name of a source column: lower snake case (`CREDIT_LIMIT` → `credit_limit`)."""
    return re.sub(r"[^a-z0-9]+", "_", source_name.lower()).strip("_")


def decimal_type(scale: int) -> pa.DataType:
    return pa.decimal128(MAX_DIGITS, scale)


@dataclass(frozen=True)
class Column:
    """`convert` turns the field's text into the typed value (None when empty) or raises `Rejected`."""

    source_name: str
    arrow_type: pa.DataType
    convert: Callable[[str], Any]

    @property
    def name(self) -> str:
        return column_name(self.source_name)


class TableBuilder:
    def __init__(self, columns: Sequence[Column]) -> None:
        self.schema = pa.schema([pa.field(c.name, c.arrow_type) for c in columns] + list(TEXT_LINEAGE))
        self._values: list[list[Any]] = [[] for _ in self.schema]

    def __len__(self) -> int:
        return len(self._values[0])

    def add(self, values: Sequence[Any], record_number: int, line_number: int) -> None:
        for column, value in zip(self._values, (*values, record_number, line_number), strict=True):
            column.append(value)

    def flush(self) -> pa.Table:
        arrays = [
            pa.array(values, type=field.type) for values, field in zip(self._values, self.schema, strict=True)
        ]
        self._values = [[] for _ in self.schema]
        return pa.Table.from_arrays(arrays, schema=self.schema)


def check_keep_as_text(feed: Feed, integer_columns: Collection[str], path: Path) -> None:
    """`keep_as_text` may only name integer columns of the profile: anything else is a configuration mistake."""
    for name in feed.keep_as_text:
        if name not in integer_columns:
            raise ProfileError(
                f"{path.name}: keep_as_text names {name}, which the profile does not declare as an integer column"
            )


def two_digit_year_pivot(date_format: DateFormat, feed: Feed, path: Path, column: str) -> int | None:
    """The feed's pivot, required when the declared format has a two-digit year: the century is never guessed."""
    if date_format.two_digit_year and feed.two_digit_year_pivot is None:
        raise ProfileError(
            f"{path.name}: column {column} has two-digit years ({date_format.text}) but the feed sets no "
            "two_digit_year_pivot in legacy_feeds.yaml"
        )
    return feed.two_digit_year_pivot
