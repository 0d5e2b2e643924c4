"""Mapping records in memory: bad values become findings naming the field, never exceptions that stop the batch."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml

from sfsync_assets.lib.mapping.engine import SourceMapper
from sfsync_assets.lib.mapping.findings import Finding, Outcome, Rule
from sfsync_assets.lib.mapping.spec import SourceMapping, load_mapping

EXPORT = {
    "source": {
        "system": "legacy_csv",
        "object": "CUSTEXPORT",
        "table": "raw_legacy.custexport",
        "id": "legacy_id",
        "updated_at": {"from": "last_chg", "type": "timestamp"},
        "date_formats": ["DD/MM/YYYY"],
        "decimal_separator": ",",
        "thousands_separator": ".",
        "phone_region_from": "country",
        "record_lineage": {"file": "_source_file", "line": "_line_number"},
        "checks": [{"from": "notes", "required": True}],
    },
    "targets": [
        {
            "entity": "organization",
            "staged_as": "customer",
            "description": "Legacy customers.",
            "usable_if_any": ["Name", "Phone"],
            "fields": {
                "Name": {"from": "name", "required": True, "transforms": ["trim", "repair_mojibake"]},
                "Phone": {"from": "phone", "transforms": [{"phone_e164": {"integer_storage": True}}]},
                "BillingCountry": {"from": "country", "transforms": ["country_iso2"]},
                "Credit_Limit__c": {"from": "credit_limit", "type": "decimal"},
                "Customer_Since__c": {"from": "customer_since", "type": "date"},
                "ERP_Customer_Id__c": {
                    "from": "erp_no",
                    "references": {"table": "raw_erp.customers", "column": "id"},
                },
            },
        },
        {
            "entity": "person",
            "staged_as": "contact",
            "description": "Their primary contacts.",
            "fields": {
                "LastName": {"from": "name", "transforms": ["trim", "repair_mojibake"]},
                "DoNotCall": {"from": "do_not_call", "type": "boolean", "default": False},
                "organization_source_key": {
                    "from": "legacy_id",
                    "transforms": [{"template": "legacy_csv:CUSTEXPORT:{}"}],
                },
            },
        },
    ],
}
GOOD = {
    "legacy_id": "LC000001",
    "name": "JosÃ© Foods",
    "phone": "2079460000",
    "country": "United Kingdom",
    "credit_limit": "1.250.000,00",
    "customer_since": "02/03/2026",
    "last_chg": "05/03/2026",
    "erp_no": "100001",
    "notes": "key account",
    "_source_file": "CUSTEXPORT_20261101.csv",
    "_line_number": 3,
}


@pytest.fixture
def mapping(tmp_path: Path) -> SourceMapping:
    path = tmp_path / "legacy_csv__custexport.yaml"
    path.write_text(yaml.safe_dump(EXPORT), encoding="utf-8")
    return load_mapping(path)


@pytest.fixture
def mapper(mapping: SourceMapping) -> SourceMapper:
    return SourceMapper(mapping, "run-1", {("raw_erp.customers", "id"): frozenset({"100001"})})


def findings_of(mapped, target: str) -> dict[tuple[str, Rule], Finding]:
    return {(f.field, f.rule): f for f in mapped.findings[target]}


def test_a_clean_record_becomes_canonical_rows(mapper: SourceMapper) -> None:
    mapped = mapper.map(GOOD)
    row = mapped.rows["customer"]
    assert row["source_key"] == "legacy_csv:CUSTEXPORT:LC000001"
    assert row["source_updated_at"] == datetime(2026, 3, 5, tzinfo=UTC)
    assert row["ingest_run_id"] == "run-1" and row["is_deleted"] is False
    assert row["Name"] == "José Foods"
    assert row["Phone"] == "+442079460000"
    assert row["BillingCountry"] == "GB"
    assert row["Credit_Limit__c"] == 1_250_000.0
    assert row["Customer_Since__c"] == date(2026, 3, 2)
    assert mapped.rows["contact"]["organization_source_key"] == "legacy_csv:CUSTEXPORT:LC000001"
    assert mapped.rows["contact"]["DoNotCall"] is False
    repairs = {(f.field, f.rule) for f in mapped.distinct_findings() if f.outcome is Outcome.REPAIRED}
    assert repairs == {
        ("organization.Name", Rule.MOJIBAKE),
        ("person.LastName", Rule.MOJIBAKE),
        ("organization.Phone", Rule.PHONE_LEADING_ZERO_LOST),
    }
    assert not any(f.is_error for f in mapped.distinct_findings())


def test_an_impossible_date_is_a_finding_naming_the_field(mapper: SourceMapper) -> None:
    mapped = mapper.map({**GOOD, "customer_since": "31/02/2026"})
    finding = findings_of(mapped, "customer")[("organization.Customer_Since__c", Rule.INVALID_DATE)]
    assert finding.source_field == "customer_since"
    assert finding.value == "31/02/2026"
    assert finding.outcome is Outcome.VALUE_REJECTED
    assert finding.reason.startswith("customer_since: '31/02/2026' is not a real date under DD/MM/YYYY")
    assert mapped.rows["customer"]["Customer_Since__c"] is None
    assert mapped.rows["customer"]["Name"] == "José Foods"


def test_one_bad_value_does_not_stop_the_others(mapper: SourceMapper) -> None:
    mapped = mapper.map(
        {**GOOD, "phone": "12", "country": "Atlantis", "credit_limit": "1,2,3", "erp_no": "999"}
    )
    rules = {(f.source_field, f.rule) for f in mapped.findings["customer"]}
    assert {("phone", Rule.INVALID_PHONE), ("country", Rule.INVALID_COUNTRY)} <= rules
    assert {("credit_limit", Rule.INVALID_NUMBER), ("erp_no", Rule.ORPHAN_LOOKUP)} <= rules
    assert mapped.rows["customer"]["Name"] == "José Foods"


def test_a_missing_required_field_is_quarantined_but_the_record_is_kept(mapper: SourceMapper) -> None:
    mapped = mapper.map({**GOOD, "name": "  ", "notes": None})
    customer = findings_of(mapped, "customer")
    assert customer[("organization.Name", Rule.REQUIRED_FIELD_MISSING)].outcome is Outcome.VALUE_REJECTED
    assert customer[("notes", Rule.REQUIRED_FIELD_MISSING)].outcome is Outcome.VALUE_REJECTED
    assert mapped.rows["customer"]["Phone"] == "+442079460000"


def test_a_record_with_nothing_to_match_on_is_not_staged(mapper: SourceMapper) -> None:
    mapped = mapper.map({**GOOD, "name": None, "phone": None})
    assert mapped.rows["customer"] is None
    assert findings_of(mapped, "customer")[("", Rule.REQUIRED_FIELD_MISSING)].outcome is Outcome.ROW_REJECTED
    assert mapped.rows["contact"] is not None


def test_a_record_without_id_is_referred_to_by_file_and_line(mapper: SourceMapper) -> None:
    mapped = mapper.map({**GOOD, "legacy_id": None})
    assert mapped.record_ref == "CUSTEXPORT_20261101.csv line 3"
    assert mapped.rows == {"customer": None, "contact": None}
    assert [f.outcome for f in mapped.distinct_findings()] == [Outcome.ROW_REJECTED]


def test_each_target_reports_its_own_values_and_shared_problems_once(mapper: SourceMapper) -> None:
    mapped = mapper.map({**GOOD, "name": "Ã©Ã©", "notes": None})
    found = [(f.field, f.rule) for f in mapped.distinct_findings()]
    assert ("organization.Name", Rule.MOJIBAKE) in found and ("person.LastName", Rule.MOJIBAKE) in found
    assert found.count(("notes", Rule.REQUIRED_FIELD_MISSING)) == 1
    assert mapped.rows["contact"]["LastName"] == mapped.rows["customer"]["Name"] == "éé"


def test_a_record_without_its_own_country_takes_the_next_declared_one(tmp_path: Path) -> None:
    spec = {**EXPORT, "source": {**EXPORT["source"], "phone_region_from": ["country", "web_country"]}}
    spec["source"]["default_phone_region"] = "US"
    path = tmp_path / "legacy_csv__custexport.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    mapper = SourceMapper(load_mapping(path), "run-1", {("raw_erp.customers", "id"): frozenset({"100001"})})
    # 2079460000 is a London number that lost its trunk zero.
    from_second = mapper.map({**GOOD, "country": None, "web_country": "UK"})
    assert from_second.rows["customer"]["Phone"] == "+442079460000"
    assert ("organization.Phone", Rule.PHONE_LEADING_ZERO_LOST) in findings_of(from_second, "customer")
    # With no evidence the source's default region decides, and in the US the digits are another valid
    # number (Maine): why every country the record offers is tried first.
    from_default = mapper.map({**GOOD, "country": None, "web_country": ""})
    assert from_default.rows["customer"]["Phone"] == "+12079460000"


def test_findings_about_staged_values_name_the_row_and_canonical_field(mapper: SourceMapper) -> None:
    mapped = mapper.map({**GOOD, "notes": None, "erp_no": "999"})
    assert mapped.source_key == "legacy_csv:CUSTEXPORT:LC000001"
    named = {f.field: f.canonical_field for f in mapped.distinct_findings()}
    assert named["organization.ERP_Customer_Id__c"] == "organization.ERP_Customer_Id__c"
    assert named["organization.Name"] == "organization.Name"  # a repair: the staged value is not the source's
    assert named["notes"] is None  # a source check: no canonical value
