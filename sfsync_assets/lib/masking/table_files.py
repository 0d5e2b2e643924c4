"""Plain CSV tables without a profile (UTF-8, comma, header row), such as the generator's truth files: columns
masked by name, and a `detail` or `value` column masked as the kind of the row's `field` (a planted problem's
detail quotes the value it is about)."""

from __future__ import annotations

import csv
from pathlib import Path

from .columns import Kind, column_kind
from .values import Masker

_FIELD_VALUES = ("value", "detail")


def mask_table_csv(masker: Masker, source: Path, target: Path) -> int:
    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    if not rows:
        target.write_bytes(source.read_bytes())
        return 0
    header = rows[0]
    field = header.index("field") if "field" in header else None
    kinds: list[Kind | None] = [
        None if field is not None and name in _FIELD_VALUES else column_kind(name) for name in header
    ]
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows[1:]:
            field_kind = column_kind(row[field]) if field is not None and field < len(row) else None
            row_kinds = [
                field_kind if name in _FIELD_VALUES and field is not None else kind
                for name, kind in zip(header, kinds, strict=True)
            ]
            row_kinds += [Kind.TEXT] * (len(row) - len(row_kinds))
            writer.writerow(
                [
                    value if kind is None else masker.mask(kind, value)
                    for value, kind in zip(row, row_kinds, strict=False)
                ]
            )
    return len(rows) - 1
