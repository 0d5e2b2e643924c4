"""Records → columns: batches of records become Arrow tables plus quarantine entries.

Columns are the copybook's elementary fields (FILLER excluded) by full path, every OCCURS element its own
column (`ORDER.LINES(2).SKU`), all REDEFINES views side by side, elements missing from a record (ODO) or
fields past the end of a short record null. Two leading columns tie rows to the file:
`_record_number` (1-based) and `_record_offset` (byte offset of the record's data).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from numpy.lib.stride_tricks import sliding_window_view

from .codepages import code_page
from .fields import DecodedColumn, DecodeOptions, Problem, decode_column, field_codec, primitive_array
from .framing import FramingSpec, RecordBatch, RecordFormat, Source, iter_batches
from .issues import DecodeIssue, reportable_failures
from .layout import Layout, LayoutRow, OccursProblem, PlacedField, Placement
from .parser import Copybook

RECORD_NUMBER_COLUMN = "_record_number"
RECORD_OFFSET_COLUMN = "_record_offset"


@dataclass(frozen=True)
class DecodedBatch:
    table: pa.Table
    issues: list[DecodeIssue]
    end_offset: int  # file offset just past the batch's last record, for progress reporting


class CopybookDecoder:
    """Decodes records laid out by one copybook.

    Fixed layouts are placed once; layouts with OCCURS DEPENDING ON are placed per batch (see layout.py).
    Either way every field is decoded for all records of a batch in one vectorised call.
    """

    def __init__(self, copybook: Copybook | Layout, options: DecodeOptions | None = None) -> None:
        self.layout = copybook if isinstance(copybook, Layout) else Layout(copybook)
        self.options = options or DecodeOptions()
        self.code_page = code_page(self.options.encoding)
        static = self.layout.place()
        self.static_placement = None if self.layout.is_variable else static
        self.codecs = {item.field: field_codec(item.field, self.options) for item in static.elementary()}
        columns = [item for item in static.elementary() if not item.field.is_filler]
        self.schema = pa.schema(
            [
                pa.field(RECORD_NUMBER_COLUMN, pa.int64(), nullable=False),
                pa.field(RECORD_OFFSET_COLUMN, pa.int64(), nullable=False),
            ]
            + [pa.field(item.path, self.codecs[item.field].arrow_type) for item in columns]
        )

    @property
    def record_length(self) -> int:
        """Longest record the copybook describes (ODO tables full)."""
        return self.layout.record_length

    def decode_file(self, source: Source, framing: FramingSpec) -> Iterator[DecodedBatch]:
        """Stream a data file; F/FB without a record length use the copybook's."""
        if framing.record_format in (RecordFormat.F, RecordFormat.FB) and framing.record_length is None:
            framing = dataclasses.replace(framing, record_length=self.record_length)
        name = str(source) if not hasattr(source, "read") else str(getattr(source, "name", "<stream>"))
        for batch in iter_batches(source, framing):
            if framing.record_format is RecordFormat.TEXT:
                batch = self._space_pad_lines(batch)
            yield self.decode_batch(batch, name)

    def _space_pad_lines(self, batch: RecordBatch) -> RecordBatch:
        """Text lines often lose their trailing blanks in transit: read a short line as if space-padded."""
        width = max(batch.data.shape[1], self.record_length)
        data = np.full((len(batch), width), self.code_page.space, dtype=np.uint8)
        present = np.arange(batch.data.shape[1]) < batch.lengths[:, None]
        data[:, : batch.data.shape[1]][present] = batch.data[present]
        lengths = np.maximum(batch.lengths, self.record_length)
        return RecordBatch(data, lengths, batch.offsets, batch.first_record_number)

    def decode_records(self, records: Sequence[bytes], source: str = "<records>") -> DecodedBatch:
        """Decode records that are already split (handy for tests and small inputs)."""
        return self.decode_batch(RecordBatch.from_records(records), source)

    def record_layout(self, record: bytes) -> list[LayoutRow]:
        """The layout as this record sees it: ODO tables at its counts, following fields moved."""
        return _BatchDecoder(self, RecordBatch.from_records([record]), "<record>").placement.rows(0)

    def decode_batch(self, batch: RecordBatch, source: str = "<records>") -> DecodedBatch:
        return _BatchDecoder(self, batch, source).run()


class _BatchDecoder:
    """Decodes one batch: places fields, decodes each column, collects issues."""

    def __init__(self, decoder: CopybookDecoder, batch: RecordBatch, source: str) -> None:
        self.decoder = decoder
        self.batch = batch
        self.source = source
        width = decoder.layout.record_length
        data = batch.data
        if data.shape[1] < width:  # short records: pad so every slice exists; `lengths` keeps them null
            data = np.pad(data, ((0, 0), (0, width - data.shape[1])))
        self.data = data
        self.columns: dict[str, DecodedColumn] = {}
        static = decoder.static_placement
        self.placement: Placement = static if static is not None else decoder.layout.place(self._read_counter)

    def run(self) -> DecodedBatch:
        decoder = self.decoder
        rows = len(self.batch)
        failures: dict[str, np.ndarray] = {}
        fields = [item for item in self.placement.elementary() if not item.field.is_filler]
        for item in fields:
            column = self._decode(item)
            if column.problems is not None:
                failures[item.path] = column.problems != Problem.NONE
        arrays = [
            primitive_array(self.batch.record_numbers, pa.int64()),
            primitive_array(self.batch.offsets.astype(np.int64), pa.int64()),
        ]
        for schema_field in list(decoder.schema)[2:]:
            column = self.columns.get(schema_field.name)
            arrays.append(column.array if column is not None else pa.nulls(rows, schema_field.type))
        table = pa.Table.from_arrays(arrays, schema=decoder.schema)
        issues = self._counter_issues()
        if failures:
            by_path = {item.path: item for item in fields}
            for path, rows_to_report in reportable_failures(fields, failures).items():
                issues += self._field_issues(by_path[path], rows_to_report)
        issues.sort(key=lambda issue: (issue.record_number, issue.byte_offset))
        end_offset = int(self.batch.offsets[-1] + self.batch.lengths[-1]) if rows else 0
        return DecodedBatch(table, issues, end_offset)

    def _decode(self, item: PlacedField) -> DecodedColumn:
        if item.path not in self.columns:
            block, usable = self._block(item)
            decoder = self.decoder
            self.columns[item.path] = decode_column(
                decoder.codecs[item.field], block, usable, decoder.code_page, decoder.options
            )
        return self.columns[item.path]

    def _block(self, item: PlacedField) -> tuple[np.ndarray, np.ndarray]:
        """The item's bytes for every record, and which records actually hold it."""
        offset, length = item.offset, int(item.length)
        if isinstance(offset, int):
            block = self.data[:, offset : offset + length]
        else:
            # Per-record offsets: index whole windows of the flattened batch, one index per record.
            rows, width = self.data.shape
            starts = np.arange(rows) * width + np.clip(offset, 0, width - length)
            block = sliding_window_view(self.data.reshape(-1), length)[starts]
        usable = self.batch.lengths >= offset + length
        if item.active is not None:
            usable &= item.active
        return block, usable

    def _read_counter(self, item: PlacedField) -> tuple[np.ndarray, np.ndarray]:
        array = self._decode(item).array.cast(pa.int64(), safe=False)
        validity, data = array.buffers()
        rows = len(array)
        values = np.frombuffer(data, dtype=np.int64, count=rows, offset=8 * array.offset)
        if validity is None:
            return values, np.ones(rows, dtype=bool)
        bits = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little")
        return values, bits[array.offset : array.offset + rows].astype(bool)

    def _field_issues(self, item: PlacedField, rows_to_report: np.ndarray) -> list[DecodeIssue]:
        problems = self.columns[item.path].problems
        assert problems is not None
        return [
            self._issue(item, int(row), Problem(int(problems[row])).message)
            for row in np.flatnonzero(rows_to_report)
        ]

    def _counter_issues(self) -> list[DecodeIssue]:
        issues = []
        for problem in self.placement.problems:
            for row, value, readable in zip(problem.rows, problem.values, problem.readable, strict=True):
                issues.append(
                    self._issue(problem.counter, int(row), _occurs_reason(problem, value, readable))
                )
        return issues

    def _issue(self, item: PlacedField, row: int, reason: str) -> DecodeIssue:
        offset = item.offset if isinstance(item.offset, int) else int(item.offset[row])
        length = int(item.length)
        raw = self.data[row, offset : offset + length].tobytes()
        return DecodeIssue(
            file=self.source,
            record_number=self.batch.first_record_number + row,
            byte_offset=int(self.batch.offsets[row]) + offset,
            field=item.path,
            raw_hex=raw.hex().upper(),
            reason=reason,
        )


def _occurs_reason(problem: OccursProblem, value: int, readable: bool) -> str:
    occurs = problem.occurs
    if not readable:
        return f"unreadable counter of {problem.table_path}; read {occurs.min_count} elements"
    used = min(max(int(value), occurs.min_count), occurs.max_count)
    return (
        f"counter value {value} outside OCCURS {occurs.min_count} TO {occurs.max_count} of "
        f"{problem.table_path}; read {used} elements"
    )
