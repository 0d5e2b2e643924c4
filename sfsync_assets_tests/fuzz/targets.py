"""Fuzz targets: one function per parser, taking raw bytes from the fuzzer and raising only on a real defect.

Each target decodes the bytes into an input for one parser (the first byte picks options, the rest is the
payload) and lets the parser's own domain errors pass: a target raises only for an exception the parser's
contract does not allow.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from collections.abc import Callable
from pathlib import Path

from sfsync_assets.lib.copybook import (
    CopybookDecoder,
    CopybookError,
    FramingSpec,
    RecordFormat,
    iter_batches,
    parse_copybook,
)
from sfsync_assets.lib.emulator.errors import SalesforceApiError
from sfsync_assets.lib.emulator.soql.lexer import TokenKind, tokenize
from sfsync_assets.lib.emulator.soql.parser import parse
from sfsync_assets.lib.legacy.csv_reader import CsvFileReader
from sfsync_assets.lib.legacy.errors import LegacyFileError
from sfsync_assets.lib.legacy.profiles import CsvProfile
from sfsync_assets.lib.legacy.settings import Feed
from sfsync_assets.lib.mapping.engine import SourceMapper
from sfsync_assets.lib.mapping.spec import load_mappings

from .test_mapping import RATES, _references, _source_fields, hits_known_integer_bug
from .test_soql import soql_string

_SCRATCH = Path(tempfile.mkdtemp(prefix="sfsync-fuzz-"))
_CSV_FEED = Feed(
    description="fuzz", pattern=r"FUZZ_\d{8}\.csv", system="legacy_csv", kind="csv", two_digit_year_pivot=70
)
_CSV_PROFILE = CsvProfile(
    format="csv",
    encoding="cp1252",
    delimiter=";",
    line_terminator="CRLF",
    header_record="H|FUZZ|<export date YYYY-MM-DD>",
    trailer_record="T|<data record count, 6 digits>",
    decimal_separator=",",
    thousands_separator=".",
    columns=[
        {"name": "ID", "type": "integer"},
        {"name": "NAME", "multiline": True},
        {"name": "AMOUNT", "type": "decimal", "scale": 2},
        {"name": "SINCE", "type": "date", "format": "DD-Mon-YY"},
        {"name": "STATUS", "codes": {"A": "active", "X": "closed"}},
    ],
)
_MAPPERS = [(m, SourceMapper(m, "fuzz", _references(m, {"1"}), RATES)) for m in load_mappings()]


def csv_file(data: bytes) -> None:
    path = _SCRATCH / "FUZZ_20261101.csv"
    path.write_bytes(data)
    reader = CsvFileReader(path, _CSV_PROFILE, _CSV_FEED)
    try:
        batches = list(reader.batches(batch_rows=4))
    except LegacyFileError:
        return
    loaded = sum(batch.table.num_rows for batch in batches)
    if reader.counts.data_records != loaded + reader.counts.rejected_records:
        raise AssertionError(f"records lost: {reader.counts} but {loaded} loaded")


def copybook(data: bytes) -> None:
    text = data[1:].decode("latin-1")
    try:
        decoder = CopybookDecoder(parse_copybook(text, source_format="free"))
    except CopybookError:
        return
    records = [data[i : i + 1 + data[0] % 64] for i in range(0, len(data), 1 + data[0] % 64)]
    batch = decoder.decode_records(records)
    if batch.table.num_rows != len(records):
        raise AssertionError("a record was lost while decoding")


def framing(data: bytes) -> None:
    options = data[0] if data else 0
    formats = list(RecordFormat)
    spec = FramingSpec(
        formats[options % len(formats)],
        1 + options % 17,
        rdw_big_endian=bool(options & 32),
        rdw_includes_header=bool(options & 64),
        batch_bytes=16 + options,
    )
    try:
        for batch in iter_batches(io.BytesIO(data[1:]), spec):
            if int((batch.offsets + batch.lengths).max(initial=0)) > len(data) - 1:
                raise AssertionError("a record reaches past the end of the file")
    except CopybookError:
        return


def soql(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    with contextlib.suppress(SalesforceApiError):
        parse(text)
    tokens = tokenize(f"SELECT Id FROM Account WHERE Name = {soql_string(text)}")
    if tokens[-2].kind is not TokenKind.STRING or tokens[-2].value != text:
        raise AssertionError(f"{text!r} did not read back as one literal")


def mapping(data: bytes) -> None:
    spec, mapper = _MAPPERS[data[0] % len(_MAPPERS)] if data else _MAPPERS[0]
    values = data[1:].decode("utf-8", "replace").split("\x1f")
    names = sorted(_source_fields(spec))
    record = {name: values[i % len(values)] or None for i, name in enumerate(names)}
    if any(hits_known_integer_bug(value) for value in record.values()):
        return
    mapper.map(record)


TARGETS: dict[str, Callable[[bytes], None]] = {
    "csv": csv_file,
    "copybook": copybook,
    "framing": framing,
    "soql": soql,
    "mapping": mapping,
}
