"""The copybook parser and decoder on arbitrary input: copybook text is parsed or refused with a `CopybookError`
naming the line; records of any bytes decode to one row each, with every undecodable field a quarantine issue
pointing into the batch; a data file of any bytes is framed or refused with a `FramingError` at an offset.
Absurd declared sizes (PICTURE and OCCURS counts, RDW and BDW lengths) must end in a domain error or bounded
work, never in memory or time that grows with the number declared."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfsync_assets.lib.copybook import (
    CopybookDecoder,
    CopybookError,
    DecodeOptions,
    FramingSpec,
    RecordFormat,
    iter_batches,
    parse_copybook,
)

from .bounds import run_bounded

pytestmark = pytest.mark.fuzz

PICTURES = [
    "X(4)",
    "X",
    "9(3)",
    "S9(5)V99",
    "S9(7) COMP-3",
    "9(5) COMP-3",
    "S9(4) COMP",
    "9(9) COMP-5",
    "S9(3) SIGN LEADING SEPARATE",
    "ZZ9.99-",
    "COMP-1",
    "COMP-2",
]


@st.composite
def copybooks(draw) -> str:
    """A well-formed copybook: nested groups, OCCURS, REDEFINES and OCCURS DEPENDING ON with its counter."""
    counter = [0]

    def name() -> str:
        counter[0] += 1
        return f"F{counter[0]}"

    def entries(level: int, depth: int) -> list[str]:
        lines: list[str] = []
        for _ in range(draw(st.integers(1, 3))):
            occurs = draw(st.sampled_from(["", " OCCURS 2 TIMES", " OCCURS 3"]))
            field = name()
            if depth < 2 and draw(st.booleans()):
                lines.append(f"{level:02d} {field}{occurs}.")
                lines += entries(level + 5, depth + 1)
            else:
                picture = draw(st.sampled_from(PICTURES))
                clause = picture if picture.startswith("COMP-") else f"PIC {picture}"
                lines.append(f"{level:02d} {field} {clause}{occurs}.")
            if draw(st.integers(0, 4)) == 0:
                lines.append(f"{level:02d} {name()} REDEFINES {field} PIC X.")
        if depth == 0 and draw(st.booleans()):
            count = name()
            lines.append(f"{level:02d} {count} PIC 9.")
            lines.append(f"{level:02d} {name()} OCCURS 0 TO 4 TIMES DEPENDING ON {count} PIC X(2).")
        return lines

    return "\n".join(["01 REC.", *entries(5, 0)]) + "\n"


@settings(max_examples=120, deadline=None)
@given(
    copybooks(),
    st.lists(st.binary(max_size=80), min_size=1, max_size=6),
    st.sampled_from(["cp037", "cp1047"]),
)
def test_any_records_decode_to_one_row_each(text: str, records: list[bytes], encoding: str) -> None:
    decoder = CopybookDecoder(parse_copybook(text, source_format="free"), DecodeOptions(encoding=encoding))
    batch = decoder.decode_records(records)
    assert batch.table.num_rows == len(records)
    columns = set(batch.table.column_names)
    for issue in batch.issues:
        assert 1 <= issue.record_number <= len(records)
        assert issue.reason
        assert issue.field in columns or issue.field.split("(")[0] in text


COPYBOOK_WORDS = st.sampled_from(
    [
        "01",
        "05",
        "10",
        "66",
        "77",
        "88",
        "FILLER",
        "A",
        "B-1",
        "PIC",
        "X(3)",
        "9(2)",
        "S9V9",
        "X(0)",
        "ZZ,Z",
        "COMP-3",
        "COMP",
        "BINARY",
        "NATIONAL",
        "OCCURS",
        "2",
        "TO",
        "TIMES",
        "DEPENDING",
        "ON",
        "REDEFINES",
        "VALUE",
        "'A'",
        '"',
        "SIGN",
        "LEADING",
        "SEPARATE",
        "SYNC",
        "BLANK",
        "WHEN",
        "ZERO",
        ".",
        "\n",
        "\t",
        "*",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(COPYBOOK_WORDS, max_size=30).map(" ".join))
def test_any_copybook_text_is_parsed_or_refused_with_its_line(text: str) -> None:
    try:
        CopybookDecoder(parse_copybook(text, source_format="free"))
    except CopybookError as error:
        assert "line" in str(error)


@settings(max_examples=200, deadline=None)
@given(
    st.binary(max_size=300),
    st.sampled_from(list(RecordFormat)),
    st.booleans(),
    st.booleans(),
    st.integers(1, 40),
)
def test_any_bytes_are_framed_or_refused_at_an_offset(
    data: bytes, record_format: RecordFormat, big_endian: bool, includes_header: bool, length: int
) -> None:
    spec = FramingSpec(
        record_format,
        length if record_format in ("F", "FB") else None,
        big_endian,
        includes_header,
        batch_bytes=64,
    )
    try:
        batches = list(iter_batches(io.BytesIO(data), spec))
    except CopybookError as error:
        assert "offset" in str(error) or "length" in str(error)
        return
    for batch in batches:
        for offset, size in zip(batch.offsets, batch.lengths, strict=True):
            assert offset >= 0 and offset + size <= len(data)


@pytest.mark.parametrize("text", ["\u00b974 F PIC X.", "01 R.\n05 F PIC X OCCURS \u00b2 TIMES."])
def test_non_ascii_digits_are_a_syntax_error(text: str) -> None:
    with pytest.raises(CopybookError):
        CopybookDecoder(parse_copybook(text, source_format="free"))


def _copybook(*entries: str) -> str:
    return "\n".join(["01 REC.", *entries]) + "\n"


def _decoder(text: str) -> None:
    CopybookDecoder(parse_copybook(text, source_format="free")).decode_records([b"\x40" * 10])


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(_copybook("05 F PIC X(999999999)."), id="PIC X(999999999)"),
        pytest.param(_copybook("05 F PIC X OCCURS 99999999 TIMES."), id="OCCURS 99999999"),
        pytest.param(
            _copybook("05 A OCCURS 2000 TIMES.", "10 B PIC X OCCURS 2000 TIMES."),
            id="OCCURS 2000 inside OCCURS 2000",
        ),
        pytest.param(_copybook("05 F PIC 9(40)."), id="40 digits"),
        pytest.param(
            _copybook("05 N PIC 9(4).", "05 T OCCURS 1 TO 9000 TIMES DEPENDING ON N PIC X."), id="ODO"
        ),
    ],
)
def test_absurd_declared_sizes_end_in_a_domain_error_or_bounded_work(text: str) -> None:
    outcome = run_bounded(lambda: _decoder(text), seconds=30)
    assert outcome.status == "returned" or outcome.raised(CopybookError), outcome
    assert outcome.cpu_seconds < 2 and outcome.peak_mb < 200, outcome


@pytest.mark.parametrize(
    ("header", "record_format", "extended_bdw"),
    [
        pytest.param(b"\xff\xff\x00\x00", RecordFormat.V, False, id="RDW of 65535 bytes in a short file"),
        pytest.param(b"\x00\x02\x00\x00", RecordFormat.V, False, id="RDW shorter than itself"),
        pytest.param(b"\x7f\xff\xff\xff", RecordFormat.VB, True, id="extended BDW of 2 GB in a 5 MB file"),
    ],
)
def test_absurd_record_lengths_are_framing_errors_within_the_file_size(
    header: bytes, record_format: RecordFormat, extended_bdw: bool
) -> None:
    data = (b"\x80" + header[1:] if extended_bdw else header) + b"\x40" * 5_000_000
    spec = FramingSpec(record_format, rdw_includes_header=True)
    outcome = run_bounded(lambda: list(iter_batches(io.BytesIO(data), spec)), seconds=10)
    assert outcome.raised(CopybookError), outcome
    assert outcome.peak_mb < 4 * len(data) / 1e6 + 100, outcome
