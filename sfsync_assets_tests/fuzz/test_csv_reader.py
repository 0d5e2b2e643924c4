"""The legacy CSV reader on arbitrary files: whatever the bytes, a file is read to its end with every record
either loaded or quarantined with a reason and its line, or refused whole with a domain error naming the file.
A huge field or a quote that never closes costs memory in proportion to the file, not more."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sfsync_assets.lib.legacy.csv_reader import CsvFileReader
from sfsync_assets.lib.legacy.errors import LegacyFileError
from sfsync_assets.lib.legacy.profiles import CsvProfile
from sfsync_assets.lib.legacy.settings import Feed

from .bounds import run_bounded

pytestmark = pytest.mark.fuzz

FEED = Feed(
    description="fuzz", pattern=r"FUZZ_\d{8}\.csv", system="legacy_csv", kind="csv", two_digit_year_pivot=70
)
COLUMN_TYPES = [
    {"type": "string"},
    {"type": "string", "multiline": True},
    {"type": "integer"},
    {"type": "decimal", "scale": 2},
    {"type": "date", "format": "DD/MM/YYYY"},
    {"type": "date", "format": "DD-Mon-YY"},
    {"type": "string", "codes": {"A": "active", "X": "closed"}},
]


@st.composite
def profiles(draw) -> CsvProfile:
    delimiter = draw(st.sampled_from([",", ";", "|", "\t"]))
    columns = [
        {"name": f"C{index}", **draw(st.sampled_from(COLUMN_TYPES))}
        for index in range(draw(st.integers(1, 5)))
    ]
    return CsvProfile(
        format="csv",
        encoding=draw(st.sampled_from(["utf-8", "cp1252", "latin-1"])),
        delimiter=delimiter,
        line_terminator="LF",
        header_record=draw(st.sampled_from([None, "H|FUZZ|<export date YYYY-MM-DD>"])),
        trailer_record=draw(st.sampled_from([None, "T|<data record count, 6 digits>"])),
        column_header_row=draw(st.booleans()),
        decimal_separator=draw(st.sampled_from([".", ","])) if delimiter != "," else ".",
        columns=columns,
    )


FIELD_TEXT = st.text(alphabet=st.sampled_from('ab1,;|"\t\r\n é9-/.Jan'), max_size=12)
RAW_BYTES = st.binary(max_size=6)


@st.composite
def files(draw, profile: CsvProfile) -> bytes:
    lines = []
    if profile.header_record and draw(st.booleans()):
        lines.append("H|FUZZ|2026-11-01")
    if profile.column_header_row:
        names = [column.name for column in profile.columns]
        lines.append(profile.delimiter.join(names if draw(st.booleans()) else names[::-1]))
    for _ in range(draw(st.integers(0, 8))):
        fields = draw(st.lists(FIELD_TEXT, min_size=1, max_size=len(profile.columns) + 2))
        quoted = [f'"{field}"' if draw(st.booleans()) else field for field in fields]
        lines.append(profile.delimiter.join(quoted))
    if profile.trailer_record and draw(st.booleans()):
        lines.append(f"T|{draw(st.integers(0, 20)):06d}")
    data = "\n".join(lines).encode(profile.encoding, "replace")
    return data + draw(RAW_BYTES) if draw(st.booleans()) else data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_every_record_is_loaded_or_quarantined_with_a_reason(tmp_path: Path, data: st.DataObject) -> None:
    profile = data.draw(profiles())
    path = tmp_path / "FUZZ_20261101.csv"
    path.write_bytes(data.draw(files(profile)))
    reader = CsvFileReader(path, profile, FEED)
    try:
        batches = list(reader.batches(batch_rows=3))
    except LegacyFileError as error:
        assert path.name in str(error)
        return
    loaded = sum(batch.table.num_rows for batch in batches)
    rejections = [rejection for batch in batches for rejection in batch.rejections]
    assert reader.counts.data_records == loaded + reader.counts.rejected_records
    columns = {column.name for column in profile.columns}
    for rejection in rejections:
        assert rejection.reason and rejection.rule
        assert rejection.line_number is not None
        assert rejection.field == "" or rejection.field in columns


def _read_all(path: Path, profile: CsvProfile) -> None:
    for _ in CsvFileReader(path, profile, FEED).batches():
        pass


HUGE = 20_000_000


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"1,2.00," + b"x" * HUGE + b"\n", id="one 20 MB field"),
        pytest.param(b'1,2.00,"never closed\n' + b"a,1.00,b\n" * 50_000, id="quote never closed"),
        pytest.param(b",".join([b"x"] * 2_000_000) + b"\n", id="two million fields"),
        pytest.param(b"1," + b"9" * 5_000_000 + b",x\n", id="a 5-million-digit amount"),
    ],
)
def test_hostile_files_cost_memory_in_proportion_to_their_size(tmp_path: Path, body: bytes) -> None:
    profile = CsvProfile(
        format="csv",
        encoding="utf-8",
        delimiter=",",
        line_terminator="LF",
        columns=[
            {"name": "ID"},
            {"name": "AMOUNT", "type": "decimal", "scale": 2},
            {"name": "NOTES", "multiline": True},
        ],
    )
    path = tmp_path / "FUZZ_20261101.csv"
    path.write_bytes(b"ID,AMOUNT,NOTES\n" + body)
    outcome = run_bounded(lambda: _read_all(path, profile), seconds=30)
    assert outcome.status == "returned", outcome
    assert outcome.peak_mb < 5 * len(body) / 1e6 + 100, outcome
