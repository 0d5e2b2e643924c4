"""The drop folder's CSV and fixed-width files are encoded, delimited and counted as declared."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml


def data_records(
    path: Path, encoding: str, delimiter: str, control_records: bool
) -> tuple[list[str], list[list[str]]]:
    """(control lines, csv records) of a feed, parsed with the csv module (quoted newlines included)."""
    text = path.read_bytes().decode(encoding)
    control = []
    if control_records:
        first, _, text = text.partition("\r\n")
        body, _, trailer = text.rstrip("\r\n").rpartition("\r\n")
        control, text = [first, trailer], body + "\r\n"
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return control, rows


def planted(problems: list[dict[str, str]], feed: str, kind: str) -> set[tuple[str, str]]:
    return {
        (p["source_key"].split("-", 1)[1], p["field"])
        for p in problems
        if p["object"] == feed and p["kind"] == kind
    }


def test_customer_export_is_cp1252_with_control_records(
    company: Path, manifest: dict[str, Any], problems: list[dict[str, str]]
) -> None:
    path = company / "inbound" / "CUSTEXPORT_20261101.csv"
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # accented names are single cp1252 bytes
    control, rows = data_records(path, "cp1252", ";", control_records=True)
    header, records = rows[0], rows[1:]
    assert control[0] == "H|CUSTEXPORT|2026-11-01"
    assert control[1] == f"T|{len(records):06d}"
    assert len(records) == manifest["counts"]["legacy"]["inbound/CUSTEXPORT_20261101.csv"] > 100
    assert header[:3] == ["LEGACY_ID", "ERP_NO", "NAME"] and all(len(r) == len(header) for r in records)
    assert any("\n" in cell for r in records for cell in r)  # multi-line addresses survived the round trip
    assert re.fullmatch(r"\d{1,3}(\.\d{3})*,\d{2}", records[0][12])
    bad_dates = set()
    for record in records:
        try:
            datetime.strptime(record[13], "%d/%m/%Y")
        except ValueError:
            bad_dates.add((record[0], "CUSTOMER_SINCE"))
    assert bad_dates == planted(problems, "CUSTEXPORT", "impossible_date")


def test_problem_line_numbers_point_at_the_record(company: Path, problems: list[dict[str, str]]) -> None:
    lines = (company / "inbound" / "CUSTEXPORT_20261101.csv").read_bytes().decode("cp1252").split("\n")
    rows = [p for p in problems if p["object"] == "CUSTEXPORT"]
    assert rows
    for row in rows:
        assert lines[int(row["line"]) - 1].startswith(row["source_key"].split("-", 1)[1] + ";")


def test_contacts_export_is_utf8_with_bom(
    company: Path, manifest: dict[str, Any], problems: list[dict[str, str]]
) -> None:
    path = company / "inbound" / "CONTACTS_20261101.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    _, rows = data_records(path, "utf-8-sig", ",", control_records=False)
    assert rows[0][0] == "CONTACT_ID"
    records = rows[1:]
    assert len(records) == manifest["counts"]["legacy"]["inbound/CONTACTS_20261101.csv"]
    assert any('"' in r[9] or "\n" in r[9] for r in records)
    bad = set()
    for record in records:
        for column, value in (("CREATED", record[7]), ("LAST_UPDATED", record[8])):
            try:
                datetime.strptime(value, "%d-%b-%y")
            except ValueError:
                bad.add((record[0], column))
    assert bad == planted(problems, "CONTACTS", "impossible_date")


def test_orders_export_is_latin1_with_decimal_commas(
    company: Path, manifest: dict[str, Any], problems: list[dict[str, str]]
) -> None:
    path = company / "inbound" / "ORDERS_20261101.csv"
    control, rows = data_records(path, "latin-1", ";", control_records=True)
    records = rows[1:]
    assert control == ["H|ORDERS|2026-11-01", f"T|{len(records):06d}"]
    assert len(records) == manifest["counts"]["legacy"]["inbound/ORDERS_20261101.csv"]
    assert all(re.fullmatch(r"\d{1,3}(\.\d{3})*,\d{2}", r[5]) for r in records)
    bad = set()
    for record in records:
        try:
            datetime.strptime(record[3], "%d-%b-%y")
        except ValueError:
            bad.add((record[0], "ORDER_DATE"))
    assert bad == planted(problems, "ORDERS", "impossible_date") and bad


def test_every_feed_has_a_profile_that_matches_it(company: Path, manifest: dict[str, Any]) -> None:
    inbound = company / "inbound"
    for relative, count in manifest["counts"]["legacy"].items():
        data_file = company / relative
        profile = yaml.safe_load((inbound / f"{data_file.stem}.profile.yaml").read_text(encoding="utf-8"))
        assert profile["file"] == data_file.name and profile["records"] == count
        assert profile["encoding"] in {"cp1252", "utf-8", "latin-1", "ascii", "cp037"}
        if profile["format"] == "csv":
            assert [c["name"] for c in profile["columns"]]
            assert profile["delimiter"] in {";", ","}
        if profile["format"] == "ebcdic":
            assert (inbound / profile["copybook"]).exists()
