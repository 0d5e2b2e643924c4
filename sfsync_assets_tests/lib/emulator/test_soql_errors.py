"""Refused SOQL: Salesforce's error codes, messages, and the row/column of the offending token."""

from __future__ import annotations

import pytest

from sfsync_assets.lib.emulator.errors import SalesforceApiError
from sfsync_assets.lib.emulator.soql import compile_soql

from .test_soql_support import demo_schema

WSDL = "Please reference your WSDL or the describe call for the appropriate names."


def refusal(soql: str, **options: object) -> tuple[int, str, str]:
    with pytest.raises(SalesforceApiError) as refused:
        compile_soql(soql, demo_schema(), **options)
    return refused.value.status, refused.value.error_code, refused.value.message


def test_unexpected_token() -> None:
    assert refusal("SELECT Id FORM Account") == (
        400,
        "MALFORMED_QUERY",
        "\nSELECT Id FORM Account\n          ^\nERROR at Row:1:Column:11\nunexpected token: 'FORM'",
    )


def test_unknown_field() -> None:
    assert refusal("SELECT Bacon__c FROM Account LIMIT 2") == (
        400,
        "INVALID_FIELD",
        "\nSELECT Bacon__c FROM Account LIMIT 2\n       ^\nERROR at Row:1:Column:8\nNo such column 'Bacon__c' on "
        "entity 'Account'. If you are attempting to use a custom field, be sure to append the '__c' after the custom "
        f"field name. {WSDL}",
    )


def test_unknown_object() -> None:
    assert refusal("SELECT Id FROM Foo") == (
        400,
        "INVALID_TYPE",
        "\nSELECT Id FROM Foo\n               ^\nERROR at Row:1:Column:16\nsObject type 'Foo' is not supported. If you "
        f"are attempting to use a custom object, be sure to append the '__c' after the entity name. {WSDL}",
    )


def test_unknown_relationship() -> None:
    assert refusal("SELECT Id, Foo.Name FROM Contact") == (
        400,
        "INVALID_FIELD",
        "\nSELECT Id, Foo.Name FROM Contact\n           ^\nERROR at Row:1:Column:12\nDidn't understand relationship "
        "'Foo' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after "
        f"the custom relationship name. {WSDL}",
    )


def test_unknown_field_behind_a_relationship_names_the_parent_object() -> None:
    status, code, message = refusal("SELECT Account.Owner.Shoe FROM Contact")
    assert (status, code) == (400, "INVALID_FIELD")
    assert message.split("\n")[3:] == [
        "ERROR at Row:1:Column:8",
        f"No such column 'Shoe' on entity 'User'. If you "
        "are attempting to use a custom field, be sure to append the '__c' after the "
        f"custom field name. {WSDL}",
    ]


def test_rows_and_columns_count_lines_of_a_multi_line_query() -> None:
    _, code, message = refusal("SELECT Id,\n  Name\nFROM Account\nWHERE Bogus__c = 1")
    assert code == "INVALID_FIELD"
    assert message.startswith(
        "\nWHERE Bogus__c = 1\n      ^\nERROR at Row:4:Column:7\nNo such column 'Bogus__c'"
    )
    _, code, message = refusal("SELECT Id\r\nFROM Account\r\nWHERE Name = 'x' ORDER BY Name LIMT 5")
    assert (code, message) == (
        "MALFORMED_QUERY",
        "\nWHERE Name = 'x' ORDER BY Name LIMT 5\n                               ^\nERROR at Row:3:Column:32\n"
        "unexpected token: 'LIMT'",
    )


def test_end_of_query_is_eof() -> None:
    assert refusal("SELECT Id FROM Account WHERE") == (
        400,
        "MALFORMED_QUERY",
        "\nSELECT Id FROM Account WHERE\n                            ^\nERROR at Row:1:Column:29\n"
        "unexpected token: '<EOF>'",
    )


def test_long_rows_show_a_window_around_the_token() -> None:
    # The window is cut at whitespace about 35 characters either side, as real orgs answer.
    _, _, message = refusal("SELECT Id, DepProbeField__c FROM Account LIMIT 10")
    assert message.split("\n")[1:4] == [
        "SELECT Id, DepProbeField__c FROM Account LIMIT",
        "           ^",
        "ERROR at Row:1:Column:12",
    ]
    _, _, message = refusal("SELECT Id, AccountNumber FROM Account WHERE AccountNumber = 3999")
    assert message.split("\n")[1:4] == [
        "AccountNumber FROM Account WHERE AccountNumber = 3999",
        " " * 33 + "^",
        "ERROR at Row:1:Column:45",
    ]


@pytest.mark.parametrize(
    "soql",
    [
        "SELECT Id, FROM Account",
        "SELECT Id FROM Account WHERE Name = 'a' AND Name = 'b' OR Name = 'c'",
        "SELECT Id FROM Account WHERE Name LIKE 5",
        "SELECT Id FROM Account WHERE Name IN ()",
        "SELECT Id FROM Account LIMIT -1",
        "SELECT Id FROM Account ORDER BY Name NULLS",
        "SELECT toLabel(Industry) FROM Account",
        "SELECT Id FROM Account.Owner",
        "SELECT Id FROM Account WHERE CreatedDate = LAST_N_DAYS",
        "SELECT Id FROM Account WHERE CreatedDate = SOMEDAY",
        "SELECT Id FROM Account WHERE Name = $x",
    ],
)
def test_syntax_errors_are_malformed_query(soql: str) -> None:
    status, code, message = refusal(soql)
    assert (status, code) == (400, "MALFORMED_QUERY")
    assert "\nunexpected token: '" in message


def test_mixing_and_with_or_points_at_the_second_operator() -> None:
    _, _, message = refusal("SELECT Id FROM Account WHERE Name = 'a' AND Name = 'b' OR Name = 'c'")
    assert message.endswith("ERROR at Row:1:Column:56\nunexpected token: 'OR'")


def test_datetime_without_offset_is_refused() -> None:
    _, code, message = refusal("SELECT Id FROM Account WHERE CreatedDate > 2026-01-01T00:00:00")
    assert code == "MALFORMED_QUERY"
    assert message.endswith("ERROR at Row:1:Column:44\nunexpected token: '2026-01-01T00:00:00'")


def test_illegal_string_escape() -> None:
    _, code, message = refusal(r"SELECT Id FROM Account WHERE Name = 'a\qb'")
    assert code == "MALFORMED_QUERY"
    assert message.endswith(
        r"Invalid string literal 'a\qb'. Illegal character sequence '\q' in string literal."
    )


def test_unterminated_string() -> None:
    _, code, message = refusal("SELECT Id FROM Account WHERE Name = 'abc")
    assert code == "MALFORMED_QUERY"
    assert message.endswith("ERROR at Row:1:Column:41\nmismatched character '<EOF>' expecting '''")


@pytest.mark.parametrize(
    ("where", "column", "field", "expected_type", "quoted"),
    [
        ("NumberOfEmployees = '7'", 30, "NumberOfEmployees", "integer", False),
        ("AnnualRevenue > 'big'", 30, "AnnualRevenue", "double", False),
        ("Name = 5", 30, "Name", "string", True),
        ("Industry = true", 30, "Industry", "string", True),
        ("CreatedDate > 'yesterday'", 30, "CreatedDate", "dateTime", False),
        ("CreatedDate > 5", 30, "CreatedDate", "dateTime", False),
        ("Parent.IsDeleted = 'true'", 30, "IsDeleted", "boolean", False),
        ("OwnerId = 5", 30, "OwnerId", "id", True),
        ("Name LIKE 'x' AND NumberOfEmployees LIKE '5%'", 48, "NumberOfEmployees", "integer", False),
        ("Name IN ('a', 2)", 30, "Name", "string", True),
    ],
)
def test_a_literal_of_the_wrong_type_is_invalid_field(
    where: str, column: int, field: str, expected_type: str, quoted: bool
) -> None:
    status, code, message = refusal(f"SELECT Id FROM Account WHERE {where}")
    assert (status, code) == (400, "INVALID_FIELD")
    assert message.endswith(
        f"ERROR at Row:1:Column:{column}\nvalue of filter criterion for field '{field}' must be of type "
        f"{expected_type} and should {'' if quoted else 'not '}be enclosed in quotes"
    )


def test_a_datetime_compared_with_a_date_field_is_invalid_field() -> None:
    _, code, message = refusal("SELECT Id FROM Opportunity WHERE CloseDate < 2026-07-31T04:17:54Z")
    assert code == "INVALID_FIELD"
    assert message.endswith(
        "value of filter criterion for field 'CloseDate' must be of type date and should not "
        "be enclosed in quotes"
    )


def test_an_id_that_is_no_id_is_malformed_query() -> None:
    assert refusal("SELECT Id FROM Account WHERE Id = 'abc'") == (
        400,
        "MALFORMED_QUERY",
        "\nSELECT Id FROM Account WHERE Id = 'abc'\n                                  ^\nERROR at Row:1:Column:35\n"
        "invalid ID field: abc",
    )


def test_includes_needs_a_multi_select_picklist() -> None:
    _, code, message = refusal("SELECT Id FROM Account WHERE Industry INCLUDES ('Banking')")
    assert code == "INVALID_FIELD"
    assert message.endswith("includes or excludes operator only valid on multipicklist field")


def test_fields_all_and_custom_need_a_limit_of_at_most_200() -> None:
    expected = (400, "MALFORMED_QUERY", "The SOQL FIELDS function must have a LIMIT of at most 200")
    assert refusal("SELECT FIELDS(ALL) FROM Account") == expected
    assert refusal("SELECT FIELDS(CUSTOM) FROM Account LIMIT 201") == expected


def test_offset_above_2000() -> None:
    assert refusal("SELECT Id FROM Account LIMIT 10 OFFSET 2001") == (
        400,
        "NUMBER_OUTSIDE_VALID_RANGE",
        "Maximum SOQL offset allowed is 2000",
    )


def test_duplicate_field() -> None:
    _, code, message = refusal("SELECT Id, Name, name FROM Account")
    assert code == "MALFORMED_QUERY"
    assert message.endswith("ERROR at Row:1:Column:18\nduplicate field selected: Name")


@pytest.mark.parametrize(
    ("soql", "column", "detail"),
    [
        ("SELECT Name, COUNT(Id) FROM Account", 8, "Field must be grouped or aggregated: Name"),
        (
            "SELECT Industry, COUNT(Id) FROM Account GROUP BY Industry ORDER BY Name",
            68,
            "Ordered field must be grouped or aggregated: Name",
        ),
        ("SELECT SUM(Name) FROM Account", 12, "field Name does not support aggregate operator SUM"),
        (
            "SELECT COUNT(Id) FROM Account GROUP BY CreatedDate",
            40,
            "field 'CreatedDate' can not be grouped in a query call",
        ),
        (
            "SELECT Id, COUNT() FROM Account",
            12,
            "COUNT() must be the only element in the SELECT list and cannot be grouped",
        ),
        ("SELECT Id FROM Account ORDER BY COUNT(Id)", 33, "unexpected token: 'COUNT'"),
    ],
)
def test_aggregate_errors(soql: str, column: int, detail: str) -> None:
    _, code, message = refusal(soql)
    assert code == "MALFORMED_QUERY"
    assert message.endswith(f"ERROR at Row:1:Column:{column}\n{detail}")


@pytest.mark.parametrize(
    ("where", "column", "detail"),
    [
        (
            "Id IN (SELECT Id FROM Contact)",
            30,
            "The selected field 'Id' in the subquery and the left operand field in the where expression in the outer "
            "query 'Id' should point to the same object type",
        ),
        (
            "Id IN (SELECT ParentId FROM Account)",
            58,
            "The inner and outer selects should not be on the same object type",
        ),
        (
            "Name IN (SELECT AccountId FROM Contact)",
            30,
            "The left operand field in the where expression for outer query should be an id field, cannot use: 'Name'",
        ),
        (
            "Id IN (SELECT Email FROM Contact)",
            44,
            "The selected field in the subquery should be an id field, cannot use: 'Email'",
        ),
        (
            "Id IN (SELECT AccountId FROM Contact WHERE Id IN (SELECT ContactId FROM Foo))",
            80,
            "Nesting of semi join sub-selects is not supported",
        ),
    ],
)
def test_semi_join_errors(where: str, column: int, detail: str) -> None:
    _, code, message = refusal(f"SELECT Id FROM Account WHERE {where}")
    assert code == "MALFORMED_QUERY"
    assert message.endswith(f"ERROR at Row:1:Column:{column}\n{detail}")


def test_unknown_object_in_a_subquery_is_invalid_type() -> None:
    _, code, message = refusal("SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Nope)")
    assert code == "INVALID_TYPE"
    assert "ERROR at Row:1:Column:59\nsObject type 'Nope' is not supported." in message
