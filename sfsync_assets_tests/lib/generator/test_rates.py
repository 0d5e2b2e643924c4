"""Planted problems appear at their configured rates, and the truth files list exactly what is in the data."""

from __future__ import annotations

import csv
import math
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

from sfsync_assets.demo import DemoSettings
from sfsync_assets.lib.generator.pipeline import GenerateConfig, generate_company, org_schema
from sfsync_assets.lib.generator.rates import DATA_LOSING
from sfsync_assets.lib.generator.truth import EXPECTED_ERRORS
from sfsync_assets.lib.generator.vocab import COUNTRY_BY_CODE

from .conftest import RATES, read_jsonl


def within_binomial(hits: int, trials: int, rate: float) -> bool:
    """True when `hits` is within 4 standard deviations of a Binomial(trials, rate) mean (plus one)."""
    return abs(hits - trials * rate) <= 4 * math.sqrt(trials * rate * (1 - rate)) + 1


def test_every_rate_is_realised_within_binomial_tolerance(manifest: dict[str, Any]) -> None:
    tallies = manifest["planted_rates"]
    configured = RATES.as_dict()
    checked = 0
    for name, tally in tallies.items():
        assert tally["configured"] == configured[name]
        if tally["eligible"] >= 100:
            assert within_binomial(tally["hits"], tally["eligible"], configured[name]), (name, tally)
            checked += 1
    for name in (
        "duplicate_in_system",
        "orphan_lookup",
        "invalid_picklist",
        "missing_required",
        "mojibake",
        "impossible_date",
        "nickname",
        "name_typo",
        "email_domain_changed",
        "address_abbreviation",
        "erp_phone_national_format",
        "customer_in_salesforce",
        "conflicting_edit",
    ):
        assert tallies[name]["eligible"] >= 100, name
        assert tallies[name]["hits"] > 0, name
    assert checked >= 25


def test_truth_file_lists_every_planted_hit(manifest: dict[str, Any], problems: list[dict[str, str]]) -> None:
    kinds = Counter(row["kind"] for row in problems)
    hits = {name: tally["hits"] for name, tally in manifest["planted_rates"].items()}
    for kind in (
        "orphan_lookup",
        "invalid_picklist",
        "missing_required",
        "impossible_date",
        "mojibake",
        "nickname",
        "name_typo",
        "initial_only",
        "swapped_names",
        "email_domain_changed",
        "address_abbreviation",
        "company_name_variation",
    ):
        assert kinds[kind] == hits[kind], kind
    assert kinds["duplicate"] == hits["duplicate_in_system"]
    assert kinds["conflicting_edit"] == 2 * hits["conflicting_edit"]  # one row per system
    assert all(row["expected_error"] == EXPECTED_ERRORS[row["kind"]] for row in problems)
    assert manifest["truth"]["planted_problems"] == dict(sorted(kinds.items()))


def test_invalid_picklist_values_counted_from_the_salesforce_files(
    company: Path, problems: list[dict[str, str]]
) -> None:
    schema = org_schema()
    checked = {
        "Lead": ("Status", "LeadSource", "Industry"),
        "Account": ("Industry",),
        "Opportunity": ("StageName",),
        "Customer_Profile__c": ("Payment_Terms__c",),
    }
    found, records = set(), 0
    for object_name, fields in checked.items():
        obj = schema.object(object_name)
        for record in read_jsonl(company / "salesforce" / f"{object_name}.jsonl"):
            records += 1
            for field in fields:
                value = record.get(field)
                if value is not None and value not in obj.field(field).picklist_values:
                    found.add((object_name, record["_source_key"], field))
    planted = {
        (p["object"], p["source_key"], p["field"])
        for p in problems
        if p["system"] == "salesforce" and p["kind"] == "invalid_picklist"
    }
    assert found == planted
    leads = read_jsonl(company / "salesforce" / "Lead.jsonl")
    assert (
        len({key for obj, key, _ in found if obj == "Lead"})
        == len([p for p in planted if p[0] == "Lead"])
        > 0
    )
    assert within_binomial(len(found), records, RATES.invalid_picklist)
    assert len(leads) > 200


def test_erp_phones_that_lost_a_leading_zero(company: Path, problems: list[dict[str, str]]) -> None:
    """Counted from the database alone: a trunk-zero country's number not starting with its calling code."""
    connection = sqlite3.connect(company / "erp.sqlite")
    country_of = dict(
        connection.execute(
            "SELECT customer_id, country_code FROM addresses WHERE address_type = 'BILL'"
        ).fetchall()
    )
    phones = [
        (f"customers-{cid}", field, cid, value)
        for cid, phone, contact_phone in connection.execute(
            "SELECT customer_id, phone, contact_phone FROM customers"
        )
        for field, value in (("phone", phone), ("contact_phone", contact_phone))
    ]
    phones += [
        (f"customer_contacts-{pk}", field, cid, value)
        for pk, cid, phone, mobile in connection.execute(
            "SELECT contact_id, customer_id, phone, mobile FROM customer_contacts"
        )
        for field, value in (("phone", phone), ("mobile", mobile))
    ]
    connection.close()
    lost, in_trunk_countries, known = set(), 0, set()
    for key, field, customer_id, value in phones:
        country = COUNTRY_BY_CODE.get(country_of.get(customer_id, ""))
        if value is None or country is None:
            continue
        assert isinstance(value, int)
        known.add((key, field))
        if country.phone.trunk_prefix == "0":
            in_trunk_countries += 1
            if not str(value).startswith(country.phone.calling_code):
                lost.add((key, field))
    planted = {(p["source_key"], p["field"]) for p in problems if p["kind"] == "phone_leading_zero_lost"}
    assert lost == planted & known
    assert len(planted - known) < 0.05 * len(planted)  # rows of orphaned contacts have no country to check
    assert within_binomial(len(lost), in_trunk_countries, RATES.erp_phone_national_format)


def test_missing_names_and_mojibake_are_visible_in_contacts(
    company: Path, problems: list[dict[str, str]]
) -> None:
    contacts = read_jsonl(company / "salesforce" / "Contact.jsonl")
    missing = {c["_source_key"] for c in contacts if "LastName" not in c}
    garbled = {c["_source_key"] for c in contacts if "Ã" in c.get("FirstName", "") + c.get("LastName", "")}
    assert missing == {
        p["source_key"] for p in problems if p["object"] == "Contact" and p["kind"] == "missing_required"
    }
    assert garbled == {
        p["source_key"] for p in problems if p["object"] == "Contact" and p["kind"] == "mojibake"
    }
    assert garbled


def test_orphan_lookups_point_at_nothing(company: Path, problems: list[dict[str, str]]) -> None:
    account_ids = {a["Id"] for a in read_jsonl(company / "salesforce" / "Account.jsonl")}
    for object_name in ("Contact", "Opportunity"):
        orphans = {
            r["_source_key"]
            for r in read_jsonl(company / "salesforce" / f"{object_name}.jsonl")
            if r["AccountId"] not in account_ids
        }
        assert orphans == {
            p["source_key"] for p in problems if p["object"] == object_name and p["kind"] == "orphan_lookup"
        }
    connection = sqlite3.connect(company / "erp.sqlite")
    orphan_orders = {
        f"orders-{pk}"
        for (pk,) in connection.execute(
            "SELECT order_id FROM orders WHERE customer_id NOT IN (SELECT customer_id FROM customers)"
        )
    }
    connection.close()
    assert orphan_orders == {
        p["source_key"] for p in problems if p["object"] == "orders" and p["kind"] == "orphan_lookup"
    }
    assert orphan_orders


def test_duplicates_are_extra_records_of_one_entity(
    entities: list[dict[str, str]], problems: list[dict[str, str]]
) -> None:
    per_entity = Counter(row["entity_id"] for row in entities if row["object"] == "Account")
    extra_accounts = sum(count - 1 for count in per_entity.values())
    assert extra_accounts == sum(1 for p in problems if p["object"] == "Account" and p["kind"] == "duplicate")
    assert extra_accounts > 0


def test_the_demo_company_stays_below_the_one_percent_error_rate_limit(tmp_path: Path) -> None:
    """At the default bad-row rate, no object of the company `sfsync demo` generates has 1 % bad records."""
    demo = DemoSettings()
    out_dir = tmp_path / "demo"
    manifest = generate_company(GenerateConfig(out_dir=out_dir, scale=demo.scale, seed=demo.seed))
    records = {
        **{("salesforce", name): count for name, count in manifest["counts"]["salesforce"].items()},
        **{("erp", name): count for name, count in manifest["counts"]["erp"].items()},
    }
    with open(out_dir / "truth" / "planted_problems.csv", encoding="utf-8", newline="") as handle:
        bad: dict[tuple[str, str], set[str]] = {}
        for row in csv.DictReader(handle):
            if row["kind"] in DATA_LOSING and (row["system"], row["object"]) in records:
                bad.setdefault((row["system"], row["object"]), set()).add(row["source_key"])
    shares = {key: len(keys) / records[key] for key, keys in bad.items()}
    assert shares and max(shares.values()) < 0.01, shares
