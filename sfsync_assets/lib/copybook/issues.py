"""Quarantine entries: which field of which record could not be decoded, and where its bytes are.

A REDEFINES area holds one of several alternative views of the same bytes, and for any given record the
other views are usually garbage (a text area read as packed decimal). Reporting those would quarantine
every record, so a failing alternative is only reported when no alternative of its area decoded
cleanly for that record. The failing values are null either way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

import numpy as np
import pyarrow as pa

from .layout import PlacedField


@dataclass(frozen=True)
class DecodeIssue:
    """One field of one record that could not be decoded (its value is null in the output)."""

    file: str
    record_number: int
    byte_offset: int  # of the field's first byte in the file
    field: str  # path, e.g. CUSTOMER.ADDRESS(2).LINE
    raw_hex: str
    reason: str

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


ISSUE_SCHEMA = pa.schema(
    [
        ("file", pa.string()),
        ("record_number", pa.int64()),
        ("byte_offset", pa.int64()),
        ("field", pa.string()),
        ("raw_hex", pa.string()),
        ("reason", pa.string()),
    ]
)


def issues_table(issues: Iterable[DecodeIssue]) -> pa.Table:
    """Issues as an Arrow table, ready for a quarantine table."""
    return pa.Table.from_pylist([issue.to_dict() for issue in issues], schema=ISSUE_SCHEMA)


@dataclass
class _Alternative:
    """One view of a REDEFINES area: its own fields and the areas nested in it."""

    paths: list[str] = field(default_factory=list)
    areas: dict[str, dict[int, _Alternative]] = field(default_factory=dict)


def reportable_failures(
    items: Iterable[PlacedField], failures: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Per failing field path, the records whose failure should be reported (see module docstring)."""
    items = [item for item in items if item.path in failures or item.alternatives]
    if not any(item.alternatives for item in items if item.path in failures):
        return failures
    root = _Alternative()
    for item in items:
        node = root
        for key, index in item.alternatives:
            node = node.areas.setdefault(key, {}).setdefault(index, _Alternative())
        node.paths.append(item.path)
    records = len(next(iter(failures.values())))
    report: dict[str, np.ndarray] = {}
    ok_cache: dict[int, np.ndarray] = {}

    def clean(alternative: _Alternative) -> np.ndarray:
        """Records for which every field of this alternative decoded (some view of nested areas did)."""
        if id(alternative) not in ok_cache:
            result = np.ones(records, dtype=bool)
            for path in alternative.paths:
                if path in failures:
                    result &= ~failures[path]
            for area in alternative.areas.values():
                result &= np.logical_or.reduce([clean(view) for view in area.values()])
            ok_cache[id(alternative)] = result
        return ok_cache[id(alternative)]

    def collect(alternative: _Alternative, reported: np.ndarray) -> None:
        for path in alternative.paths:
            if path in failures:
                report[path] = failures[path] & reported
        for area in alternative.areas.values():
            some_view_clean = np.logical_or.reduce([clean(view) for view in area.values()])
            for view in area.values():
                collect(view, reported & ~some_view_clean)

    collect(root, np.ones(records, dtype=bool))
    return report
