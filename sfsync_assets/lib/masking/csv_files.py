"""Legacy CSV exports rewritten with their own dialect (encoding, BOM, delimiter, quote, line ends, control
records), so the masked file loads with the unchanged `.profile.yaml` beside it.

A column's kind comes from its profile type (`phone`) or its name; a record with the wrong number of fields
(the reader would quarantine it) has every field masked as text, so a broken line cannot leak what it holds.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

from ..legacy.profiles import CsvProfile
from .columns import Kind, column_kind
from .text_files import control_lines, encodable, lines
from .values import Masker


def mask_csv(masker: Masker, source: Path, profile: CsvProfile, target: Path) -> int:
    """Mask `source` into `target`; returns the number of data records."""
    text = source.read_bytes().decode(profile.encoding, "surrogateescape")
    if profile.bom:
        text = text.removeprefix(codecs.BOM_UTF8.decode("utf-8"))
    head, body, tail = control_lines(lines(text), profile.header_record, profile.trailer_record)
    kinds = [Kind.PHONE if column.type == "phone" else column_kind(column.name) for column in profile.columns]
    out = io.StringIO(newline="")
    writer = csv.writer(
        out,
        delimiter=profile.delimiter,
        quotechar=profile.quote,
        lineterminator="\r\n" if profile.line_terminator == "CRLF" else "\n",
    )
    rows = csv.reader(body, delimiter=profile.delimiter, quotechar=profile.quote, strict=False)
    records = 0
    for index, row in enumerate(rows):
        if not row or (index == 0 and profile.column_header_row):
            writer.writerow(row)
            continue
        records += 1
        row_kinds = kinds if len(row) == len(kinds) else [Kind.TEXT] * len(row)
        writer.writerow(
            [
                field if kind is None else encodable(masker.mask(kind, field), profile.encoding)
                for field, kind in zip(row, row_kinds, strict=True)
            ]
        )
    masked = "".join(head) + out.getvalue() + "".join(tail)
    prefix = codecs.BOM_UTF8 if profile.bom else b""
    target.write_bytes(prefix + masked.encode(profile.encoding, "surrogateescape"))
    return records
