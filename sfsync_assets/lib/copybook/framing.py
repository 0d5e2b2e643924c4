"""Cutting a data file into records: fixed length, RDW or BDW+RDW variable length, or text lines.

The file is streamed `batch_bytes` at a time, so files larger than memory work. Each batch is one 2-D
uint8 array (records × longest record), the shape the decoder slices column-wise; every record keeps
its 1-based record number and the byte offset of its first data byte in the file (after any RDW), which
is what quarantine entries point at.

Record descriptor words: a V record starts with 4 bytes, a 2-byte length then 2 zero bytes (a non-zero
second half would mean spanned records, which are rejected). A VB block starts with a block descriptor of
the same shape (or, big-endian only, an extended BDW: high bit set, 31-bit length). `rdw_big_endian`
and `rdw_includes_header` apply to both words. IBM writes big-endian lengths that include the 4 header
bytes (set `rdw_includes_header`); the default, payload-only lengths, follows Cobrix's default.

Hand-written rather than taken from a copybook package on PyPI, for the reasons in the package docstring.
"""

from __future__ import annotations

import contextlib
import os
import struct
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import BinaryIO

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .errors import DecodeConfigError, FramingError

Source = str | os.PathLike[str] | BinaryIO
_HEADER = 4
_EXTENDED_BDW = 0x80000000


class RecordFormat(StrEnum):
    F = "F"  # fixed length
    FB = "FB"  # fixed length, blocked: the same byte stream once the file has left the mainframe
    V = "V"  # each record preceded by an RDW
    VB = "VB"  # blocks preceded by a BDW, each holding RDW records
    TEXT = "TEXT"  # one record per line (LF or CRLF); empty lines are skipped


@dataclass(frozen=True)
class FramingSpec:
    """How records are laid out in the file.

    `record_length` is required for F/FB (the decoder fills it from the copybook when left out).
    `file_start_offset` / `file_end_offset` skip a header / trailer of that many bytes.
    """

    record_format: RecordFormat
    record_length: int | None = None
    rdw_big_endian: bool = True
    rdw_includes_header: bool = False
    file_start_offset: int = 0
    file_end_offset: int = 0
    batch_bytes: int = 8 * 1024 * 1024


@dataclass(frozen=True)
class RecordBatch:
    """Consecutive records as one (records × width) uint8 array.

    A row holds its record in its first `lengths[row]` bytes; bytes past that are not part of the record
    (they are whatever followed it, or zero), and the decoder treats fields there as missing.
    """

    data: np.ndarray
    lengths: np.ndarray  # int64 bytes of each record actually present in `data`
    offsets: np.ndarray  # int64 byte offset in the file of each record's first data byte
    first_record_number: int

    def __len__(self) -> int:
        return len(self.lengths)

    @property
    def record_numbers(self) -> np.ndarray:
        return np.arange(self.first_record_number, self.first_record_number + len(self), dtype=np.int64)

    def record(self, index: int) -> bytes:
        return self.data[index, : self.lengths[index]].tobytes()

    @classmethod
    def from_records(cls, records: Sequence[bytes], first_record_number: int = 1) -> RecordBatch:
        """A batch from records already split (offsets as if they were stored back to back)."""
        lengths = np.array([len(record) for record in records], dtype=np.int64)
        width = int(lengths.max(initial=0))
        data = np.zeros((len(records), width), dtype=np.uint8)  # zero-filled past each record's end
        for row, record in enumerate(records):
            data[row, : len(record)] = np.frombuffer(record, dtype=np.uint8)
        offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        return cls(data, lengths, offsets, first_record_number)


@dataclass(frozen=True)
class Record:
    number: int
    offset: int
    data: bytes


def iter_records(source: Source, spec: FramingSpec) -> Iterator[Record]:
    """Records one by one, for callers that want bytes rather than batches."""
    for batch in iter_batches(source, spec):
        for index in range(len(batch)):
            yield Record(batch.first_record_number + index, int(batch.offsets[index]), batch.record(index))


def iter_batches(source: Source, spec: FramingSpec) -> Iterator[RecordBatch]:
    """Stream `source` (a path or a seekable binary file) as record batches."""
    with _opened(source) as (stream, name):
        size = stream.seek(0, os.SEEK_END)
        start, stop = spec.file_start_offset, size - spec.file_end_offset
        if start < 0 or spec.file_end_offset < 0 or stop < start:
            raise FramingError(
                f"file start/end offsets ({start}, {spec.file_end_offset}) do not fit a {size}-byte file",
                source=name,
                offset=0,
            )
        stream.seek(start)
        if spec.record_format in (RecordFormat.F, RecordFormat.FB):
            yield from _fixed_batches(stream, name, start, stop, spec)
        else:
            yield from _variable_batches(stream, name, start, stop, spec)


@contextlib.contextmanager
def _opened(source: Source) -> Iterator[tuple[BinaryIO, str]]:
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as stream:
            yield stream, os.fspath(source)
    else:
        yield source, str(getattr(source, "name", "<stream>"))


def _read(stream: BinaryIO, count: int) -> bytes:
    """Up to `count` bytes, looping because some streams return short reads before the end."""
    parts = []
    while count > 0:
        part = stream.read(count)
        if not part:
            break
        parts.append(part)
        count -= len(part)
    return b"".join(parts)


def _fixed_batches(
    stream: BinaryIO, name: str, start: int, stop: int, spec: FramingSpec
) -> Iterator[RecordBatch]:
    length = spec.record_length
    if not length or length <= 0:
        raise DecodeConfigError("fixed-length formats need a positive record length")
    per_batch = max(1, spec.batch_bytes // length)
    offset, number = start, 1
    while offset < stop:
        chunk = _read(stream, min(per_batch * length, stop - offset))
        if not chunk:
            break
        if len(chunk) % length:
            raise FramingError(
                f"{len(chunk) % length} bytes at the end do not make a whole {length}-byte "
                "record (wrong record length, or a trailer to skip with file_end_offset?)",
                source=name,
                offset=offset + len(chunk) - len(chunk) % length,
            )
        data = np.frombuffer(chunk, dtype=np.uint8).reshape(-1, length)
        count = len(data)
        yield RecordBatch(
            data,
            np.full(count, length, dtype=np.int64),
            offset + np.arange(count, dtype=np.int64) * length,
            number,
        )
        offset += len(chunk)
        number += count


Splitter = Callable[[bytes, int, bool], tuple[Sequence[int], Sequence[int], int]]
"""(buffer, file offset of buffer[0], at end of file) → (record starts, record lengths, bytes consumed)."""


def _variable_batches(
    stream: BinaryIO, name: str, start: int, stop: int, spec: FramingSpec
) -> Iterator[RecordBatch]:
    split = _splitter(spec, name)
    pending, pending_offset, position, number = b"", start, start, 1
    while True:
        chunk = _read(stream, min(spec.batch_bytes, stop - position))
        position += len(chunk)
        at_end = position >= stop or not chunk
        buffer = pending + chunk
        starts, lengths, consumed = split(buffer, pending_offset, at_end)
        if len(starts):
            yield _gather(buffer, starts, lengths, pending_offset, number)
            number += len(starts)
        pending, pending_offset = buffer[consumed:], pending_offset + consumed
        if at_end:
            if pending:
                raise FramingError(
                    f"file ends inside a record or block ({len(pending)} bytes left)",
                    source=name,
                    offset=pending_offset,
                )
            return


def _gather(
    buffer: bytes, starts: Sequence[int], lengths: Sequence[int], base: int, number: int
) -> RecordBatch:
    starts_array = np.asarray(starts, dtype=np.int64)
    lengths_array = np.asarray(lengths, dtype=np.int64)
    width = max(int(lengths_array.max()), 1)
    padded = np.concatenate([np.frombuffer(buffer, dtype=np.uint8), np.zeros(width, dtype=np.uint8)])
    data = sliding_window_view(padded, width)[starts_array]
    return RecordBatch(data, lengths_array, base + starts_array, number)


def _splitter(spec: FramingSpec, name: str) -> Splitter:
    if spec.record_format is RecordFormat.TEXT:
        return _split_lines
    rdw = _DescriptorReader(spec, name)
    return rdw.split_blocks if spec.record_format is RecordFormat.VB else rdw.split_records


def _split_lines(buffer: bytes, base: int, at_end: bool) -> tuple[np.ndarray, np.ndarray, int]:
    raw = np.frombuffer(buffer, dtype=np.uint8)
    ends = np.flatnonzero(raw == 0x0A)
    if at_end and len(raw) and (not len(ends) or ends[-1] + 1 < len(raw)):
        ends = np.append(ends, len(raw))  # last line without a final newline
    if not len(ends):
        return ends, ends, 0
    consumed = min(int(ends[-1]) + 1, len(raw))
    starts = np.concatenate([[0], ends[:-1] + 1])
    ends = ends - ((ends > starts) & (raw[ends - 1] == 0x0D))  # CRLF
    keep = ends > starts
    return starts[keep], (ends - starts)[keep], consumed


class _DescriptorReader:
    """Reads RDWs and BDWs with the configured byte order and length convention."""

    def __init__(self, spec: FramingSpec, name: str) -> None:
        self.header = struct.Struct(">HH" if spec.rdw_big_endian else "<HH")
        self.big_endian = spec.rdw_big_endian
        self.adjust = _HEADER if spec.rdw_includes_header else 0
        self.name = name

    def split_records(self, buffer: bytes, base: int, at_end: bool) -> tuple[list[int], list[int], int]:
        return self._records(buffer, 0, len(buffer), base)

    def split_blocks(self, buffer: bytes, base: int, at_end: bool) -> tuple[list[int], list[int], int]:
        starts: list[int] = []
        lengths: list[int] = []
        position = 0
        while position + _HEADER <= len(buffer):
            block_end = position + _HEADER + self._block_payload(buffer, position, base)
            if block_end > len(buffer):
                break
            block_starts, block_lengths, records_end = self._records(
                buffer, position + _HEADER, block_end, base
            )
            if records_end != block_end:
                raise FramingError("block ends inside a record", source=self.name, offset=base + records_end)
            starts += block_starts
            lengths += block_lengths
            position = block_end
        return starts, lengths, position

    def _block_payload(self, buffer: bytes, position: int, base: int) -> int:
        if self.big_endian and buffer[position] & 0x80:
            length = int.from_bytes(buffer[position : position + _HEADER], "big") & ~_EXTENDED_BDW
            reserved = 0
        else:
            length, reserved = self.header.unpack_from(buffer, position)
        size = length - self.adjust
        if reserved or length == 0 or size < 0:
            raise self._bad_word("BDW", buffer, base, position)
        return size

    def _records(self, buffer: bytes, position: int, end: int, base: int) -> tuple[list[int], list[int], int]:
        # The one per-record Python loop of the reader: each RDW says where the next one is.
        starts: list[int] = []
        lengths: list[int] = []
        unpack, adjust = self.header.unpack_from, self.adjust
        while position + _HEADER <= end:
            length, reserved = unpack(buffer, position)
            size = length - adjust
            if reserved or length == 0 or size < 0:
                raise self._bad_word("RDW", buffer, base, position)
            following = position + _HEADER + size
            if following > end:
                break
            starts.append(position + _HEADER)
            lengths.append(size)
            position = following
        return starts, lengths, position

    def _bad_word(self, word: str, buffer: bytes, base: int, position: int) -> FramingError:
        header = buffer[position : position + _HEADER].hex().upper()
        return FramingError(
            f"invalid {word} {header}: expected a 2-byte length (with the configured "
            "endianness and header convention) followed by 2 zero bytes",
            source=self.name,
            offset=base + position,
        )
