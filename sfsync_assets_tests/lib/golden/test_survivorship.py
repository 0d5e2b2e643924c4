"""Survivorship on a hand-written entity: every rule of the matrix, and the provenance and conflicts it leaves."""

from __future__ import annotations

import duckdb
import pytest

from sfsync_assets.lib.golden.conflicts import build_conflicts
from sfsync_assets.lib.golden.consent import consent_version
from sfsync_assets.lib.golden.matrix import load_system_of_record
from sfsync_assets.lib.golden.survivorship import build_golden
from sfsync_assets.lib.matching.resolve import resolve_identities
from sfsync_assets.lib.matching.settings import load_matching_settings
from sfsync_assets.lib.warehouse.quarantine import QuarantinedRow, quarantine
from sfsync_assets_tests.lib.matching.prepared import stage_rows

ACME = "100001"
ORGANIZATIONS = [
    # Salesforce: the contact fields' system of record; its phone and industry are not valid values.
    {
        "source_key": "salesforce:Account:1",
        "Name": "Acme Inc.",
        "Phone": "12345",
        "Industry": "Tech",
        "Credit_Limit__c": 6000.0,
        "ERP_Customer_Id__c": ACME,
        "source_updated_at": "2026-01-01T00:00:00Z",
    },
    {
        "source_key": "salesforce:Account:2",
        "Name": "ACME Incorporated",
        "ERP_Customer_Id__c": ACME,
        "source_updated_at": "2026-06-01T00:00:00Z",
    },
    {
        "source_key": "salesforce:Account:3",
        "Name": "Deleted Acme",
        "ERP_Customer_Id__c": ACME,
        "is_deleted": True,
        "source_updated_at": "2026-10-01T00:00:00Z",
    },
    # ERP: the finance fields' system of record; the first row's phone is quarantined, the second row is a
    # newer duplicate with its own customer number.
    {
        "source_key": f"erp:customers:{ACME}",
        "Name": "Acme",
        "Phone": "+12125550100",
        "Industry": "Technology",
        "Credit_Limit__c": 5000.0,
        "Tax_Id__c": "T-1",
        "ERP_Customer_Id__c": ACME,
        "source_updated_at": "2025-01-01T00:00:00Z",
    },
    {
        "source_key": "erp:customers:8000001",
        "Phone": "+12125550199",
        "Credit_Limit__c": 7000.0,
        "Tax_Id__c": "T-1",
        "ERP_Customer_Id__c": "8000001",
        "source_updated_at": "2026-09-01T00:00:00Z",
    },
    # The mainframe: ARBAL is newer than CUSTMAST but never gives the name.
    {
        "source_key": "legacy_ebcdic:CUSTMAST:7",
        "Name": "GLOBEX CORPORATION",
        "source_updated_at": "2020-01-01T00:00:00Z",
    },
    {
        "source_key": "legacy_fixed:ARBAL:7",
        "Name": "GLOBEX CORPORATIO",
        "Credit_Limit__c": 1000.0,
        "source_updated_at": "2026-10-31T00:00:00Z",
    },
]


@pytest.fixture(scope="module")
def golden(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    path = tmp_path_factory.mktemp("survivorship") / "warehouse.duckdb"
    connection = duckdb.connect(str(path))
    stage_rows(connection, "organization", ORGANIZATIONS)
    stage_rows(connection, "person", [])
    quarantine(
        connection,
        [
            QuarantinedRow(
                "erp",
                "customers",
                ACME,
                "phone",
                "PHONE_LEADING_ZERO_LOST",
                "lost trunk zero",
                source_key=f"erp:customers:{ACME}",
                canonical_field="organization.Phone",
            )
        ],
        "test",
    )
    resolve_identities(connection, load_matching_settings(), "run-1")
    matrix = load_system_of_record()
    build_golden(connection, "organization", matrix, "run-1")
    build_conflicts(connection, "organization", matrix, "run-1")
    yield connection
    connection.close()


def field(connection: duckdb.DuckDBPyConnection, name: str, entity: str = "salesforce:Account:1") -> tuple:
    return connection.execute(
        f'SELECT g."{name}", p.source_key, p.source_system, p.rule FROM golden.organization AS g '
        "JOIN identity.xref AS x ON x.golden_id = g.golden_id AND x.source_key = ? "
        "LEFT JOIN golden.provenance AS p ON p.golden_id = g.golden_id AND p.field = ?",
        [entity, name],
    ).fetchall()[0]


def test_contact_fields_come_from_the_newest_live_salesforce_record(golden) -> None:
    value, source, system, rule = field(golden, "Name")
    assert (value, source, system) == ("ACME Incorporated", "salesforce:Account:2", "salesforce")
    assert rule.startswith("contact: salesforce > erp > legacy")


def test_invalid_and_quarantined_values_never_win(golden) -> None:
    assert field(golden, "Industry")[:2] == ("Technology", f"erp:customers:{ACME}")
    assert field(golden, "Phone")[:2] == ("+12125550199", "erp:customers:8000001")


def test_finance_fields_come_from_the_newest_erp_record(golden) -> None:
    assert field(golden, "Credit_Limit__c")[:2] == (7000.0, "erp:customers:8000001")


def test_an_identifier_held_by_most_records_wins_over_a_newer_duplicate(golden) -> None:
    value, _, _, rule = field(golden, "ERP_Customer_Id__c")
    assert value == ACME and rule.startswith("value held by most records first")


def test_an_ignored_source_never_gives_the_field(golden) -> None:
    assert field(golden, "Name", "legacy_ebcdic:CUSTMAST:7")[:2] == (
        "GLOBEX CORPORATION",
        "legacy_ebcdic:CUSTMAST:7",
    )
    assert field(golden, "Credit_Limit__c", "legacy_ebcdic:CUSTMAST:7")[:2] == (
        1000.0,
        "legacy_fixed:ARBAL:7",
    )


def test_provenance_counts_the_competition(golden) -> None:
    competing, refused = golden.execute(
        "SELECT competing, refused FROM golden.provenance WHERE field = 'Phone' AND source_key = ?",
        ["erp:customers:8000001"],
    ).fetchall()[0]
    assert (competing, refused) == (1, 2)


def test_systems_that_disagree_are_listed_with_both_sides(golden) -> None:
    rows = golden.execute(
        "SELECT golden_value, golden_system, other_value, other_system, other_source_key, other_updated_at "
        "FROM golden.conflicts WHERE field = 'Credit_Limit__c'"
    ).fetchall()
    assert [row[:5] for row in rows] == [("7000.0", "erp", "6000.0", "salesforce", "salesforce:Account:1")]
    assert rows[0][5] is not None


def test_an_opt_out_in_any_system_wins_over_the_system_of_record(tmp_path) -> None:
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    person = {"FirstName": "Ada", "LastName": "Lovelace", "Email": "ada@example.com"}
    stage_rows(connection, "organization", [])
    stage_rows(
        connection,
        "person",
        [
            # Salesforce, newest and first for contact fields, has not heard of any opt-out.
            {
                "source_key": "salesforce:Contact:1",
                **person,
                "HasOptedOutOfEmail": False,
                "DoNotCall": False,
                "source_updated_at": "2026-06-01T00:00:00Z",
            },
            {
                "source_key": "salesforce:Lead:2",
                **person,
                "HasOptedOutOfEmail": True,
                "source_updated_at": "2025-01-01T00:00:00Z",
            },
        ],
    )
    resolve_identities(connection, load_matching_settings(), "run-1")
    build_golden(connection, "person", load_system_of_record(), "run-1")

    golden = connection.execute("SELECT HasOptedOutOfEmail, DoNotCall FROM golden.person").fetchall()
    provenance = dict(
        connection.execute(
            "SELECT field, source_key || ' / ' || rule FROM golden.provenance "
            "WHERE field IN ('HasOptedOutOfEmail', 'DoNotCall')"
        ).fetchall()
    )
    assert golden == [(True, False)]
    assert provenance["HasOptedOutOfEmail"].startswith(
        "salesforce:Lead:2 / true (opted out) in any record wins"
    )
    assert provenance["DoNotCall"].startswith("salesforce:Contact:1")
    matrix = load_system_of_record()
    before = consent_version(connection, "person", matrix)
    connection.execute("UPDATE golden.person SET Title = 'Countess'")
    assert consent_version(connection, "person", matrix) == before
    connection.execute("UPDATE golden.person SET DoNotCall = true")
    assert consent_version(connection, "person", matrix) != before


def test_a_repaired_value_that_lost_is_still_listed_as_a_conflict(tmp_path) -> None:
    """The ERP's phone lost its trunk zero and was repaired: it cannot win, but it is the ERP's own edit and
    disagrees with Salesforce's, so a steward must see both."""
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    stage_rows(
        connection,
        "organization",
        [
            {
                "source_key": "salesforce:Account:1",
                "Name": "Initech AG",
                "Phone": "+41441234567",
                "ERP_Customer_Id__c": "100002",
                "source_updated_at": "2026-01-01T00:00:00Z",
            },
            {
                "source_key": "erp:customers:100002",
                "Name": "Initech AG",
                "Phone": "+41229999999",
                "ERP_Customer_Id__c": "100002",
                "source_updated_at": "2026-02-01T00:00:00Z",
            },
        ],
    )
    stage_rows(connection, "person", [])
    repaired = QuarantinedRow(
        "erp",
        "customers",
        "100002",
        "phone",
        "PHONE_LEADING_ZERO_LOST",
        "lost trunk zero; restored as +41229999999",
        source_key="erp:customers:100002",
        canonical_field="organization.Phone",
    )
    quarantine(connection, [repaired], "test")
    resolve_identities(connection, load_matching_settings(), "run-1")
    matrix = load_system_of_record()
    build_golden(connection, "organization", matrix, "run-1")
    build_conflicts(connection, "organization", matrix, "run-1")

    assert connection.execute("SELECT Phone FROM golden.organization").fetchall() == [("+41441234567",)]
    assert connection.execute(
        "SELECT golden_value, golden_source_key, other_value, other_source_key FROM golden.conflicts "
        "WHERE field = 'Phone'"
    ).fetchall() == [("+41441234567", "salesforce:Account:1", "+41229999999", "erp:customers:100002")]
