"""EBCDIC files: personal text fields (PIC X, DISPLAY) rewritten in place in the file's code page, blank-padded
to their length, so every record keeps its bytes elsewhere (packed and binary numbers untouched).

A REDEFINES area is masked in the view the profile says applies to the record (`CM-COUNTRY in ('US', 'CA')`):
the other view's fields overlap the same bytes and hold nothing of their own. Files whose copybook declares no
personal field are copied as they are. Personal fields in variable layouts (RDW records, OCCURS DEPENDING ON)
are not supported yet: such a file is refused rather than copied.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from ..copybook import Layout, LayoutRow, load_copybook
from ..legacy.profiles import EbcdicProfile, ViewCondition
from .columns import Kind, column_kind
from .errors import MaskingError
from .text_files import encodable
from .values import Masker


@dataclass(frozen=True)
class _Field:
    row: LayoutRow
    kind: Kind
    views: frozenset[str]  # REDEFINES views the field belongs to (all must apply to the record)


def _name(row: LayoutRow) -> str:
    return row.path.rsplit(".", 1)[-1]


def _personal_fields(layout: Layout, profile: EbcdicProfile) -> list[_Field]:
    views = {view for area in profile.redefines.values() for view in area}
    fields = []
    for row in layout.rows():
        if row.usage != "DISPLAY" or row.digits is not None or _name(row) in profile.redefines:
            continue
        kind = column_kind(_name(row))
        if kind is not None:
            fields.append(_Field(row, kind, frozenset(set(row.path.split(".")) & views)))
    return fields


def mask_ebcdic(masker: Masker, source: Path, profile: EbcdicProfile, copybook: Path, target: Path) -> int:
    layout = Layout(load_copybook(copybook))
    fields = _personal_fields(layout, profile)
    if not fields:
        shutil.copyfile(source, target)
        return 0
    if layout.is_variable or profile.record_format not in (None, "F", "FB"):
        raise MaskingError(
            f"{source.name}: personal fields {[_name(f.row) for f in fields]} in a variable-length layout; "
            "masking supports them in fixed-length (F/FB) files only"
        )
    encoding = profile.encoding or "cp037"
    length = profile.record_length or layout.record_length
    data = bytearray(source.read_bytes())
    if len(data) % length:
        raise MaskingError(f"{source.name}: {len(data)} bytes are not whole {length}-byte records")
    rows = {_name(row): row for row in layout.rows()}
    conditions = {area: profile.view_conditions()[area] for area in profile.redefines}
    blank = " ".encode(encoding)
    for start in range(0, len(data), length):
        record = data[start : start + length]
        applying = _applying_views(record, rows, conditions, encoding)
        for item in fields:
            if not item.views <= applying:
                continue
            row = item.row
            raw = bytes(record[row.offset : row.offset + row.length])
            text = raw.decode(encoding, "replace").rstrip()
            masked = encodable(masker.mask(item.kind, text), encoding).encode(encoding, "replace")
            record[row.offset : row.offset + row.length] = masked[: row.length].ljust(row.length, blank)
        data[start : start + length] = record
    target.write_bytes(bytes(data))
    return len(data) // length


def _applying_views(
    record: bytearray,
    rows: dict[str, LayoutRow],
    conditions: dict[str, dict[str, ViewCondition]],
    encoding: str,
) -> set[str]:
    """The view of each REDEFINES area that applies to this record: the first condition it meets."""
    applying = set()
    for views in conditions.values():
        for view, condition in views.items():
            if condition.field is None or condition.values is None:
                applying.add(view)
                break
            row = rows.get(condition.field)
            value = (
                "" if row is None else record[row.offset : row.offset + row.length].decode(encoding).strip()
            )
            if value in condition.values:
                applying.add(view)
                break
    return applying
