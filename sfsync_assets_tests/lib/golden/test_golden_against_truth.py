"""Golden records of a generated company against the generator's expected golden values, field by field."""

from __future__ import annotations

import csv
import math
import shutil
from collections import Counter
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from sfsync_assets.lib.generator.truth import FIELDS_BY_TYPE
from sfsync_assets.lib.golden.conflicts import build_conflicts
from sfsync_assets.lib.golden.matrix import load_system_of_record
from sfsync_assets_tests.lib.matching.generated_company import expected_golden, truth_entities

TRUTH_TYPES = {"organization": "company", "person": "person"}
# The truth names the person's organization by entity id; the golden record by golden id.
RENAMED = {"account_entity_id": "account_golden_id"}


def comparable(value):
    if value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return round(value, 2) if isinstance(value, float) else value


def field_accuracy(company: Path, database: Path, entity_type: str) -> tuple[Counter, Counter]:
    """(matching values, compared values) per truth field; a value the truth lacks but we hold counts as wrong."""
    truth = truth_entities(company)
    with duckdb.connect(str(database), read_only=True) as connection:
        xref = connection.sql(
            "SELECT entity_type, source_key, golden_id FROM identity.xref WHERE is_active"
        ).df()
        golden = connection.sql(f"SELECT * FROM golden.{entity_type}").df().set_index("golden_id")
    xref["entity"] = [
        truth[(kind, key)] for kind, key in zip(xref["entity_type"], xref["source_key"], strict=True)
    ]
    entity_of_golden = xref.groupby("golden_id")["entity"].agg(lambda entities: entities.mode().iloc[0])
    golden_of_entity = xref.groupby("entity")["golden_id"].agg(lambda ids: ids.mode().iloc[0])
    right, compared = Counter(), Counter()
    for entity, record in expected_golden(company).items():
        if record["entity_type"] != TRUTH_TYPES[entity_type] or entity not in golden_of_entity:
            continue
        row = golden.loc[golden_of_entity[entity]]
        for name in FIELDS_BY_TYPE[record["entity_type"]]:
            expected = comparable(record["values"].get(name))
            value = comparable(row[RENAMED.get(name, name)])
            if name == "account_entity_id" and value is not None:
                value = entity_of_golden.get(value)
            if expected is None and value is None:
                continue
            compared[name] += 1
            right[name] += expected == value or (isinstance(expected, float) and value == round(expected, 2))
    return right, compared


@pytest.mark.parametrize("entity_type", ["organization", "person"])
def test_at_least_95_percent_of_golden_fields_equal_the_truth(
    company: Path, resolved: Path, entity_type: str
) -> None:
    right, compared = field_accuracy(company, resolved, entity_type)
    for name in sorted(compared):
        print(f"{entity_type}.{name}: {right[name]}/{compared[name]} = {right[name] / compared[name]:.2%}")
    overall = sum(right.values()) / sum(compared.values())
    print(f"{entity_type}: {sum(right.values())}/{sum(compared.values())} = {overall:.2%}")
    assert overall >= 0.95
    assert all(right[name] / compared[name] >= 0.9 for name in compared)


def test_planted_conflicting_edits_are_listed(company: Path, resolved: Path, tmp_path: Path) -> None:
    database = tmp_path / "warehouse.duckdb"
    shutil.copy(resolved, database)
    fields = {"Phone": "Phone", "Credit_Limit__c": "Credit_Limit__c", "Email": "Email"}
    with open(company / "truth" / "planted_problems.csv", encoding="utf-8", newline="") as handle:
        planted = {
            (row["object"], row["source_key"], row["field"])
            for row in csv.DictReader(handle)
            if row["kind"] == "conflicting_edit" and row["system"] == "salesforce"
        }
    with open(company / "truth" / "entities.csv", encoding="utf-8", newline="") as handle:
        ids = {row["source_key"]: row["source_id"] for row in csv.DictReader(handle)}
    with duckdb.connect(str(database)) as connection:
        matrix = load_system_of_record()
        for entity_type in ("organization", "person"):
            build_conflicts(connection, entity_type, matrix, "run-1")
        listed = {
            (key, name)
            for key, name in connection.execute(
                "SELECT x.source_key, c.field FROM golden.conflicts AS c JOIN identity.xref AS x "
                "ON x.golden_id = c.golden_id AND x.source_key IN (c.golden_source_key, c.other_source_key)"
            ).fetchall()
        }
    expected = {
        (f"salesforce:{obj}:{ids[key]}", fields[name]) for obj, key, name in planted if name in fields
    }
    found = expected & listed
    print(f"planted conflicting edits listed: {len(found)}/{len(expected)}")
    assert expected and len(found) >= 0.9 * len(expected)
