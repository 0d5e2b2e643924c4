"""Masked files keep their format: the product's own readers load them with the unchanged profiles, finding the
same records and no new problems, and every non-personal value is byte for byte the original."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from sfsync_assets.lib.copybook import (
    CopybookDecoder,
    DecodeOptions,
    FramingSpec,
    RecordFormat,
    load_copybook,
)
from sfsync_assets.lib.legacy.csv_reader import CsvFileReader
from sfsync_assets.lib.legacy.fixed_width_reader import FixedWidthFileReader
from sfsync_assets.lib.legacy.profiles import load_profile
from sfsync_assets.lib.legacy.settings import load_legacy_feeds
from sfsync_assets.lib.masking.directory import MaskReport

FEEDS = load_legacy_feeds().feeds


def _read(reader_class, path: Path, feed: str) -> tuple[int, list[str], object]:
    reader = reader_class(path, load_profile(path.with_name(path.stem + ".profile.yaml")), FEEDS[feed])
    batches = list(reader.batches())
    rows = sum(batch.table.num_rows for batch in batches)
    rules = sorted(f"{r.rule}:{r.field}" for batch in batches for r in batch.rejections)
    return rows, rules, reader.counts


@pytest.mark.parametrize(
    ("pattern", "feed", "reader_class"),
    [
        ("CUSTEXPORT_*.csv", "CUSTEXPORT", CsvFileReader),
        ("CONTACTS_*.csv", "CONTACTS", CsvFileReader),
        ("ORDERS_*.csv", "ORDERS", CsvFileReader),
        ("ARBAL_*.txt", "ARBAL", FixedWidthFileReader),
    ],
)
def test_text_feeds_read_the_same(
    company: Path, masked: tuple[Path, MaskReport], pattern: str, feed: str, reader_class
) -> None:
    original = next((company / "inbound").glob(pattern))
    rows, rules, counts = _read(reader_class, original, feed)
    masked_rows, masked_rules, masked_counts = _read(
        reader_class, masked[0] / "inbound" / original.name, feed
    )
    assert rows > 0 and masked_rows == rows
    assert masked_counts == counts  # header, trailer and record counts untouched
    # Problems planted in personal fields may change text but not kind: the same rules fire on the same fields.
    assert masked_rules == rules


def test_ebcdic_file_decodes_the_same_except_personal_fields(
    company: Path, masked: tuple[Path, MaskReport]
) -> None:
    inbound = company / "inbound"
    decoder = CopybookDecoder(load_copybook(inbound / "CUSTMAST.cpy"), DecodeOptions(encoding="cp037"))
    original = next(inbound.glob("CUSTMAST_*.dat"))
    framing = FramingSpec(RecordFormat.F)
    before = next(decoder.decode_file(original, framing)).table.to_pylist()
    after = next(decoder.decode_file(masked[0] / "inbound" / original.name, framing)).table.to_pylist()
    assert len(after) == len(before) > 0
    personal = ("NAME", "STREET", "ZIP", "POSTCODE", "TAX-ID")
    for old, new in zip(before, after, strict=True):
        kept = {k: v for k, v in old.items() if not k.endswith(personal) and "CM-ADDRESS" not in k}
        assert {k: new[k] for k in kept} == kept
        assert new["CUSTMAST-RECORD.CM-NAME"] != old["CUSTMAST-RECORD.CM-NAME"]
        view = (
            "CM-ADDRESS-US.CM-US"
            if old["CUSTMAST-RECORD.CM-COUNTRY"] in ("US", "CA")
            else "CM-ADDRESS-INTL.CM-INTL"
        )
        assert new[f"CUSTMAST-RECORD.{view}-CITY"] == old[f"CUSTMAST-RECORD.{view}-CITY"]
        assert new[f"CUSTMAST-RECORD.{view}-STREET"] != old[f"CUSTMAST-RECORD.{view}-STREET"]


def test_erp_keeps_schema_rows_and_non_personal_values(
    company: Path, masked: tuple[Path, MaskReport]
) -> None:
    with (
        sqlite3.connect(company / "erp.sqlite") as before,
        sqlite3.connect(masked[0] / "erp.sqlite") as after,
    ):
        tables = [name for (name,) in before.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            old = before.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            new = after.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            assert len(new) == len(old), table
        kept = "customer_id, industry_code, currency, credit_limit, payment_terms, customer_since, updated_at"
        assert (
            before.execute(f"SELECT {kept} FROM customers").fetchall()
            == after.execute(f"SELECT {kept} FROM customers").fetchall()
        )
        assert (
            before.execute("SELECT * FROM invoices").fetchall()
            == after.execute("SELECT * FROM invoices").fetchall()
        )
        phones = after.execute("SELECT typeof(phone) FROM customers WHERE phone IS NOT NULL").fetchall()
        assert {kind for (kind,) in phones} == {"integer"}


def test_salesforce_records_keep_ids_lookups_and_picklists(
    company: Path, masked: tuple[Path, MaskReport]
) -> None:
    for path in sorted((company / "salesforce").glob("*.jsonl")):
        before = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        after = [
            json.loads(line)
            for line in (masked[0] / "salesforce" / path.name).read_text("utf-8").splitlines()
        ]
        assert [r.keys() for r in after] == [r.keys() for r in before]
        for old, new in zip(before, after, strict=True):
            for field in (
                "Id",
                "AccountId",
                "OwnerId",
                "StageName",
                "Industry",
                "Status",
                "SystemModstamp",
                "Amount",
            ):
                assert new.get(field) == old.get(field), (path.name, field)
