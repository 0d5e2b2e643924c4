"""golden_expected.jsonl follows the documented survivorship rule, checked against the source data itself."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from .conftest import read_jsonl


@pytest.fixture(scope="module")
def golden(company: Path) -> dict[str, dict[str, Any]]:
    with open(company / "truth" / "golden_expected.jsonl", encoding="utf-8") as handle:
        return {record["entity_id"]: record for record in map(json.loads, handle)}


def entity_of(entities: list[dict[str, str]], prefix: str) -> dict[str, str]:
    return {row["source_key"]: row["entity_id"] for row in entities if row["entity_id"].startswith(prefix)}


def test_every_winner_is_a_record_of_the_entity(
    golden: dict[str, dict[str, Any]], entities: list[dict[str, str]]
) -> None:
    records = {(row["source_key"], row["entity_id"]) for row in entities}
    assert len(golden) > 1000
    for entity_id, record in golden.items():
        assert record["entity_type"] in ("company", "person")
        assert set(record["winners"]) == set(record["values"])
        for index in record["winners"].values():
            assert (record["sources"][index][2], entity_id) in records


def test_contact_fields_come_from_the_latest_salesforce_record(
    company: Path,
    golden: dict[str, dict[str, Any]],
    entities: list[dict[str, str]],
    problems: list[dict[str, str]],
) -> None:
    bad_names = {p["source_key"] for p in problems if p["field"] == "Name" and p["expected_error"]}
    company_of = entity_of(entities, "C")
    latest: dict[str, tuple[str, str]] = {}
    for account in read_jsonl(company / "salesforce" / "Account.jsonl"):
        if account["_source_key"] in bad_names:
            continue
        entity = company_of[account["_source_key"]]
        candidate = (account["LastModifiedDate"], account["Name"])
        latest[entity] = max(latest.get(entity, candidate), candidate)
    assert len(latest) > 300
    assert all(golden[entity]["values"]["Name"] == name for entity, (_, name) in latest.items())

    person_of = entity_of(entities, "P")
    emails: dict[str, tuple[str, str]] = {}
    for object_name in ("Contact", "Lead"):
        for record in read_jsonl(company / "salesforce" / f"{object_name}.jsonl"):
            entity = person_of[record["_source_key"]]
            candidate = (record["LastModifiedDate"], record["_source_key"], record["Email"].lower())
            emails[entity] = max(emails.get(entity, candidate), candidate)
    assert len(emails) > 700
    assert all(golden[entity]["values"]["Email"] == email for entity, (_, _, email) in emails.items())


def test_finance_fields_come_from_the_latest_erp_row(
    company: Path, golden: dict[str, dict[str, Any]], entities: list[dict[str, str]]
) -> None:
    company_of = entity_of(entities, "C")
    connection = sqlite3.connect(company / "erp.sqlite")
    latest: dict[str, tuple[str, float]] = defaultdict(lambda: ("", 0.0))
    for customer_id, updated_at, credit_limit in connection.execute(
        "SELECT customer_id, updated_at, credit_limit FROM customers"
    ):
        entity = company_of[f"customers-{customer_id}"]
        latest[entity] = max(latest[entity], (updated_at, credit_limit))
    connection.close()
    assert len(latest) > 300
    assert all(golden[entity]["values"]["Credit_Limit__c"] == limit for entity, (_, limit) in latest.items())
    split = [
        g
        for g in golden.values()
        if {"Phone", "Credit_Limit__c"} <= set(g["winners"])
        and g["sources"][g["winners"]["Phone"]][0] == "salesforce"
        and g["sources"][g["winners"]["Credit_Limit__c"]][0] == "erp"
    ]
    assert len(split) > 100  # one golden record, fields from two systems
