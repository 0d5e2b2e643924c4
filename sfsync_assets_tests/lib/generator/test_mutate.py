"""A day of business changes about PCT % of the records, and the files and truth follow every change."""

from __future__ import annotations

import csv
import json
import sqlite3
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from sfsync_assets.lib.generator.mutate import SF_OBJECTS, mutate_company
from sfsync_assets.lib.generator.pipeline import GenerateConfig, generate_company

from .conftest import read_jsonl

PCT = 3.0


def snapshot(out_dir: Path) -> dict[str, dict[str, dict[str, Any]]]:
    return {
        obj: {r["_source_key"]: r for r in read_jsonl(out_dir / "salesforce" / f"{obj}.jsonl")}
        for obj in SF_OBJECTS
    }


def stamp(text: str) -> datetime:
    return datetime.strptime(text[:19], "%Y-%m-%dT%H:%M:%S")


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out_dir = tmp_path_factory.mktemp("mutate") / "company"
    generate_company(GenerateConfig(out_dir=out_dir, scale=10_000, seed=21))
    before = snapshot(out_dir)
    entry = mutate_company(out_dir, PCT, seed=5)
    with open(out_dir / "truth" / "mutations.csv", encoding="utf-8", newline="") as handle:
        changes = list(csv.DictReader(handle))
    with open(out_dir / "truth" / "entities.csv", encoding="utf-8", newline="") as handle:
        entity_of: dict[str, list[str]] = {}
        for row in csv.DictReader(handle):
            entity_of.setdefault(row["source_key"], []).append(row["entity_id"])
    with open(out_dir / "truth" / "golden_expected.jsonl", encoding="utf-8") as handle:
        golden = {record["entity_id"]: record for record in map(json.loads, handle)}
    return {
        "out": out_dir,
        "before": before,
        "after": snapshot(out_dir),
        "entry": entry,
        "changes": changes,
        "entity_of": entity_of,
        "golden": golden,
    }


def test_about_pct_of_the_records_change(day: dict[str, Any]) -> None:
    entry = day["entry"]
    expected = entry["mutable_records"] * PCT / 100
    assert abs(entry["changed_records"] - expected) <= 0.25 * expected
    business = [c for c in day["changes"] if c["action"] != "silent_update"]
    assert len({c["source_key"] for c in business}) == entry["changed_records"]
    actions = Counter(f"{c['system']}.{c['action']}" for c in day["changes"])
    assert actions == Counter(entry["actions"])
    for action in (
        "salesforce.update",
        "salesforce.create",
        "salesforce.delete",
        "erp.update",
        "erp.create",
        "salesforce.silent_update",
    ):
        assert actions[action] > 0, action


def test_salesforce_files_follow_the_changes(day: dict[str, Any]) -> None:
    before, after = day["before"], day["after"]
    for change in day["changes"]:
        if change["system"] != "salesforce":
            continue
        obj, key = change["object"], change["source_key"]
        if change["action"] == "delete":
            assert key in before[obj] and key not in after[obj]
        elif change["action"] == "create":
            assert key not in before[obj] and after[obj][key]["CreatedDate"] == change["at"]
        elif change["action"] == "update":
            record = after[obj][key]
            assert str(record[change["field"]]) == change["value"]
            assert record["LastModifiedDate"] == record["SystemModstamp"] == change["at"]
        else:  # a formula recalculated: the value moves, SystemModstamp does not
            assert after[obj][key]["Lifetime_Value__c"] != before[obj][key]["Lifetime_Value__c"]
            assert after[obj][key]["SystemModstamp"] == before[obj][key]["SystemModstamp"]
    manifest = json.loads((day["out"] / "truth" / "manifest.json").read_text(encoding="utf-8"))
    for obj in SF_OBJECTS:
        assert manifest["counts"]["salesforce"][obj] == len(after[obj])


def test_erp_rows_follow_the_changes(day: dict[str, Any]) -> None:
    connection = sqlite3.connect(day["out"] / "erp.sqlite")
    keys = {
        "customers": "customer_id",
        "customer_contacts": "contact_id",
        "orders": "order_id",
        "invoices": "invoice_id",
    }
    checked = 0
    for change in day["changes"]:
        if change["system"] != "erp":
            continue
        table, pk = change["source_key"].rsplit("-", 1)
        row = connection.execute(f"SELECT * FROM {table} WHERE {keys[table]} = ?", (int(pk),)).fetchone()
        columns = [d[0] for d in connection.execute(f"SELECT * FROM {table} LIMIT 0").description]
        values = dict(zip(columns, row, strict=True))
        assert stamp(values["updated_at"].replace(" ", "T")) == stamp(change["at"])
        if change["action"] == "update":
            stored = values[change["field"]]
            assert (
                float(stored) == float(change["value"])
                if isinstance(stored, float | int)
                else stored == change["value"]
            )
            checked += 1
    connection.close()
    assert checked > 50


def test_truth_follows_the_day(day: dict[str, Any]) -> None:
    golden, entity_of = day["golden"], day["entity_of"]
    created = [c["source_key"] for c in day["changes"] if c["action"] == "create"]
    assert all(key in entity_of for key in created)
    per_entity = Counter(e for c in day["changes"] for e in entity_of.get(c["source_key"], []))
    checked = 0
    for change in day["changes"]:
        entities = entity_of.get(change["source_key"], [])
        if change["action"] != "update" or any(per_entity[e] > 1 for e in entities):
            continue
        if change["object"] in ("Contact", "Lead") and change["field"] in ("Email", "Title"):
            assert golden[entities[0]]["values"][change["field"]] == change["value"]
            checked += 1
        if change["object"] == "customers" and change["field"] == "credit_limit":
            company = next(e for e in entities if e.startswith("C"))
            assert golden[company]["values"]["Credit_Limit__c"] == float(change["value"])
            checked += 1
    assert checked > 5
    with open(day["out"] / "truth" / "planted_problems.csv", encoding="utf-8", newline="") as handle:
        drift = [p for p in csv.DictReader(handle) if p["kind"] == "lifetime_value_drift"]
    assert len(drift) == day["entry"]["actions"]["salesforce.silent_update"]
    assert all(p["expected_error"] == "FORMULA_CHANGED_WITHOUT_MODSTAMP" for p in drift)
    feed = (day["out"] / "inbound" / "ORDERS_20261102.csv").read_bytes().decode("latin-1").split("\r\n")
    assert feed[0] == "H|ORDERS|2026-11-02" and feed[-2] == f"T|{len(feed) - 4:06d}"


def test_a_second_day_stacks_on_the_first(day: dict[str, Any]) -> None:
    entry = mutate_company(day["out"], 1.0, seed=6)
    manifest = json.loads((day["out"] / "truth" / "manifest.json").read_text(encoding="utf-8"))
    assert entry["day"] == 2 and [m["day"] for m in manifest["mutations"]] == [1, 2]
    assert (day["out"] / "inbound" / "ORDERS_20261103.profile.yaml").exists()
    with open(day["out"] / "truth" / "mutations.csv", encoding="utf-8", newline="") as handle:
        days = Counter(row["day"] for row in csv.DictReader(handle))
    assert set(days) == {"1", "2"} and days["2"] < days["1"]
