"""WHERE clauses of the SOQL engine: operators, literals of every form, null semantics, LIKE, IN, multi-select
picklists, semi-joins and relative date literals, each run against real SQLite rows."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from simple_salesforce import format_soql

from sfsync_assets.lib.emulator.schema import load_schema

from .test_soql_support import SampleOrg, SoqlOrg, sample_org


@pytest.fixture(scope="module")
def sample() -> SampleOrg:
    return sample_org()


def names(sample: SampleOrg, where: str, sobject: str = "Account", **options: object) -> list[str]:
    return sample.org.values(f"SELECT Name FROM {sobject} WHERE {where}", **options)


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("NumberOfEmployees = 7", ["initech"]),
        ("NumberOfEmployees > 7", ["Acme"]),
        ("NumberOfEmployees >= 7", ["Acme", "initech"]),
        ("NumberOfEmployees < 120", ["initech"]),
        ("NumberOfEmployees <= 120", ["Acme", "initech"]),
        ("AnnualRevenue > 250.4", ["Acme", "Globex"]),
        ("AnnualRevenue < 250.5", []),
        ("AnnualRevenue > -1", ["Acme", "Globex"]),
        ("AnnualRevenue = 250.5", ["Globex"]),
    ],
)
def test_numeric_comparisons(sample: SampleOrg, where: str, expected: list[str]) -> None:
    assert names(sample, where) == expected


def test_not_equal_keeps_nulls_as_soql_does(sample: SampleOrg) -> None:
    assert names(sample, "NumberOfEmployees != 7") == ["Acme", "Globex"]
    assert names(sample, "NumberOfEmployees <> 7") == ["Acme", "Globex"]
    assert names(sample, "Industry != 'Banking'") == ["Globex", "initech"]


def test_null_and_empty_string(sample: SampleOrg) -> None:
    assert names(sample, "Industry = null") == ["initech"]
    assert names(sample, "Industry != NULL") == ["Acme", "Globex"]
    assert names(sample, "Industry = ''") == ["initech"]


def test_text_equality_and_in_are_case_insensitive(sample: SampleOrg) -> None:
    assert names(sample, "Name = 'ACME'") == ["Acme"]
    assert names(sample, "Name IN ('GLOBEX', 'Initech', 'nobody')") == ["Globex", "initech"]
    assert names(sample, "Industry = 'banking'") == ["Acme"]


def test_keywords_and_names_are_case_insensitive(sample: SampleOrg) -> None:
    assert sample.org.values(
        "select NAME from aCCount where inDUSTRY = 'Retail' Order By name Desc Limit 5", "Name"
    ) == ["Globex"]


def test_booleans(sample: SampleOrg) -> None:
    assert names(sample, "HasOptedOutOfEmail = true", "Contact") == ["Grace Hopper"]
    assert names(sample, "HasOptedOutOfEmail = FALSE", "Contact") == ["Alan Turing", "Orphan Annie"]
    assert names(sample, "HasOptedOutOfEmail != true", "Contact") == ["Alan Turing", "Orphan Annie"]


def test_ids_match_in_15_and_18_character_form(sample: SampleOrg) -> None:
    acme = sample.ids["acme"]
    assert names(sample, f"Id = '{acme}'") == ["Acme"]
    assert names(sample, f"Id = '{acme[:15]}'") == ["Acme"]
    assert names(sample, f"AccountId IN ('{acme[:15]}')", "Contact") == ["Grace Hopper"]
    assert names(sample, "AccountId = null", "Contact") == ["Orphan Annie"]


def test_in_and_not_in(sample: SampleOrg) -> None:
    assert names(sample, "Industry IN ('Banking', 'Retail')") == ["Acme", "Globex"]
    assert names(sample, "Industry IN ('Banking', null)") == ["Acme", "initech"]
    assert names(sample, "Industry NOT IN ('Banking')") == ["Globex", "initech"]
    assert names(sample, "Industry NOT IN ('Banking', null)") == ["Globex"]


def test_and_or_not_and_parentheses(sample: SampleOrg) -> None:
    assert names(sample, "(Industry = 'Banking' OR Industry = 'Retail') AND NOT Name = 'Acme'") == ["Globex"]
    assert names(sample, "Industry = 'Banking' OR (Rating = 'Warm' AND NumberOfEmployees < 10)") == [
        "Acme",
        "initech",
    ]
    assert names(sample, "NOT (NumberOfEmployees > 10)") == ["Globex", "initech"]
    assert names(sample, "NOT (Industry = 'Banking' OR Industry = 'Retail')") == ["initech"]
    assert names(sample, "NOT NOT Name = 'Acme'") == ["Acme"]


def test_conditions_on_parent_fields(sample: SampleOrg) -> None:
    assert names(sample, "Account.Name = 'acme'", "Contact") == ["Grace Hopper"]
    assert names(sample, "Account.Owner.Name = 'Ada Lovelace'", "Contact") == ["Grace Hopper"]
    assert names(sample, "Account.Name != 'Acme'", "Contact") == ["Alan Turing", "Orphan Annie"]
    assert names(sample, "Account.Owner.Name = null AND Account.Name != null", "Contact") == ["Alan Turing"]


# -- LIKE and string escapes ----------------------------------------------------------------------------------------


def test_like_is_case_insensitive_with_percent_and_underscore(sample: SampleOrg) -> None:
    assert names(sample, "Name LIKE 'a%'") == ["Acme"]
    assert names(sample, "Name LIKE '%E%'") == ["Acme", "Globex", "initech"]
    assert names(sample, "Name LIKE 'Glob_x'") == ["Globex"]
    assert names(sample, "Name LIKE 'Glob_'") == []
    assert names(sample, "Account.Name LIKE 'ac%'", "Contact") == ["Grace Hopper"]


@pytest.fixture(scope="module")
def tricky_names() -> SoqlOrg:
    org = SoqlOrg()
    for name in [
        "50% off",
        "50 off",
        "under_score",
        "underXscore",
        "back\\slash",
        "O'Brien",
        'Say "hi"',
        "line\nbreak",
        "tab\there",
        "Café",
    ]:
        org.insert("Account", Name=name)
    return org


@pytest.mark.parametrize(
    ("like", "expected"),
    [
        (r"'50\%%'", ["50% off"]),
        (r"'50%'", ["50% off", "50 off"]),
        (r"'under\_score'", ["under_score"]),
        (r"'under_score'", ["under_score", "underXscore"]),
        (r"'back\\slash'", ["back\\slash"]),
        (r"'%\'%'", ["O'Brien"]),
    ],
)
def test_like_escapes(tricky_names: SoqlOrg, like: str, expected: list[str]) -> None:
    assert tricky_names.values(f"SELECT Name FROM Account WHERE Name LIKE {like}") == expected


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        (r"'O\'Brien'", "O'Brien"),
        (r"'Say \"hi\"'", 'Say "hi"'),
        (r"'back\\slash'", "back\\slash"),
        (r"'line\nbreak'", "line\nbreak"),
        (r"'tab\There'", "tab\there"),
        (r"'Caf\u00e9'", "Café"),
    ],
)
def test_string_escapes(tricky_names: SoqlOrg, literal: str, expected: str) -> None:
    assert tricky_names.values(f"SELECT Name FROM Account WHERE Name = {literal}") == [expected]


def test_format_soql_quoting_round_trips(tricky_names: SoqlOrg) -> None:
    for name in ["O'Brien", "back\\slash", 'Say "hi"']:
        assert tricky_names.values(format_soql("SELECT Name FROM Account WHERE Name = {}", name)) == [name]


# -- multi-select picklists -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def regions(tmp_path_factory: pytest.TempPathFactory) -> SoqlOrg:
    schema_file = Path(tmp_path_factory.mktemp("schema")) / "org_schema.yaml"
    schema_file.write_text(
        "custom_fields:\n  Account:\n    Regions__c: {type: multipicklist, values: [EMEA, APAC, AMER]}\n"
    )
    org = SoqlOrg(load_schema(schema_file))
    org.insert("Account", Name="Both", Regions__c="EMEA;APAC")
    org.insert("Account", Name="Americas", Regions__c="AMER")
    org.insert("Account", Name="Nowhere")
    return org


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("Regions__c INCLUDES ('emea')", ["Both"]),
        ("Regions__c INCLUDES ('AMER', 'EMEA;APAC')", ["Both", "Americas"]),
        ("Regions__c INCLUDES ('APAC;EMEA')", ["Both"]),
        ("Regions__c INCLUDES ('EMEA;AMER')", []),
        ("Regions__c EXCLUDES ('EMEA')", ["Americas", "Nowhere"]),
        ("Regions__c EXCLUDES ('EMEA', 'AMER')", ["Nowhere"]),
        ("Regions__c = 'AMER'", ["Americas"]),
    ],
)
def test_includes_and_excludes(regions: SoqlOrg, where: str, expected: list[str]) -> None:
    assert regions.values(f"SELECT Name FROM Account WHERE {where}") == expected


# -- semi-joins and anti-joins ----------------------------------------------------------------------------------


def test_semi_join_on_id(sample: SampleOrg) -> None:
    assert names(sample, "Id IN (SELECT AccountId FROM Contact)") == ["Acme", "Globex"]
    assert names(sample, "Id IN (SELECT AccountId FROM Contact WHERE Email LIKE '%.uk')") == ["Globex"]


def test_anti_join_is_not_emptied_by_null_lookups(sample: SampleOrg) -> None:
    # Orphan Annie has no AccountId: SQL's `NOT IN (…, NULL)` would match nothing.
    assert names(sample, "Id NOT IN (SELECT AccountId FROM Contact)") == ["initech"]


def test_semi_join_on_a_lookup_with_parent_filters_inside(sample: SampleOrg) -> None:
    assert names(sample, "AccountId IN (SELECT Id FROM Account WHERE Industry = 'Retail')", "Contact") == [
        "Alan Turing"
    ]
    assert names(sample, "Id IN (SELECT AccountId FROM Opportunity WHERE Account.Name LIKE 'G%')") == [
        "Globex"
    ]
    assert names(
        sample, "AccountId NOT IN (SELECT Id FROM Account WHERE Industry = 'Retail')", "Contact"
    ) == ["Grace Hopper", "Orphan Annie"]


def test_subqueries_skip_deleted_rows_unless_query_all(sample: SampleOrg) -> None:
    assert names(sample, "Id IN (SELECT AccountId FROM Contact WHERE LastName = 'Writer')") == []
    assert names(
        sample, "Id IN (SELECT AccountId FROM Contact WHERE LastName = 'Writer')", include_deleted=True
    ) == ["Acme"]


# -- datetime and date literals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "literal",
    [
        "2026-03-15T23:30:00Z",
        "2026-03-16T00:30:00+01:00",
        "2026-03-15T15:30:00-08:00",
        "2026-03-16T00:30:00+0100",
        "2026-03-15T23:30:00.000Z",  # airbyte
        "2026-03-15T23:30:00.000000Z",  # dlt
        "2026-03-15T23:30:00+00:00",  # simple-salesforce format_soql
    ],
)
def test_every_datetime_form_means_the_same_instant(sample: SampleOrg, literal: str) -> None:
    compiled = sample.org.compile(f"SELECT Name FROM Account WHERE CreatedDate = {literal}")
    assert compiled.params == ["2026-03-15T23:30:00.000Z"]
    assert names(sample, f"CreatedDate = {literal}") == ["Globex"]


def test_format_soql_datetimes_compare_in_utc(sample: SampleOrg) -> None:
    moment = datetime(2026, 3, 15, 23, 30, tzinfo=UTC)
    assert sample.org.values(format_soql("SELECT Name FROM Account WHERE CreatedDate >= {}", moment)) == [
        "Globex",
        "initech",
    ]
    assert sample.org.values(format_soql("SELECT Name FROM Account WHERE CreatedDate > {}", moment)) == [
        "initech"
    ]


def test_incremental_window_like_airbyte_and_dlt_send(sample: SampleOrg) -> None:
    assert names(
        sample, "SystemModstamp >= 2026-01-01T00:00:00.000Z AND SystemModstamp < 2026-01-02T00:00:00.000Z"
    ) == ["Acme", "Globex", "initech"]
    assert names(sample, "CreatedDate > 2026-01-10T10:00:00.000000Z ORDER BY CreatedDate ASC") == [
        "Globex",
        "initech",
    ]


def test_date_fields_compare_with_dates(sample: SampleOrg) -> None:
    assert names(sample, "CloseDate = 2026-03-18", "Opportunity") == ["Deal A"]
    assert names(sample, "CloseDate < 2026-01-06", "Opportunity") == ["Deal D", "Deal E"]
    assert names(sample, "CloseDate IN (2026-03-17, 2026-03-22)", "Opportunity") == ["Deal B", "Deal C"]
    assert names(sample, "Birthdate > 1910-01-01", "Contact") == ["Alan Turing"]


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("CreatedDate = 2026-03-15", ["Globex"]),
        ("CreatedDate != 2026-03-15", ["Acme", "initech"]),
        ("CreatedDate > 2026-03-15", ["initech"]),
        ("CreatedDate >= 2026-03-15", ["Globex", "initech"]),
        ("CreatedDate < 2026-03-16", ["Acme", "Globex"]),
        ("CreatedDate <= 2026-03-15", ["Acme", "Globex"]),
        ("CreatedDate IN (2026-01-10, 2026-03-18)", ["Acme", "initech"]),
    ],
)
def test_a_date_compared_with_a_datetime_field_means_that_utc_day(
    sample: SampleOrg, where: str, expected: list[str]
) -> None:
    assert names(sample, where) == expected


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("CloseDate = TODAY", ["Deal A"]),
        ("CloseDate = YESTERDAY", ["Deal B"]),
        ("CloseDate = TOMORROW", []),
        ("CloseDate = THIS_WEEK", ["Deal A", "Deal B"]),
        ("CloseDate = NEXT_WEEK", ["Deal C"]),
        ("CloseDate < THIS_WEEK", ["Deal D", "Deal E"]),
        ("CloseDate > THIS_WEEK", ["Deal C", "Deal F"]),
        ("CloseDate <= THIS_WEEK", ["Deal A", "Deal B", "Deal D", "Deal E"]),
        ("CloseDate >= NEXT_WEEK", ["Deal C", "Deal F"]),
        ("CloseDate != THIS_WEEK", ["Deal C", "Deal D", "Deal E", "Deal F"]),
        ("CloseDate = LAST_N_DAYS:1", ["Deal A", "Deal B"]),
        ("CloseDate = NEXT_N_DAYS:4", ["Deal C"]),
        ("CloseDate = NEXT_N_DAYS:3", []),
        ("CloseDate = THIS_MONTH", ["Deal A", "Deal B", "Deal C"]),
        ("CloseDate = NEXT_MONTH", ["Deal F"]),
        ("CloseDate = LAST_MONTH", []),
        ("CloseDate = THIS_QUARTER", ["Deal A", "Deal B", "Deal C", "Deal D"]),
        ("CloseDate = THIS_YEAR", ["Deal A", "Deal B", "Deal C", "Deal D", "Deal F"]),
        ("CloseDate = LAST_YEAR", ["Deal E"]),
        ("CloseDate = NEXT_YEAR", []),
        ("CloseDate IN (YESTERDAY, NEXT_MONTH)", ["Deal B", "Deal F"]),
    ],
)
def test_relative_date_literals_on_a_date_field(sample: SampleOrg, where: str, expected: list[str]) -> None:
    assert names(sample, where, "Opportunity") == expected


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("CreatedDate = TODAY", ["initech"]),
        ("CreatedDate = LAST_N_DAYS:2", ["initech"]),
        ("CreatedDate = LAST_N_DAYS:3", ["Globex", "initech"]),
        ("CreatedDate < LAST_N_DAYS:2", ["Acme", "Globex"]),
        ("CreatedDate > YESTERDAY", ["initech"]),
        ("CreatedDate = THIS_WEEK", ["Globex", "initech"]),
        ("CreatedDate = LAST_YEAR", []),
    ],
)
def test_relative_date_literals_on_a_datetime_field(
    sample: SampleOrg, where: str, expected: list[str]
) -> None:
    assert names(sample, where) == expected


def test_relative_date_literal_ranges_are_utc_midnights(sample: SampleOrg) -> None:
    compiled = sample.org.compile("SELECT Id FROM Account WHERE CreatedDate = LAST_N_DAYS:7")
    assert compiled.params == ["2026-03-11T00:00:00.000Z", "2026-03-19T00:00:00.000Z"]
