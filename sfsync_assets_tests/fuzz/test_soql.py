"""SOQL built from user values, read back by the emulator's SOQL engine: a value the product puts into a query
comes out of the parser as the same literal, and text shaped like an injection (`x' OR Name != '`) stays one
string literal. Record ids reach SOQL from run config (`record_ids`) and the change feed; datetimes from run
config (`backfill_start`) and the window cursor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfsync_assets.lib.emulator.process import EmulatorProcess
from sfsync_assets.lib.emulator.soql.ast import Comparison, InList, Junction, LiteralKind
from sfsync_assets.lib.emulator.soql.lexer import TokenKind, tokenize
from sfsync_assets.lib.emulator.soql.parser import parse
from sfsync_assets.lib.emulator.values import parse_datetime
from sfsync_assets.lib.salesforce.reader import SalesforceReader, SalesforceReadError, Window
from sfsync_assets.lib.salesforce.shapes import FieldShape, ObjectShape

pytestmark = pytest.mark.fuzz

ACCOUNT = ObjectShape("Account", (FieldShape("Id", "id"), FieldShape("Name", "string")))
OFFSETS = st.builds(lambda minutes: timezone(timedelta(minutes=minutes)), st.integers(-14 * 60, 14 * 60))
# Salesforce's escapes inside a quoted string (SOQL and SOSL reference, "Quoted String Escape Sequences").
ESCAPES = {
    "\\": "\\\\",
    "'": "\\'",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}


def soql_string(value: str) -> str:
    """A reference quoting of `value`, written from Salesforce's documentation, independent of the product."""
    return "'" + "".join(ESCAPES.get(char, char) for char in value) + "'"


def _window_literals(window: Window) -> list[datetime]:
    where = parse(f"SELECT Id FROM Account WHERE {window.condition()}").where
    assert isinstance(where, Junction) and where.operator == "AND"
    literals = [operand.literal for operand in where.operands if isinstance(operand, Comparison)]
    assert [literal.kind for literal in literals] == [LiteralKind.DATETIME, LiteralKind.DATETIME]
    return [parse_datetime(literal.value) for literal in literals]


def _to_the_millisecond(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=datetime(1000, 1, 2), max_value=datetime(9998, 12, 30), timezones=OFFSETS))
def test_window_datetimes_read_back_as_the_same_instant(moment: datetime) -> None:
    window = Window(moment, moment + timedelta(minutes=5))
    assert _window_literals(window) == [_to_the_millisecond(window.start), _to_the_millisecond(window.end)]


def test_a_backfill_before_the_year_1000_is_still_a_datetime_literal() -> None:
    moment = datetime(999, 12, 31, tzinfo=UTC)
    assert _window_literals(Window(moment, moment + timedelta(days=1))) == [
        moment,
        moment + timedelta(days=1),
    ]


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_the_engine_reads_any_quoted_string_back_as_itself(value: str) -> None:
    tokens = tokenize(f"SELECT Id FROM Account WHERE Name = {soql_string(value)}")
    assert [token.kind for token in tokens[-2:]] == [TokenKind.STRING, TokenKind.END]
    assert tokens[-2].value == value


@pytest.mark.parametrize("attack", ["x' OR Name != '", "' OR Id != null OR Name = '", "\\' OR Name LIKE '%"])
def test_an_injection_attempt_stays_one_literal(attack: str) -> None:
    where = parse(f"SELECT Id FROM Account WHERE Name = {soql_string(attack)}").where
    assert isinstance(where, Comparison) and where.literal.value == attack


def _open_ids(emulator: EmulatorProcess, record_id: str):
    return SalesforceReader(emulator.salesforce()).open_ids(ACCOUNT, [record_id])[0]


@settings(max_examples=25, deadline=None)
@given(st.from_regex(r"001[0-9A-Za-z]{12}", fullmatch=True))
def test_record_ids_round_trip_through_the_reader(emulator: EmulatorProcess, record_id: str) -> None:
    opened = _open_ids(emulator, record_id)
    where = parse(opened.soql).where
    assert isinstance(where, InList) and [literal.value for literal in where.literals] == [record_id]
    assert opened.total == 0


@pytest.mark.parametrize("record_id", ["it's", "new\x00line", "tab\x85"])
def test_an_id_with_quotes_or_control_characters_reaches_the_engine_as_one_literal(
    emulator: EmulatorProcess, record_id: str
) -> None:
    """Like Salesforce, the engine refuses a literal that is not an id, quoting it back: proof it read one."""
    with pytest.raises(SalesforceReadError, match="invalid ID field") as refused:
        _open_ids(emulator, record_id)
    assert record_id in str(refused.value)
