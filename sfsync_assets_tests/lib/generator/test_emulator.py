"""The generated org loads into a real emulator through the admin API, reads back through simple-salesforce,
and a day of business goes through the normal API."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from simple_salesforce import Salesforce

from sfsync_assets.lib.emulator.process import EmulatorProcess
from sfsync_assets.lib.generator.mutate import mutate_company
from sfsync_assets.lib.generator.pipeline import GenerateConfig, generate_company, org_schema
from sfsync_assets.lib.generator.salesforce_org import OBJECTS
from sfsync_assets.lib.generator.salesforce_session import emulator_session, people_target
from sfsync_assets.lib.generator.seed_loader import seed_org

from .conftest import read_jsonl


def fetch(
    sf: Salesforce, obj: str, fields: str, ids: list[str], deleted: bool = False
) -> dict[str, dict[str, Any]]:
    found = {}
    for start in range(0, len(ids), 150):
        quoted = ",".join(f"'{record_id}'" for record_id in ids[start : start + 150])
        result = sf.query_all(
            f"SELECT Id, {fields} FROM {obj} WHERE Id IN ({quoted})", include_deleted=deleted
        )
        found.update({record["Id"]: record for record in result["records"]})
    return found


def test_seeded_org_reads_back_through_the_api(emulator: EmulatorProcess, tmp_path: Path) -> None:
    out_dir = tmp_path / "company"
    generate_company(GenerateConfig(out_dir=out_dir, scale=5_000, seed=31))
    seeded = seed_org(out_dir, emulator.admin, org_schema())
    assert sum(seeded.values()) >= 1_000
    sf = emulator_session(emulator.state_dir)
    fields = {
        "User": "Username, CreatedDate",
        "Account": "Name, Phone, Industry, CreatedDate, SystemModstamp",
        "Contact": "AccountId, LastName, Email, LastModifiedDate",
        "Lead": "Status, Company, OwnerId",
        "Opportunity": "StageName, AccountId, Amount",
        "Customer_Profile__c": "Account__c, Payment_Terms__c",
    }
    for obj in OBJECTS:
        records = read_jsonl(out_dir / "salesforce" / f"{obj}.jsonl")
        assert len(records) == seeded[obj]
        fetched = fetch(sf, obj, fields[obj], [r["Id"] for r in records])
        assert set(fetched) == {r["Id"] for r in records}, obj
        for record in records:
            for field in fields[obj].split(", "):
                assert fetched[record["Id"]][field] == record.get(field), (obj, field)
    with open(out_dir / "truth" / "entities.csv", encoding="utf-8", newline="") as handle:
        truth_ids = {
            row["source_key"]: row["source_id"]
            for row in csv.DictReader(handle)
            if row["system"] == "salesforce"
        }
    contacts = read_jsonl(out_dir / "salesforce" / "Contact.jsonl")
    assert all(truth_ids[c["_source_key"]] == c["Id"] for c in contacts)


def test_a_day_of_business_goes_through_the_api(fresh_emulator: EmulatorProcess, tmp_path: Path) -> None:
    """An org of its own: two generated companies in one org would share ERP ids, which are unique there."""
    out_dir = tmp_path / "company"
    generate_company(GenerateConfig(out_dir=out_dir, scale=3_000, seed=32))
    seed_org(out_dir, fresh_emulator.admin, org_schema())
    target = people_target(fresh_emulator.state_dir)
    entry = mutate_company(out_dir, 5.0, seed=3, target=target)
    assert entry["salesforce_api"] and entry["actions"]["salesforce.update"] > 0
    with open(out_dir / "truth" / "mutations.csv", encoding="utf-8", newline="") as handle:
        changes = [c for c in csv.DictReader(handle) if c["system"] == "salesforce"]
    current = {
        obj: {r["_source_key"]: r for r in read_jsonl(out_dir / "salesforce" / f"{obj}.jsonl")}
        for obj in ("Account", "Contact", "Lead", "Opportunity")
    }
    deleted = [c for c in changes if c["action"] == "delete"]
    for change in changes:
        if change["action"] not in ("update", "silent_update"):
            continue
        record = current[change["object"]][change["source_key"]]
        field = change["field"]
        answer = fetch(
            target.api, change["object"], f"{field}, SystemModstamp, LastModifiedById", [record["Id"]]
        )
        assert str(answer[record["Id"]][field]) == change["value"]
        if change["action"] == "silent_update":
            assert answer[record["Id"]]["SystemModstamp"] == record["SystemModstamp"]
        else:  # people make a day's edits, not the integration user sfsync logs in as
            assert answer[record["Id"]]["LastModifiedById"] != fresh_emulator.credentials.user_id
    created = [c for c in changes if c["action"] == "create"]
    assert created and all(current["Lead"][c["source_key"]]["Id"].startswith("00Q") for c in created)
    assert deleted
