"""SOQL errors worded and positioned the way Salesforce words and positions them.

Salesforce repeats the offending row of the query, draws a caret under the offending token and names its row
and column; `SELECT Id FORM Account` gets
`\\nSELECT Id FORM Account\\n          ^\\nERROR at Row:1:Column:11\\nunexpected token: 'FORM'`. On a long row
it repeats only a window of about 35 characters either side of the token, cut at whitespace. That window rule
is not documented; it is inferred from messages real orgs returned (it reproduces every sample we have).
"""

from __future__ import annotations

import re

from ..errors import SalesforceApiError, invalid_field, invalid_type, malformed_query

_WINDOW = 35
_WHITESPACE = re.compile(r"\s")
_WSDL_HINT = "Please reference your WSDL or the describe call for the appropriate names."


def located(source: str, offset: int, detail: str) -> str:
    """`detail` after the row snippet, its caret and `ERROR at Row:R:Column:C` for `offset` in `source`."""
    line_start = source.rfind("\n", 0, offset) + 1
    line_end = source.find("\n", offset)
    line = source[line_start : len(source) if line_end == -1 else line_end].rstrip("\r")
    row = source.count("\n", 0, offset) + 1
    column = offset - line_start
    start = 0
    if column > _WINDOW:
        gap = _WHITESPACE.search(line, column - _WINDOW, column)
        start = gap.end() if gap else column
    end_gap = _WHITESPACE.search(line, column + _WINDOW) if column + _WINDOW < len(line) else None
    end = end_gap.start() if end_gap else len(line)
    caret = " " * (column - start) + "^"
    return f"\n{line[start:end]}\n{caret}\nERROR at Row:{row}:Column:{column + 1}\n{detail}"


def malformed_at(source: str, offset: int, detail: str) -> SalesforceApiError:
    return malformed_query(located(source, offset, detail))


def invalid_field_at(source: str, offset: int, detail: str) -> SalesforceApiError:
    return invalid_field(located(source, offset, detail))


def unexpected_token(source: str, offset: int, token_text: str) -> SalesforceApiError:
    return malformed_at(source, offset, f"unexpected token: '{token_text}'")


def no_such_column(source: str, offset: int, field_name: str, object_name: str) -> SalesforceApiError:
    return invalid_field_at(
        source,
        offset,
        f"No such column '{field_name}' on entity '{object_name}'. If you are attempting to use a custom "
        f"field, be sure to append the '__c' after the custom field name. {_WSDL_HINT}",
    )


def unknown_relationship(source: str, offset: int, relationship_name: str) -> SalesforceApiError:
    return invalid_field_at(
        source,
        offset,
        f"Didn't understand relationship '{relationship_name}' in field path. If you are attempting to use a "
        f"custom relationship, be sure to append the '__r' after the custom relationship name. {_WSDL_HINT}",
    )


def unsupported_object(source: str, offset: int, object_name: str) -> SalesforceApiError:
    return invalid_type(
        located(
            source,
            offset,
            f"sObject type '{object_name}' is not supported. If you are attempting to use a custom object, "
            f"be sure to append the '__c' after the entity name. {_WSDL_HINT}",
        )
    )
