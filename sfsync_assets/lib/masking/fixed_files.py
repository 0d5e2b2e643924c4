"""Fixed-width text files: personal columns masked in place, padded or cut to their width, so every record
keeps its length and the profile still reads it; a line of the wrong length is masked whole as text."""

from __future__ import annotations

from pathlib import Path

from ..legacy.profiles import FixedWidthProfile
from .columns import Kind, column_kind
from .text_files import control_lines, encodable, lines
from .values import Masker


def fit(value: str, width: int) -> str:
    return value[:width].ljust(width)


def mask_fixed(masker: Masker, source: Path, profile: FixedWidthProfile, target: Path) -> int:
    text = source.read_bytes().decode(profile.encoding, "surrogateescape")
    head, body, tail = control_lines(lines(text), profile.header_record, profile.trailer_record)
    columns = [
        (slice(column.start - 1, column.start - 1 + column.length), kind)
        for column in profile.columns
        if column.fixed_type.kind == "text" and (kind := column_kind(column.name)) is not None
    ]
    masked_lines, records = [], 0
    for line in body:
        content = line.rstrip("\r\n")
        ending = line[len(content) :]
        if not content.strip():
            masked_lines.append(line)
            continue
        records += 1
        if len(content) != profile.record_length:
            masked_lines.append(encodable(masker.mask(Kind.TEXT, content), profile.encoding) + ending)
            continue
        characters = content
        for positions, kind in columns:
            field = characters[positions]
            masked = encodable(masker.mask(kind, field.rstrip()), profile.encoding)
            characters = (
                characters[: positions.start] + fit(masked, len(field)) + characters[positions.stop :]
            )
        masked_lines.append(characters + ending)
    target.write_bytes("".join(head + masked_lines + tail).encode(profile.encoding, "surrogateescape"))
    return records
