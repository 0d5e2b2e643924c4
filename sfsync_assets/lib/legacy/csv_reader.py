"""CSV exports read exactly as their profile declares: encoding and BOM, delimiter and quote, header and
trailer control records, date formats, decimal and thousands separators.

Quoted fields may span lines (only when the profile marks a column multiline); every record keeps the
physical line it starts on. A record with the wrong number of fields, or a quote that never closes, is
quarantined whole and reading goes on with the next line; a value that does not fit its column is quarantined
and the record loads with that field null.
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pyarrow as pa

from .columns import Column, TableBuilder, check_keep_as_text, decimal_type, two_digit_year_pivot
from .control_records import ControlTemplate, TrailerWatch
from .errors import UnreadableFileError
from .lines import PhysicalLine, physical_lines, printable, undecodable
from .profiles import CsvColumn, CsvProfile
from .records import CONTROL_RECORD, MALFORMED_RECORD, ReadBatch, RecordCounts, Rejection
from .settings import Feed
from .values import INVALID_CODE, INVALID_ENCODING, DecimalFormat, Rejected, read_integer

BATCH_ROWS = 50_000


@dataclass(frozen=True)
class LogicalRecord:
    """The physical lines of one CSV record; `broken` says why they are not a record."""

    lines: list[PhysicalLine]
    broken: str | None = None

    @property
    def first_line(self) -> int:
        return self.lines[0].number

    @property
    def text(self) -> str:
        return "".join(line.text for line in self.lines).rstrip("\r\n")

    @property
    def clean(self) -> bool:
        return all(line.clean for line in self.lines)


def still_quoted(text: str, quoted: bool, delimiter: str, quote: str) -> bool:
    """Whether a quoted field is open at the end of `text`. As RFC 4180 and Python's csv read it: a quote
    opens a field only at the field's start, and a doubled quote inside a quoted field is a literal quote."""
    if quote not in text:
        return quoted
    at_field_start, position = True, 0
    while position < len(text):
        char = text[position]
        if quoted:
            if char == quote:
                if text.startswith(quote, position + 1):
                    position += 1
                else:
                    quoted = False
            at_field_start = False
        elif char == quote and at_field_start:
            quoted, at_field_start = True, False
        else:
            at_field_start = char == delimiter
        position += 1
    return quoted


class CsvFileReader:
    def __init__(self, path: Path, profile: CsvProfile, feed: Feed) -> None:
        self.path = path
        self.profile = profile
        self.feed = feed
        self.columns = [self._column(column) for column in profile.columns]
        self.counts = RecordCounts(profile_records=profile.records)
        multiline = any(column.multiline for column in profile.columns)
        self.max_lines = feed.max_lines_per_record if multiline else 1
        self._header = ControlTemplate.parse(profile.header_record) if profile.header_record else None
        self._trailer = ControlTemplate.parse(profile.trailer_record) if profile.trailer_record else None
        self._file_rejections: list[Rejection] = []
        check_keep_as_text(
            feed, {column.name for column in profile.columns if column.type == "integer"}, path
        )

    def batches(self, batch_rows: int = BATCH_ROWS) -> Iterator[ReadBatch]:
        """Typed rows and rejections, `batch_rows` at a time; `counts` is complete once exhausted."""
        builder = TableBuilder(self.columns)
        rejections: list[Rejection] = []
        trailer = TrailerWatch(self._trailer)
        last_line = 0
        for record in self._data_records():
            last_line = record.lines[-1].number
            rejections += self._file_rejections
            self._file_rejections = []
            if (
                record.broken is None
                and len(record.lines) == 1
                and trailer.offer(record.first_line, record.text)
            ):
                continue
            displaced = trailer.displaced()
            if displaced is not None:
                rejections.append(self._count_rejected(displaced))
            self.counts.data_records += 1
            values = self._values(record, rejections)
            if values is not None:
                builder.add(values, self.counts.data_records, record.first_line)
            if len(builder) >= batch_rows:
                yield ReadBatch(builder.flush(), rejections)
                rejections = []
        self.counts.trailer_count, missing_trailer = trailer.finish(last_line)
        rejections += self._file_rejections + ([missing_trailer] if missing_trailer else [])
        yield ReadBatch(builder.flush(), rejections)

    def _count_rejected(self, rejection: Rejection) -> Rejection:
        """A record quarantined whole still counts as a data record of the file."""
        self.counts.data_records += 1
        self.counts.rejected_records += 1
        return replace(rejection, record_number=self.counts.data_records)

    def _values(self, record: LogicalRecord, rejections: list[Rejection]) -> list[Any] | None:
        number = self.counts.data_records
        where = {"line_number": record.first_line, "record_number": number, "raw": self._printable(record)}
        fields, problem = (None, record.broken) if record.broken else self._fields(record)
        if fields is not None and len(fields) != len(self.columns):
            problem = f"{len(fields)} fields where the profile has {len(self.columns)} columns"
        if problem is not None:
            self.counts.rejected_records += 1
            rejections.append(Rejection(MALFORMED_RECORD, problem, **where))
            return None
        values = []
        for column, text in zip(self.columns, fields, strict=True):
            try:
                if not record.clean and undecodable(text):
                    raise Rejected(INVALID_ENCODING, f"bytes that are not {self.profile.encoding}")
                values.append(column.convert(text))
            except Rejected as rejected:
                values.append(None)
                value = printable(text, self.profile.encoding)
                rejections.append(
                    Rejection(rejected.rule, rejected.reason, column.source_name, value, **where)
                )
        return values

    def _fields(self, record: LogicalRecord) -> tuple[list[str] | None, str | None]:
        profile = self.profile
        reader = csv.reader(
            (line.text for line in record.lines),
            delimiter=profile.delimiter,
            quotechar=profile.quote,
            strict=True,
        )
        try:
            rows = list(reader)
        except csv.Error as error:
            return None, f"malformed quoting: {error}"
        if len(rows) != 1:
            return None, f"{len(rows)} records where one was expected (stray quote or line break)"
        return rows[0], None

    def _printable(self, record: LogicalRecord) -> str:
        return record.text if record.clean else printable(record.text, self.profile.encoding)

    def _data_records(self) -> Iterator[LogicalRecord]:
        """Logical records after the header record and the column header row; blank lines are skipped."""
        lines = physical_lines(self.path, self.profile.encoding, strip_bom=self.profile.bom)
        if self._header is not None:
            first = next(lines, None)
            if first is not None and self._header.match(first.content):
                self.counts.header = first.content
            else:
                self._file_rejections.append(
                    Rejection(
                        CONTROL_RECORD, f"line 1 is not the header record {self._header.text}", line_number=1
                    )
                )
                lines = _pushed_back(first, lines)
        records = (record for record in self._logical_records(lines) if record.broken or record.text.strip())
        if self.profile.column_header_row:
            self._check_column_header(next(records, None))
        yield from records

    def _check_column_header(self, record: LogicalRecord | None) -> None:
        expected = [column.name for column in self.profile.columns]
        if record is None:
            raise UnreadableFileError(f"{self.path.name}: no column header row (the profile declares one)")
        names, problem = (None, record.broken) if record.broken else self._fields(record)
        if names != expected:
            raise UnreadableFileError(
                f"{self.path.name}, line {record.first_line}: the column header {names or problem} does not match "
                f"the profile's columns {expected}"
            )

    def _logical_records(self, lines: Iterator[PhysicalLine]) -> Iterator[LogicalRecord]:
        delimiter, quote = self.profile.delimiter, self.profile.quote
        pending: deque[PhysicalLine] = deque()
        current: list[PhysicalLine] = []
        quoted = False
        while True:
            line = pending.popleft() if pending else next(lines, None)
            if line is None and not current:
                return
            if line is not None:
                current.append(line)
                quoted = still_quoted(line.text, quoted, delimiter, quote)
                if not quoted:
                    yield LogicalRecord(current)
                    current = []
                    continue
                if len(current) < self.max_lines:
                    continue
            where = "before the end of the file" if line is None else f"within {self.max_lines} line(s)"
            yield LogicalRecord(
                current[:1], f"a quote opened on line {current[0].number} is not closed {where}"
            )
            pending.extendleft(reversed(current[1:]))  # read again: the broken quote may have swallowed them
            current, quoted = [], False

    def _column(self, column: CsvColumn) -> Column:
        profile, feed = self.profile, self.feed
        if column.type == "integer":
            keep_text = column.name in feed.keep_as_text
            return Column(column.name, pa.string() if keep_text else pa.int64(), _typed(_integer(keep_text)))
        if column.type == "decimal":
            assert column.scale is not None  # the profile model requires it
            number = DecimalFormat(profile.decimal_separator, profile.thousands_separator, column.scale)
            return Column(column.name, decimal_type(column.scale), _typed(number.read))
        if column.type == "date":
            date_format = profile.date_format(column)
            pivot = two_digit_year_pivot(date_format, feed, self.path, column.name)
            return Column(column.name, pa.date32(), _typed(lambda text: date_format.read(text, pivot)))
        if column.codes is not None:
            return Column(column.name, pa.string(), _coded(column.codes))
        return Column(column.name, pa.string(), lambda text: text or None)


def _typed(read: Callable[[str], Any]) -> Callable[[str], Any]:
    """Typed columns: blank text is a missing value, anything else must parse."""
    return lambda text: read(text) if text.strip() else None


def _integer(keep_text: bool) -> Callable[[str], int | str]:
    def read(text: str) -> int | str:
        number = read_integer(text)
        return text.strip() if keep_text else number

    return read


def _coded(codes: dict[str, str]) -> Callable[[str], str | None]:
    def read(text: str) -> str | None:
        if text and text not in codes:
            raise Rejected(INVALID_CODE, f"{text!r} is not one of the declared codes {sorted(codes)}")
        return text or None

    return read


def _pushed_back(line: PhysicalLine | None, lines: Iterator[PhysicalLine]) -> Iterator[PhysicalLine]:
    if line is not None:
        yield line
    yield from lines
