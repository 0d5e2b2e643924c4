"""SELECT lists, record JSON and Bulk CSV shapes, ordering, paging, counts and aggregates of the SOQL engine."""

from __future__ import annotations

import pytest

from sfsync_assets.lib.emulator.errors import SalesforceApiError

from .test_soql_support import SampleOrg, SoqlOrg, sample_org

URL = "/services/data/v59.0/sobjects"


@pytest.fixture(scope="module")
def sample() -> SampleOrg:
    return sample_org()


def test_records_carry_attributes_and_only_the_selected_fields(sample: SampleOrg) -> None:
    ids = sample.ids
    assert sample.org.records("SELECT Id, Name FROM Account ORDER BY Name") == [
        {
            "attributes": {"type": "Account", "url": f"{URL}/Account/{ids['acme']}"},
            "Id": ids["acme"],
            "Name": "Acme",
        },
        {
            "attributes": {"type": "Account", "url": f"{URL}/Account/{ids['globex']}"},
            "Id": ids["globex"],
            "Name": "Globex",
        },
        {
            "attributes": {"type": "Account", "url": f"{URL}/Account/{ids['initech']}"},
            "Id": ids["initech"],
            "Name": "initech",
        },
    ]


def test_url_uses_the_record_id_even_when_id_is_not_selected(sample: SampleOrg) -> None:
    record = sample.org.records("SELECT Name FROM Account WHERE Name = 'Acme'")[0]
    assert record == {
        "attributes": {"type": "Account", "url": f"{URL}/Account/{sample.ids['acme']}"},
        "Name": "Acme",
    }


def test_json_values_follow_the_rest_conventions(sample: SampleOrg) -> None:
    records = sample.org.records(
        "SELECT AnnualRevenue, NumberOfEmployees, CreatedDate, Industry FROM Account ORDER BY Name"
    )
    assert [{k: v for k, v in record.items() if k != "attributes"} for record in records] == [
        {
            "AnnualRevenue": 1000000.0,
            "NumberOfEmployees": 120,
            "CreatedDate": "2026-01-10T10:00:00.000+0000",
            "Industry": "Banking",
        },
        {
            "AnnualRevenue": 250.5,
            "NumberOfEmployees": None,
            "CreatedDate": "2026-03-15T23:30:00.000+0000",
            "Industry": "Retail",
        },
        {
            "AnnualRevenue": None,
            "NumberOfEmployees": 7,
            "CreatedDate": "2026-03-18T08:00:00.000+0000",
            "Industry": None,
        },
    ]
    contact = sample.org.records(
        "SELECT HasOptedOutOfEmail, Birthdate FROM Contact WHERE LastName = 'Hopper'"
    )
    assert contact[0]["HasOptedOutOfEmail"] is True
    assert contact[0]["Birthdate"] == "1906-12-09"


def test_keys_use_canonical_api_casing_whatever_the_query_casing(sample: SampleOrg) -> None:
    record = sample.org.records(
        "select id, NAME, account.NAME, ACCOUNT.owner.name from contact where lastname = 'hopper'"
    )[0]
    assert list(record) == ["attributes", "Id", "Name", "Account"]
    assert list(record["Account"]) == ["attributes", "Name", "Owner"]
    assert record["Account"]["Owner"] == {
        "attributes": {"type": "User", "url": f"{URL}/User/{sample.ids['ada']}"},
        "Name": "Ada Lovelace",
    }


def test_parent_fields_nest_two_levels_and_a_null_lookup_renders_null(sample: SampleOrg) -> None:
    ids = sample.ids
    records = sample.org.records(
        "SELECT Name, Account.Name, Account.Owner.Name FROM Contact ORDER BY LastName"
    )
    assert records == [
        {
            "attributes": {"type": "Contact", "url": f"{URL}/Contact/{ids['annie']}"},
            "Name": "Orphan Annie",
            "Account": None,
        },
        {
            "attributes": {"type": "Contact", "url": f"{URL}/Contact/{ids['grace']}"},
            "Name": "Grace Hopper",
            "Account": {
                "attributes": {"type": "Account", "url": f"{URL}/Account/{ids['acme']}"},
                "Name": "Acme",
                "Owner": {
                    "attributes": {"type": "User", "url": f"{URL}/User/{ids['ada']}"},
                    "Name": "Ada Lovelace",
                },
            },
        },
        {
            "attributes": {"type": "Contact", "url": f"{URL}/Contact/{ids['alan']}"},
            "Name": "Alan Turing",
            "Account": {
                "attributes": {"type": "Account", "url": f"{URL}/Account/{ids['globex']}"},
                "Name": "Globex",
                "Owner": None,
            },
        },
    ]


def test_parent_appears_where_its_first_field_was_selected(sample: SampleOrg) -> None:
    record = sample.org.records(
        "SELECT Account.Name, LastName, Account.Industry, Account.Id FROM Contact WHERE LastName = 'Hopper'"
    )[0]
    assert list(record) == ["attributes", "Account", "LastName"]
    assert record["Account"] == {
        "attributes": {"type": "Account", "url": f"{URL}/Account/{sample.ids['acme']}"},
        "Name": "Acme",
        "Industry": "Banking",
        "Id": sample.ids["acme"],
    }


def test_a_path_may_start_with_the_queried_object(sample: SampleOrg) -> None:
    assert sample.org.records("SELECT Account.Name FROM Account WHERE Account.Industry = 'Retail'") == [
        {"attributes": {"type": "Account", "url": f"{URL}/Account/{sample.ids['globex']}"}, "Name": "Globex"}
    ]


def test_self_lookup_parent(sample: SampleOrg) -> None:
    assert sample.org.values("SELECT Name, Parent.Name FROM Account WHERE Parent.Name != null", "Parent") == [
        {"attributes": {"type": "Account", "url": f"{URL}/Account/{sample.ids['acme']}"}, "Name": "Acme"}
    ]


def test_csv_header_and_cells(sample: SampleOrg) -> None:
    ids = sample.ids
    assert sample.org.csv(
        "SELECT Id, Name, Account.Name, Account.Owner.Name, HasOptedOutOfEmail, CreatedDate, Birthdate "
        "FROM Contact ORDER BY LastName"
    ) == [
        [
            "Id",
            "Name",
            "Account.Name",
            "Account.Owner.Name",
            "HasOptedOutOfEmail",
            "CreatedDate",
            "Birthdate",
        ],
        [ids["annie"], "Orphan Annie", "", "", "false", "2026-01-01T00:00:00.000Z", ""],
        [
            ids["grace"],
            "Grace Hopper",
            "Acme",
            "Ada Lovelace",
            "true",
            "2026-01-01T00:00:00.000Z",
            "1906-12-09",
        ],
        [ids["alan"], "Alan Turing", "Globex", "", "false", "2026-01-01T00:00:00.000Z", "1912-06-23"],
    ]


def test_csv_numbers(sample: SampleOrg) -> None:
    assert sample.org.csv("SELECT AnnualRevenue, NumberOfEmployees FROM Account ORDER BY Name") == [
        ["AnnualRevenue", "NumberOfEmployees"],
        ["1000000", "120"],
        ["250.5", ""],
        ["", "7"],
    ]


def test_columns_describe_the_selected_fields(sample: SampleOrg) -> None:
    compiled = sample.org.compile("SELECT name, Account.Owner.Email FROM Contact")
    assert [(column.path, column.field.name, column.field.type) for column in compiled.columns] == [
        (("Name",), "Name", "string"),
        (("Account", "Owner", "Email"), "Email", "email"),
    ]
    assert compiled.object.name == "Contact"


def test_fields_standard_needs_no_limit_and_custom_selects_custom_fields(sample: SampleOrg) -> None:
    standard = sample.org.compile("SELECT FIELDS(STANDARD) FROM Account").csv_header()
    assert standard[:8] == [
        "Id",
        "IsDeleted",
        "CreatedDate",
        "CreatedById",
        "LastModifiedDate",
        "LastModifiedById",
        "SystemModstamp",
        "OwnerId",
    ]
    assert "ERP_Customer_Id__c" not in standard
    assert sample.org.csv("SELECT FIELDS(CUSTOM) FROM Account WHERE Name = 'Acme' LIMIT 200") == [
        ["ERP_Customer_Id__c", "Golden_Id__c", "Credit_Limit__c", "Lifetime_Value__c"],
        ["C-1", "", "", ""],
    ]


def test_fields_all_with_explicit_fields_selects_each_field_once(sample: SampleOrg) -> None:
    header = sample.org.compile("SELECT Name, FIELDS(ALL) FROM Account LIMIT 1").csv_header()
    assert header[:3] == ["Name", "Id", "IsDeleted"]
    assert header.count("Name") == 1
    assert "ERP_Customer_Id__c" in header


# -- ORDER BY, LIMIT, OFFSET ------------------------------------------------------------------------------------


def test_without_order_by_records_come_in_insertion_order(sample: SampleOrg) -> None:
    assert sample.org.values("SELECT Name FROM Account") == ["Acme", "Globex", "initech"]


def test_nulls_sort_first_ascending_and_last_descending_by_default(sample: SampleOrg) -> None:
    assert sample.org.values("SELECT Name FROM Account ORDER BY Industry") == ["initech", "Acme", "Globex"]
    assert sample.org.values("SELECT Name FROM Account ORDER BY Industry DESC") == [
        "Globex",
        "Acme",
        "initech",
    ]


def test_nulls_first_and_last_override_the_default(sample: SampleOrg) -> None:
    assert sample.org.values("SELECT Name FROM Account ORDER BY Industry ASC NULLS LAST") == [
        "Acme",
        "Globex",
        "initech",
    ]
    assert sample.org.values("SELECT Name FROM Account ORDER BY Industry DESC NULLS FIRST") == [
        "initech",
        "Globex",
        "Acme",
    ]


def test_order_by_several_keys_and_parent_fields(sample: SampleOrg) -> None:
    assert sample.org.values(
        "SELECT Name FROM Opportunity ORDER BY Account.Name DESC NULLS LAST, CloseDate"
    ) == ["Deal C", "Deal B", "Deal A", "Deal E", "Deal D", "Deal F"]


def test_text_sorts_case_insensitively() -> None:
    org = SoqlOrg()
    for name in ["banana", "Cherry", "apple", "Apricot"]:
        org.insert("Account", Name=name)
    assert org.values("SELECT Name FROM Account ORDER BY Name") == ["apple", "Apricot", "banana", "Cherry"]


def test_ties_keep_insertion_order_so_pages_are_stable() -> None:
    org = SoqlOrg()
    for index in range(6):
        org.insert("Account", Name=f"A{index}", Industry="Same")
    assert org.values("SELECT Name FROM Account ORDER BY Industry") == [f"A{index}" for index in range(6)]
    assert org.compile("SELECT Name FROM Account ORDER BY Industry").sql.endswith('"r"."_seq"')


def test_limit_and_offset_page_the_rows_and_the_count(sample: SampleOrg) -> None:
    soql = "SELECT Name FROM Account ORDER BY Name LIMIT 1 OFFSET 1"
    assert sample.org.values(soql) == ["Globex"]
    assert sample.org.total(soql) == 1
    assert sample.org.values("SELECT Name FROM Account ORDER BY Name OFFSET 2") == ["initech"]
    assert sample.org.total("SELECT Name FROM Account OFFSET 5") == 0
    assert sample.org.total("SELECT Name FROM Account LIMIT 2") == 2
    assert sample.org.total("SELECT Name FROM Account") == 3


def test_the_count_joins_only_the_parents_its_filter_reads(sample: SampleOrg) -> None:
    soql = "SELECT Name, Account.Owner.Name FROM Contact WHERE Account.Name = 'Acme'"
    compiled = sample.org.compile(soql)
    assert (compiled.sql.count("LEFT JOIN"), compiled.count_sql.count("LEFT JOIN")) == (2, 1)
    assert sample.org.total(soql) == 1
    assert "JOIN" not in sample.org.compile("SELECT Account.Name FROM Contact").count_sql


def test_limit_and_offset_are_bound_parameters(sample: SampleOrg) -> None:
    compiled = sample.org.compile("SELECT Name FROM Account WHERE Name = 'Acme' LIMIT 7 OFFSET 3")
    assert compiled.params == ["Acme", 7, 3]
    assert "7" not in compiled.sql and "Acme" not in compiled.sql


# -- query vs queryAll --------------------------------------------------------------------------------------------


def test_query_hides_deleted_records_and_query_all_shows_them(sample: SampleOrg) -> None:
    assert sample.org.values("SELECT Name FROM Account") == ["Acme", "Globex", "initech"]
    assert sample.org.values("SELECT Name, IsDeleted FROM Account", include_deleted=True) == [
        "Acme",
        "Globex",
        "initech",
        "Zombie Corp",
    ]
    assert sample.org.values(
        "SELECT IsDeleted FROM Account WHERE IsDeleted = true", "IsDeleted", include_deleted=True
    ) == [True]
    assert sample.org.total("SELECT Id FROM Contact", include_deleted=True) == 4


# -- COUNT() and aggregates ---------------------------------------------------------------------------------------


def test_count_rows(sample: SampleOrg) -> None:
    compiled = sample.org.compile("SELECT COUNT() FROM Account")
    assert compiled.is_count and not compiled.is_aggregate
    assert sample.org.total("SELECT COUNT() FROM Account") == 3
    assert sample.org.total("select count() from Account where Industry = 'Banking'") == 1
    assert sample.org.total("SELECT COUNT() FROM Account", include_deleted=True) == 4
    assert sample.org.total("SELECT COUNT() FROM Account LIMIT 2") == 2


def test_count_of_a_field_is_an_aggregate_result(sample: SampleOrg) -> None:
    compiled = sample.org.compile("SELECT COUNT(Id) FROM Account")
    assert compiled.is_aggregate and not compiled.is_count
    assert sample.org.records("SELECT COUNT(Id) FROM Account") == [
        {"attributes": {"type": "AggregateResult"}, "expr0": 3}
    ]
    assert sample.org.records("SELECT COUNT(Industry) total, COUNT(NumberOfEmployees) FROM Account") == [
        {"attributes": {"type": "AggregateResult"}, "total": 2, "expr0": 2}
    ]
    assert sample.org.total("SELECT COUNT(Id) FROM Account") == 1


def test_group_by_with_count(sample: SampleOrg) -> None:
    assert sample.org.records(
        "SELECT Industry, COUNT(Id) FROM Account GROUP BY Industry ORDER BY Industry NULLS LAST",
        include_deleted=True,
    ) == [
        {"attributes": {"type": "AggregateResult"}, "Industry": "Banking", "expr0": 2},
        {"attributes": {"type": "AggregateResult"}, "Industry": "Retail", "expr0": 1},
        {"attributes": {"type": "AggregateResult"}, "Industry": None, "expr0": 1},
    ]
    assert sample.org.total("SELECT Industry, COUNT(Id) FROM Account GROUP BY Industry") == 3


def test_group_by_parent_field_ordered_by_aggregate(sample: SampleOrg) -> None:
    assert sample.org.records(
        "SELECT Account.Name, COUNT(Id) deals, SUM(Amount) FROM Opportunity "
        "GROUP BY Account.Name ORDER BY COUNT(Id) DESC, Account.Name"
    ) == [
        {"attributes": {"type": "AggregateResult"}, "Name": None, "deals": 3, "expr0": 15.0},
        {"attributes": {"type": "AggregateResult"}, "Name": "Acme", "deals": 2, "expr0": 2600.5},
        {"attributes": {"type": "AggregateResult"}, "Name": "Globex", "deals": 1, "expr0": 40.0},
    ]


def test_min_max_avg_and_count_distinct(sample: SampleOrg) -> None:
    assert sample.org.records(
        "SELECT MIN(CloseDate), MAX(CloseDate), AVG(Amount), COUNT_DISTINCT(AccountId), MAX(Name) FROM Opportunity"
    ) == [
        {
            "attributes": {"type": "AggregateResult"},
            "expr0": "2025-12-31",
            "expr1": "2026-04-02",
            "expr2": 531.1,
            "expr3": 2,
            "expr4": "Deal F",
        }
    ]


# -- Bulk API 2.0 ---------------------------------------------------------------------------------------------------


def test_bulk_accepts_plain_queries_with_parent_fields(sample: SampleOrg) -> None:
    assert sample.org.csv(
        "SELECT Name, Account.Name FROM Contact WHERE Account.Name = 'Acme'", bulk=True
    ) == [["Name", "Account.Name"], ["Grace Hopper", "Acme"]]


@pytest.mark.parametrize(
    ("soql", "message"),
    [
        ("SELECT COUNT() FROM Account", "Aggregate functions not supported in Bulk V2 Query"),
        ("SELECT COUNT(Id) FROM Account", "Aggregate functions not supported in Bulk V2 Query"),
        ("SELECT Industry FROM Account GROUP BY Industry", "GROUP BY not supported in Bulk V2 Query"),
        ("SELECT Id FROM Account LIMIT 5 OFFSET 1", "OFFSET not supported in Bulk V2 Query"),
        (
            "SELECT Id, (SELECT Id FROM Contacts) FROM Account",
            "Aggregate Relationships not supported in Bulk V2 Query with CSV content type.",
        ),
    ],
)
def test_bulk_refuses_what_bulk_api_2_refuses(sample: SampleOrg, soql: str, message: str) -> None:
    with pytest.raises(SalesforceApiError) as refused:
        sample.org.compile(soql, bulk=True)
    assert (refused.value.status, refused.value.error_code, refused.value.message) == (
        400,
        "API_ERROR",
        message,
    )


def test_rest_refuses_child_subqueries_it_cannot_run(sample: SampleOrg) -> None:
    with pytest.raises(SalesforceApiError) as refused:
        sample.org.compile("SELECT Id, (SELECT Id FROM Contacts) FROM Account")
    assert refused.value.error_code == "MALFORMED_QUERY"
    assert refused.value.message.endswith(
        "ERROR at Row:1:Column:12\nParent-to-child relationship subqueries are not supported by the emulator"
    )
