"""Writing decoded batches to Parquet or JSON Lines, and quarantine entries to `<out>.errors.jsonl`."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from pathlib import Path
from typing import IO, Protocol

import pyarrow as pa
import pyarrow.parquet as pq

from .errors import DecodeConfigError
from .issues import DecodeIssue

OUTPUT_SUFFIXES = (".parquet", ".jsonl")


class TableWriter(Protocol):
    def write(self, table: pa.Table) -> None: ...

    def close(self) -> None: ...


def open_table_writer(path: Path, schema: pa.Schema) -> TableWriter:
    """A streaming writer chosen by the file suffix (.parquet or .jsonl)."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return pq.ParquetWriter(path, schema)
    if suffix == ".jsonl":
        return _JsonLinesWriter(path)
    raise DecodeConfigError(f"output {path} must end in one of {', '.join(OUTPUT_SUFFIXES)}")


class _JsonLinesWriter:
    """One JSON object per record. Decimals are written as exact JSON numbers, never through float."""

    def __init__(self, path: Path) -> None:
        self._stream: IO[str] = path.open("w", encoding="utf-8")

    def write(self, table: pa.Table) -> None:
        keys = [json.dumps(name) for name in table.column_names]
        for row in table.to_pylist():
            values = (_json_value(value) for value in row.values())
            self._stream.write(
                "{" + ", ".join(f"{key}: {value}" for key, value in zip(keys, values, strict=True)) + "}\n"
            )

    def close(self) -> None:
        self._stream.close()


def _json_value(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value)  # str() of a finite Decimal is valid JSON number syntax, digits intact
    if isinstance(value, float) and not math.isfinite(value):
        return "null"
    return json.dumps(value, ensure_ascii=False)


class IssueWriter:
    """Appends quarantine entries to `<out>.errors.jsonl`, creating the file only if there are any."""

    def __init__(self, output: Path) -> None:
        self.path = output.with_name(output.name + ".errors.jsonl")
        self.count = 0
        self._stream: IO[str] | None = None
        self.path.unlink(missing_ok=True)  # a stale file from an earlier run would look like new errors

    def write(self, issues: list[DecodeIssue]) -> None:
        if not issues:
            return
        if self._stream is None:
            self._stream = self.path.open("w", encoding="utf-8")
        for issue in issues:
            self._stream.write(json.dumps(issue.to_dict(), ensure_ascii=False) + "\n")
        self.count += len(issues)

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
