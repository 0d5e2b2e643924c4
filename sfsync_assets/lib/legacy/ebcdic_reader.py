"""Mainframe EBCDIC files through the copybook library, plus what the profile adds: dates, REDEFINES views.

The copybook decoder gives one column per elementary field and a `DecodeIssue` per field whose bytes do not
fit its PICTURE (that field is null, the record loads). On top of it:
- columns get short snake-case names (`CM-PAYMENTS(2).CM-PAY-DATE` → `cm_pay_date_2`);
- fields the profile lists under `dates` become dates (an impossible one is rejected like a bad field);
- of a REDEFINES area only the view the profile's condition selects keeps values for a record;
- a damaged end of file (a partial last record, an invalid RDW) is quarantined as one rejection with its byte
  offset, and every record before it loads.
Rejections carry the record number, the field's byte offset and the whole record in hex.
"""

from __future__ import annotations

import dataclasses
import re
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..copybook import (
    RECORD_NUMBER_COLUMN,
    RECORD_OFFSET_COLUMN,
    CopybookDecoder,
    CopybookError,
    DecodedBatch,
    DecodeIssue,
    DecodeOptions,
    RecordFormat,
    load_copybook,
)
from .columns import BYTE_OFFSET, RECORD_NUMBER, column_name, two_digit_year_pivot
from .errors import ProfileError
from .profiles import DateRule, EbcdicProfile, ViewCondition
from .records import MALFORMED_RECORD, UNDECODABLE_FIELD, ReadBatch, RecordCounts, Rejection
from .settings import Feed
from .values import INVALID_DATE, Rejected

_RDW = 4
_INDEX = re.compile(r"\((\d+)\)")


def field_name(path: str) -> str:
    """A copybook path without its 01-level record name: `CM-PAYMENTS(2).CM-PAY-DATE`."""
    parts = path.split(".")
    return ".".join(parts[1:]) if len(parts) > 1 else path


def _item_name(part: str) -> str:
    return _INDEX.sub("", part)


def column_names(paths: list[str]) -> dict[str, str]:
    """Snake-case column per field path: the item's own name plus OCCURS subscripts, or the whole path where
    two items would share a name."""
    short = {}
    for path in paths:
        name = field_name(path)
        subscripts = "".join(f"_{index}" for index in _INDEX.findall(name))
        short[path] = column_name(_item_name(name.split(".")[-1]) + subscripts)
    taken = list(short.values())
    return {
        path: name if taken.count(name) == 1 else column_name(field_name(path))
        for path, name in short.items()
    }


class EbcdicFileReader:
    def __init__(self, path: Path, profile: EbcdicProfile, feed: Feed, copybook_path: Path) -> None:
        assert feed.framing is not None and feed.code_page is not None  # the feed model requires them
        self.path = path
        self.profile = profile
        try:
            copybook = load_copybook(copybook_path)
            self.decoder = CopybookDecoder(copybook, DecodeOptions(encoding=feed.code_page))
        except (OSError, CopybookError) as error:
            raise ProfileError(f"{path.name}: cannot use copybook {copybook_path}: {error}") from error
        framing = feed.framing.spec()
        if framing.record_format is RecordFormat.F and framing.record_length is None:
            framing = dataclasses.replace(framing, record_length=self.decoder.record_length)
        self.framing = framing
        self.counts = RecordCounts(profile_records=profile.records)
        paths = self.decoder.schema.names[2:]
        self.names = column_names(paths)
        self.dates = _date_fields(profile.date_rules(), paths, self.decoder, path)
        self.pivots = {
            field: two_digit_year_pivot(rule.format, feed, path, field_name(field))
            for field, (rule, _) in self.dates.items()
        }
        self.views = RedefinedViews(profile.view_conditions(), paths, path)
        self._check_profile_agrees(feed, copybook_path)
        self.schema = pa.schema(
            [
                pa.field(self.names[p], pa.date32() if p in self.dates else self.decoder.schema.field(p).type)
                for p in paths
            ]
            + [
                pa.field(RECORD_NUMBER, pa.int64(), nullable=False),
                pa.field(BYTE_OFFSET, pa.int64(), nullable=False),
            ]
        )

    def batches(self) -> Iterator[ReadBatch]:
        size = self.path.stat().st_size
        intact, damage = self._intact_length(size)
        framing = dataclasses.replace(self.framing, file_end_offset=size - intact)
        with self.path.open("rb") as handle:
            for decoded in self.decoder.decode_file(self.path, framing):
                yield self._batch(decoded, handle)
        tail = []
        if damage is not None:
            self.counts.data_records += 1
            self.counts.rejected_records += 1
            tail.append(
                Rejection(
                    MALFORMED_RECORD, damage, record_number=self.counts.data_records, byte_offset=intact
                )
            )
        yield ReadBatch(self.schema.empty_table(), tail)

    def _batch(self, decoded: DecodedBatch, handle: BinaryIO) -> ReadBatch:
        table = decoded.table
        first = self.counts.data_records + 1
        self.counts.data_records += table.num_rows
        selected = self.views.selection(table)
        table = self.views.without_unselected(table, selected)
        offsets = table[RECORD_OFFSET_COLUMN].to_pylist()
        rejections = [
            self._issue_rejection(issue, self._record(handle, offsets[issue.record_number - first]))
            for issue in decoded.issues
            if self.views.applies(issue.field, issue.record_number - first, selected)
        ]
        columns = []
        for path in self.decoder.schema.names[2:]:
            if path in self.dates:
                column, rejected = self._dates(path, table, handle)
                columns.append(column)
                rejections += rejected
            else:
                columns.append(table[path])
        columns += [table[RECORD_NUMBER_COLUMN], table[RECORD_OFFSET_COLUMN]]
        rejections.sort(key=lambda rejection: (rejection.record_number or 0, rejection.byte_offset or 0))
        return ReadBatch(pa.Table.from_arrays(columns, schema=self.schema), rejections)

    @staticmethod
    def _issue_rejection(issue: DecodeIssue, record: bytes) -> Rejection:
        return Rejection(
            UNDECODABLE_FIELD,
            f"{issue.reason} in {field_name(issue.field)}",
            field_name(issue.field),
            issue.raw_hex,
            record_number=issue.record_number,
            byte_offset=issue.byte_offset,
            raw=record.hex().upper(),
        )

    def _dates(self, path: str, table: pa.Table, handle: BinaryIO) -> tuple[pa.Array, list[Rejection]]:
        rule, digits = self.dates[path]
        values, rejections, cache = [], [], {}
        numbers, offsets = table[RECORD_NUMBER_COLUMN].to_pylist(), table[RECORD_OFFSET_COLUMN].to_pylist()
        for raw, number, offset in zip(table[path].to_pylist(), numbers, offsets, strict=True):
            text = str(raw).zfill(digits) if isinstance(raw, int) else (raw or "").strip()
            if raw is None or not text or (rule.zero_is_null and set(text) == {"0"}):
                values.append(None)
                continue
            if text not in cache:
                try:
                    cache[text] = rule.format.read(text, self.pivots[path])
                except Rejected as rejected:
                    cache[text] = rejected
            value = cache[text]
            if isinstance(value, Rejected):
                values.append(None)
                record = self._record(handle, offset)
                rejections.append(
                    Rejection(
                        INVALID_DATE,
                        value.reason,
                        field_name(path),
                        text,
                        record_number=number,
                        byte_offset=offset + self._field_offset(record, path),
                        raw=record.hex().upper(),
                    )
                )
            else:
                values.append(value)
        return pa.array(values, type=pa.date32()), rejections

    def _field_offset(self, record: bytes, path: str) -> int:
        return next(row.offset for row in self.decoder.record_layout(record) if row.path == path)

    def _record(self, handle: BinaryIO, offset: int) -> bytes:
        if self.framing.record_format is RecordFormat.F:
            handle.seek(offset)
            return handle.read(self.framing.record_length or 0)
        handle.seek(offset - _RDW)
        length = self._rdw_length(handle.read(_RDW))
        return handle.read(length or 0)

    def _rdw_length(self, header: bytes) -> int | None:
        """Payload length of a valid RDW, None for an invalid one."""
        if len(header) < _RDW:
            return None
        length, reserved = struct.unpack(">HH" if self.framing.rdw_big_endian else "<HH", header)
        payload = length - (_RDW if self.framing.rdw_includes_header else 0)
        return None if reserved or length == 0 or payload < 0 else payload

    def _intact_length(self, size: int) -> tuple[int, str | None]:
        """How many leading bytes are whole records, and what is wrong with the rest (None: nothing)."""
        if self.framing.record_format is RecordFormat.F:
            length = self.framing.record_length or 1
            intact = size - size % length
            left = size - intact
            return (
                intact,
                f"{left} bytes at the end do not make a whole {length}-byte record" if left else None,
            )
        position = 0
        with self.path.open("rb") as handle:
            while position < size:
                header = handle.read(_RDW)
                payload = self._rdw_length(header)
                if payload is None:
                    return (
                        position,
                        f"invalid record descriptor word {header.hex().upper()}: the rest of the file cannot be "
                        "cut into records",
                    )
                if position + _RDW + payload > size:
                    return position, f"the last record announces {payload} bytes but the file ends first"
                handle.seek(payload, 1)
                position += _RDW + payload
        return position, None

    def _check_profile_agrees(self, feed: Feed, copybook_path: Path) -> None:
        """The profile and the feed configuration describe the same file, or reading would go wrong silently."""
        profile, problems = self.profile, []
        if profile.encoding and profile.encoding.lower() != (feed.code_page or "").lower():
            problems.append(f"encoding {profile.encoding} but the feed's code_page is {feed.code_page}")
        if profile.record_format and profile.record_format[0] != self.framing.record_format.value[0]:
            problems.append(
                f"record_format {profile.record_format} but the feed's framing is {self.framing.record_format}"
            )
        if (
            profile.record_length
            and self.framing.record_length
            and profile.record_length != self.framing.record_length
        ):
            problems.append(
                f"record_length {profile.record_length} but records are {self.framing.record_length} bytes"
            )
        if profile.copybook and profile.copybook != copybook_path.name:
            problems.append(f"copybook {profile.copybook} but the feed uses {copybook_path.name}")
        if problems:
            raise ProfileError(
                f"{self.path.name}: the profile disagrees with legacy_feeds.yaml: {'; '.join(problems)}"
            )


def _date_fields(
    rules: dict[str, DateRule], paths: list[str], decoder: CopybookDecoder, path: Path
) -> dict[str, tuple[DateRule, int]]:
    """Field path → (date rule, digits) for every field (each OCCURS element) named in the profile's dates."""
    digits = {row.path: row.digits or row.length for row in decoder.layout.rows()}
    fields = {}
    for name, rule in rules.items():
        matched = [p for p in paths if _item_name(p.split(".")[-1]) == name]
        if not matched:
            raise ProfileError(f"{path.name}: dates names {name}, which is not a field of the copybook")
        fields.update({p: (rule, digits[p]) for p in matched})
    return fields


class RedefinedViews:
    """Which view of each REDEFINES area holds a record's data, per the profile (`CM-COUNTRY in ('US', 'CA')`,
    `otherwise`): the other views' columns are nulled and their decode issues dropped for that record."""

    def __init__(self, areas: dict[str, dict[str, ViewCondition]], paths: list[str], path: Path) -> None:
        self.conditions: list[tuple[str, ViewCondition, str | None]] = []
        self.view_columns: dict[str, list[str]] = {}
        for area, views in areas.items():
            for view, condition in views.items():
                columns = [p for p in paths if view in map(_item_name, p.split("."))]
                if not columns:
                    raise ProfileError(
                        f"{path.name}: redefines.{area} names view {view}, which the copybook lacks"
                    )
                self.view_columns[view] = columns
                self.conditions.append((area, condition, self._field(condition, paths, path)))
        self.views = [view for views in areas.values() for view in views]

    @staticmethod
    def _field(condition: ViewCondition, paths: list[str], path: Path) -> str | None:
        if condition.field is None:
            return None
        matched = [p for p in paths if p.split(".")[-1] == condition.field]
        if len(matched) != 1:
            raise ProfileError(
                f"{path.name}: a redefines condition tests {condition.field}, not one copybook field"
            )
        return matched[0]

    def selection(self, table: pa.Table) -> dict[str, np.ndarray]:
        selected: dict[str, np.ndarray] = {}
        taken: dict[str, np.ndarray] = {}
        for view, (area, condition, field) in zip(self.views, self.conditions, strict=True):
            free = ~taken.get(area, np.zeros(table.num_rows, dtype=bool))
            if condition.values is None:
                chosen = free
            else:
                values = pc.fill_null(table[field], "").to_numpy(zero_copy_only=False)
                chosen = free & np.isin(values, list(condition.values))
            selected[view] = chosen
            taken[area] = ~free | chosen
        return selected

    def without_unselected(self, table: pa.Table, selected: dict[str, np.ndarray]) -> pa.Table:
        for view, columns in self.view_columns.items():
            mask = pa.array(selected[view])
            for column in columns:
                index = table.schema.get_field_index(column)
                nulls = pa.nulls(table.num_rows, table.schema.field(column).type)
                table = table.set_column(index, column, pc.if_else(mask, table[column], nulls))
        return table

    def applies(self, field_path: str, row: int, selected: dict[str, np.ndarray]) -> bool:
        return all(
            bool(selected[view][row]) for view in map(_item_name, field_path.split(".")) if view in selected
        )
