"""Fixed-width text files (ARBAL): columns at declared positions, overpunched signs and implied decimals.

Every line is one record of exactly `record_length` characters; a line of another length is quarantined
whole, a column whose text does not fit its type is quarantined and the record loads with it null.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from .columns import Column, TableBuilder, check_keep_as_text, decimal_type, two_digit_year_pivot
from .control_records import ControlTemplate, TrailerWatch
from .lines import physical_lines, printable, undecodable
from .profiles import DateRule, FixedColumn, FixedWidthProfile
from .records import CONTROL_RECORD, MALFORMED_RECORD, ReadBatch, RecordCounts, Rejection
from .settings import Feed
from .values import INVALID_ENCODING, INVALID_NUMBER, MAX_DIGITS, Rejected

BATCH_ROWS = 50_000


class FixedWidthFileReader:
    def __init__(self, path: Path, profile: FixedWidthProfile, feed: Feed) -> None:
        self.path = path
        self.profile = profile
        self.feed = feed
        check_keep_as_text(feed, {c.name for c in profile.columns if c.fixed_type.kind == "digits"}, path)
        self.columns = [self._column(column) for column in profile.columns]
        self.slices = [
            slice(column.start - 1, column.start - 1 + column.length) for column in profile.columns
        ]
        self.counts = RecordCounts(profile_records=profile.records)
        self._header = ControlTemplate.parse(profile.header_record) if profile.header_record else None
        self._trailer = ControlTemplate.parse(profile.trailer_record) if profile.trailer_record else None

    def batches(self, batch_rows: int = BATCH_ROWS) -> Iterator[ReadBatch]:
        builder = TableBuilder(self.columns)
        rejections: list[Rejection] = []
        trailer = TrailerWatch(self._trailer)
        last_line = 0
        for line in physical_lines(self.path, self.profile.encoding):
            text, last_line = line.content, line.number
            if line.number == 1 and self._header is not None:
                if self._header.match(text):
                    self.counts.header = text
                    continue
                rejections.append(
                    Rejection(
                        CONTROL_RECORD, f"line 1 is not the header record {self._header.text}", line_number=1
                    )
                )
            if not text.strip() or trailer.offer(line.number, text):
                continue
            displaced = trailer.displaced()
            if displaced is not None:
                self.counts.data_records += 1
                self.counts.rejected_records += 1
                rejections.append(displaced)
            self.counts.data_records += 1
            shown = text if line.clean else printable(text, self.profile.encoding)
            where = {"line_number": line.number, "record_number": self.counts.data_records, "raw": shown}
            if len(text) != self.profile.record_length:
                self.counts.rejected_records += 1
                reason = f"{len(text)} characters where records have {self.profile.record_length}"
                rejections.append(Rejection(MALFORMED_RECORD, reason, **where))
                continue
            values = []
            for column, positions in zip(self.columns, self.slices, strict=True):
                field = text[positions]
                try:
                    if not line.clean and undecodable(field):
                        raise Rejected(INVALID_ENCODING, f"bytes that are not {self.profile.encoding}")
                    values.append(column.convert(field))
                except Rejected as rejected:
                    values.append(None)
                    value = printable(field, self.profile.encoding)
                    rejections.append(
                        Rejection(rejected.rule, rejected.reason, column.source_name, value, **where)
                    )
            builder.add(values, self.counts.data_records, line.number)
            if len(builder) >= batch_rows:
                yield ReadBatch(builder.flush(), rejections)
                rejections = []
        self.counts.trailer_count, missing_trailer = trailer.finish(last_line)
        yield ReadBatch(builder.flush(), rejections + ([missing_trailer] if missing_trailer else []))

    def _column(self, column: FixedColumn) -> Column:
        kind = column.fixed_type
        if kind.kind == "text":
            return Column(column.name, pa.string(), lambda text: text.rstrip() or None)
        if kind.kind == "digits":
            keep_text = column.name in self.feed.keep_as_text
            return Column(
                column.name, pa.string() if keep_text else pa.int64(), _blank_or(_digits(keep_text))
            )
        if kind.kind == "overpunch":
            assert self.profile.overpunch is not None  # the profile model requires it for overpunched columns
            overpunch = self.profile.overpunch.overpunch()
            return Column(
                column.name,
                decimal_type(kind.scale),
                _blank_or(lambda text: overpunch.read(text, kind.scale)),
            )
        assert kind.date is not None
        pivot = two_digit_year_pivot(kind.date.format, self.feed, self.path, column.name)
        return Column(column.name, pa.date32(), _blank_or(_date(kind.date, pivot)))


def _blank_or(read: Callable[[str], Any]) -> Callable[[str], Any]:
    return lambda text: read(text) if text.strip() else None


def _digits(keep_text: bool) -> Callable[[str], int | str]:
    def read(text: str) -> int | str:
        if not text.isascii() or not text.isdigit():
            raise Rejected(INVALID_NUMBER, f"{text!r} is not an unsigned number (digits only)")
        if not keep_text and len(text.lstrip("0")) > MAX_DIGITS:
            raise Rejected(INVALID_NUMBER, f"{text!r} has more than {MAX_DIGITS} digits")
        return text if keep_text else int(text)

    return read


def _date(rule: DateRule, pivot: int | None) -> Callable[[str], Any]:
    def read(text: str) -> Any:
        if rule.zero_is_null and set(text) == {"0"}:
            return None
        return rule.format.read(text, pivot)

    return read
