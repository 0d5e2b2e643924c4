"""`legacy decode` and `legacy layout` through click's CliRunner."""

import json

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from sfsync_assets.lib.copybook.cli import legacy

from .support import copybook_text

COPYBOOK = copybook_text("ID  PIC 9(3).", "AMOUNT  PIC S9(5)V99 COMP-3.", "NAME  PIC X(4).")
GOOD = bytes.fromhex("F0F0F10012345CC1D5D540")  # 001, 123.45, "ANN"
BAD = bytes.fromhex("F0F0F200123F5CC2D6C240")  # 002, bad nibble F, "BOB"


@pytest.fixture
def files(tmp_path):
    copybook = tmp_path / "account.cpy"
    copybook.write_text(COPYBOOK)
    data = tmp_path / "account.dat"
    data.write_bytes(b"".join(len(record).to_bytes(2, "big") + b"\0\0" + record for record in (GOOD, BAD)))
    return copybook, data


def run(*args):
    return CliRunner().invoke(legacy, [str(arg) for arg in args], catch_exceptions=False)


def test_decode_to_jsonl_with_errors_file(files, tmp_path):
    copybook, data = files
    out = tmp_path / "out.jsonl"
    result = run("decode", "--copybook", copybook, "--data", data, "--record-format", "V", "--out", out)
    assert result.exit_code == 0, result.output
    assert "records: 2" in result.output
    assert f"bytes: {2 * (4 + 11)}" in result.output
    assert "errors: 1" in result.output
    lines = out.read_text().splitlines()
    assert lines[0] == (
        '{"_record_number": 1, "_record_offset": 4, "REC.ID": 1, "REC.AMOUNT": 123.45, "REC.NAME": "ANN"}'
    )
    assert json.loads(lines[1])["REC.AMOUNT"] is None
    [error] = [json.loads(line) for line in (tmp_path / "out.jsonl.errors.jsonl").read_text().splitlines()]
    assert error == {
        "file": str(data),
        "record_number": 2,
        "byte_offset": 15 + 4 + 3,
        "field": "REC.AMOUNT",
        "raw_hex": "00123F5C",
        "reason": "invalid digit",
    }


def test_decode_to_parquet_without_errors(files, tmp_path):
    copybook, _ = files
    good_only = tmp_path / "good.dat"
    good_only.write_bytes(GOOD * 3)
    out = tmp_path / "out.parquet"
    result = run("decode", "--copybook", copybook, "--data", good_only, "--record-format", "F", "--out", out)
    assert result.exit_code == 0, result.output
    table = pq.read_table(out)
    assert table.column("REC.AMOUNT").to_pylist() == [table.column("REC.AMOUNT")[0].as_py()] * 3
    assert str(table.column("REC.AMOUNT")[0].as_py()) == "123.45"
    assert table.column("_record_offset").to_pylist() == [0, 11, 22]
    assert not (tmp_path / "out.parquet.errors.jsonl").exists()
    assert "errors: 0" in result.output


def test_decode_with_little_endian_rdw_including_header_and_offsets(files, tmp_path):
    copybook, _ = files
    data = tmp_path / "le.dat"
    data.write_bytes(b"HDR" + (len(GOOD) + 4).to_bytes(2, "little") + b"\0\0" + GOOD + b"TRL")
    out = tmp_path / "le.jsonl"
    result = run(
        "decode",
        "--copybook",
        copybook,
        "--data",
        data,
        "--record-format",
        "v",
        "--rdw-little-endian",
        "--rdw-includes-header",
        "--file-start-offset",
        3,
        "--file-end-offset",
        3,
        "--encoding",
        "cp500",
        "--out",
        out,
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["REC.NAME"] == "ANN"


def test_layout_prints_offsets_and_lengths(files):
    copybook, _ = files
    result = run("layout", "--copybook", copybook)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == [
        "path",
        "level",
        "picture",
        "usage",
        "offset",
        "length",
        "digits",
        "scale",
        "signed",
        "occurs",
    ]
    assert lines[3].split() == ["REC.AMOUNT", "05", "S9(5)V99", "COMP-3", "3", "4", "7", "2", "S"]


def test_copybook_errors_exit_non_zero_with_the_line(tmp_path):
    copybook = tmp_path / "bad.cpy"
    copybook.write_text("       01  REC.\n       66  X RENAMES Y.\n")
    result = run("layout", "--copybook", copybook)
    assert result.exit_code == 1
    assert "line 2: level 66 RENAMES is not supported" in result.output


def test_help_explains_every_option():
    result = run("decode", "--help")
    for option in (
        "--copybook",
        "--data",
        "--record-format",
        "--record-length",
        "--rdw-big-endian",
        "--rdw-little-endian",
        "--rdw-includes-header",
        "--encoding",
        "--file-start-offset",
        "--file-end-offset",
        "--out",
        "--trim",
        "--float-format",
        "--copybook-format",
    ):
        assert option in result.output
    assert "errors.jsonl" in result.output
