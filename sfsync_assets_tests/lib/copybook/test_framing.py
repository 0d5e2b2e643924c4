"""Record framing: F, V (both byte orders, with and without the header in the length), VB, offsets, text."""

import io
from decimal import Decimal

import pytest

from sfsync_assets.lib.copybook import (
    CopybookDecoder,
    DecodeOptions,
    FramingError,
    FramingSpec,
    RecordFormat,
    iter_batches,
    iter_records,
    parse_copybook,
)


def records_of(data: bytes, **spec):
    return [(r.number, r.offset, r.data) for r in iter_records(io.BytesIO(data), FramingSpec(**spec))]


def test_fixed_length_records_with_numbers_and_offsets():
    assert records_of(b"AAABBBCCC", record_format=RecordFormat.F, record_length=3) == [
        (1, 0, b"AAA"),
        (2, 3, b"BBB"),
        (3, 6, b"CCC"),
    ]


def test_fixed_blocked_is_read_like_fixed():
    assert records_of(b"AABB", record_format=RecordFormat.FB, record_length=2) == [
        (1, 0, b"AA"),
        (2, 2, b"BB"),
    ]


def test_fixed_length_with_a_partial_last_record_fails_with_its_offset():
    with pytest.raises(FramingError) as raised:
        records_of(b"AAABBBC", record_format=RecordFormat.F, record_length=3)
    assert raised.value.offset == 6
    assert "1 bytes at the end do not make a whole 3-byte record" in str(raised.value)


@pytest.mark.parametrize(
    ("headers", "big_endian", "includes_header"),
    [
        ((b"\x00\x03\x00\x00", b"\x00\x01\x00\x00"), True, False),
        ((b"\x03\x00\x00\x00", b"\x01\x00\x00\x00"), False, False),
        ((b"\x00\x07\x00\x00", b"\x00\x05\x00\x00"), True, True),
        ((b"\x07\x00\x00\x00", b"\x05\x00\x00\x00"), False, True),
    ],
)
def test_variable_records_with_rdw(headers, big_endian, includes_header):
    data = headers[0] + b"ABC" + headers[1] + b"D"
    assert records_of(
        data, record_format=RecordFormat.V, rdw_big_endian=big_endian, rdw_includes_header=includes_header
    ) == [(1, 4, b"ABC"), (2, 11, b"D")]


def test_variable_blocked_records_with_bdw_and_rdw():
    block_1 = b"\x00\x12\x00\x00" + b"\x00\x07\x00\x00ABC" + b"\x00\x07\x00\x00DEF"  # 4 + 7 + 7 = 18
    block_2 = b"\x00\x09\x00\x00" + b"\x00\x05\x00\x00G"
    assert records_of(block_1 + block_2, record_format=RecordFormat.VB, rdw_includes_header=True) == [
        (1, 8, b"ABC"),
        (2, 15, b"DEF"),
        (3, 26, b"G"),
    ]


def test_variable_blocked_little_endian_lengths_without_headers():
    data = b"\x0e\x00\x00\x00" + b"\x03\x00\x00\x00ABC" + b"\x03\x00\x00\x00DEF"
    assert records_of(data, record_format=RecordFormat.VB, rdw_big_endian=False) == [
        (1, 8, b"ABC"),
        (2, 15, b"DEF"),
    ]


def test_extended_bdw_holds_a_31_bit_length():
    data = b"\x80\x00\x00\x0b" + b"\x00\x07\x00\x00XYZ"
    assert records_of(data, record_format=RecordFormat.VB, rdw_includes_header=True) == [(1, 8, b"XYZ")]


def test_block_that_ends_inside_a_record_is_rejected():
    data = b"\x00\x06\x00\x00" + b"\x00\x07\x00\x00AB"
    with pytest.raises(FramingError, match="block ends inside a record"):
        records_of(data, record_format=RecordFormat.VB, rdw_includes_header=True)


def test_invalid_rdw_is_reported_with_its_offset():
    data = b"\x00\x01\x00\x00A" + b"\x00\x01\x12\x34B"
    with pytest.raises(FramingError) as raised:
        records_of(data, record_format=RecordFormat.V)
    assert raised.value.offset == 5
    assert "invalid RDW 00011234" in str(raised.value)


def test_truncated_variable_record_is_reported():
    with pytest.raises(FramingError, match="file ends inside a record"):
        records_of(b"\x00\x05\x00\x00AB", record_format=RecordFormat.V)


def test_file_start_and_end_offsets_skip_header_and_trailer():
    data = b"HDR" + b"AABBCC" + b"TRAILER"
    assert records_of(
        data, record_format=RecordFormat.F, record_length=2, file_start_offset=3, file_end_offset=7
    ) == [(1, 3, b"AA"), (2, 5, b"BB"), (3, 7, b"CC")]


def test_file_offsets_with_variable_records():
    data = b"\xff\xff" + b"\x00\x02\x00\x00AB" + b"\x00\x01\x00\x00C" + b"\xee"
    assert records_of(data, record_format=RecordFormat.V, file_start_offset=2, file_end_offset=1) == [
        (1, 6, b"AB"),
        (2, 12, b"C"),
    ]


def test_offsets_larger_than_the_file_are_rejected():
    with pytest.raises(FramingError, match="do not fit a 4-byte file"):
        records_of(
            b"ABCD", record_format=RecordFormat.F, record_length=1, file_start_offset=3, file_end_offset=2
        )


def test_text_lines_lf_and_crlf_skip_empty_lines():
    data = b"ONE\r\nTWO\n\nTHREE"
    assert records_of(data, record_format=RecordFormat.TEXT) == [
        (1, 0, b"ONE"),
        (2, 5, b"TWO"),
        (3, 10, b"THREE"),
    ]


def with_rdw(payload: bytes) -> bytes:
    return len(payload).to_bytes(2, "big") + b"\0\0" + payload


def encode_file(record_format: RecordFormat, payloads: list[bytes]) -> bytes:
    """An independent writer for each format (lengths exclude the 4 header bytes)."""
    if record_format is RecordFormat.TEXT:
        return b"\n".join(payloads) + b"\n"
    if record_format is RecordFormat.F:
        return b"".join(payloads)
    records = [with_rdw(payload) for payload in payloads]
    if record_format is RecordFormat.V:
        return b"".join(records)
    return b"".join(with_rdw(b"".join(records[start : start + 9])) for start in range(0, len(records), 9))


@pytest.mark.parametrize(
    "record_format", [RecordFormat.V, RecordFormat.VB, RecordFormat.TEXT, RecordFormat.F]
)
def test_streaming_in_small_chunks_gives_the_same_records(record_format):
    payloads = [bytes([65 + index % 26]) * (1 + index % 7) for index in range(200)]
    if record_format is RecordFormat.F:
        payloads = [payload.ljust(7, b".") for payload in payloads]
    data = encode_file(record_format, payloads)
    spec = {"record_format": record_format, "record_length": 7}
    assert len(list(iter_batches(io.BytesIO(data), FramingSpec(**spec, batch_bytes=50)))) > 10
    in_small_chunks = records_of(data, **spec, batch_bytes=50)
    assert [data for _number, _offset, data in in_small_chunks] == payloads
    assert in_small_chunks == records_of(data, **spec)


def test_reads_from_a_path(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(b"\x00\x01\x00\x00Z")
    assert [(r.number, r.offset, r.data) for r in iter_records(path, FramingSpec(RecordFormat.V))] == [
        (1, 4, b"Z")
    ]


def test_text_lines_decode_as_if_padded_with_spaces():
    copybook = parse_copybook(
        "       01  R.\n           05  ID  PIC 9(3).\n           05  AMT  PIC S9(3)V99.\n"
        "           05  NAME  PIC X(10).\n"
    )
    decoder = CopybookDecoder(copybook, DecodeOptions(encoding="latin-1"))
    [batch] = decoder.decode_file(
        io.BytesIO(b"00112345Ann\r\n0021234}Bob Smith\n003\n"), FramingSpec(RecordFormat.TEXT)
    )
    assert [(row["R.ID"], row["R.AMT"], row["R.NAME"]) for row in batch.table.to_pylist()] == [
        (1, Decimal("123.45"), "Ann"),
        (2, Decimal("-123.40"), "Bob Smith"),
        (3, None, ""),
    ]
    assert batch.issues == []
