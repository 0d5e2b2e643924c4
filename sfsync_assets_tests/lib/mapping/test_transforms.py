"""Transforms, one family at a time, with literal expectations."""

from __future__ import annotations

import re
from datetime import date

import pytest

from sfsync_assets.lib.mapping.context import FieldContext
from sfsync_assets.lib.mapping.countries import to_iso2
from sfsync_assets.lib.mapping.currency import RateTable
from sfsync_assets.lib.mapping.dates import DateFormatError, compile_format, parse_date
from sfsync_assets.lib.mapping.findings import Rejected, Rule
from sfsync_assets.lib.mapping.numbers import parse_decimal
from sfsync_assets.lib.mapping.phones import parse_integer_phone, parse_phone
from sfsync_assets.lib.mapping.picklists import Mapped, Unmapped, ValueMap, check_picklist
from sfsync_assets.lib.mapping.text import (
    collapse_whitespace,
    company_name_key,
    normalize_email,
    repair_mojibake,
    trim,
    website_host,
)
from sfsync_assets.lib.mapping.transforms import Step

ROLES = ValueMap("roles", {"Acct Mgr": "Account Manager", "CEO": "Chief Executive Officer"})


def rejection(function, *args) -> Rejected:
    with pytest.raises(Rejected) as raised:
        function(*args)
    return raised.value


# --- phones -------------------------------------------------------------------------------------------------


def test_integer_phone_gets_its_trunk_zero_back() -> None:
    parsed = parse_integer_phone("2079460000", "GB")
    assert parsed.e164 == "+442079460000"
    assert parsed.trunk_zero_restored


def test_integer_phone_that_kept_its_calling_code() -> None:
    parsed = parse_integer_phone("442079460000", "GB")
    assert parsed.e164 == "+442079460000"
    assert not parsed.trunk_zero_restored


def test_integer_phone_of_a_country_without_trunk_zero() -> None:
    parsed = parse_integer_phone("2125303124", "US")
    assert parsed.e164 == "+12125303124"
    assert not parsed.trunk_zero_restored


@pytest.mark.parametrize(("digits", "region"), [("12345", "GB"), ("99999999999999", "DE"), ("12345", None)])
def test_invalid_integer_phone_is_rejected(digits: str, region: str | None) -> None:
    assert rejection(parse_integer_phone, digits, region).rule is Rule.INVALID_PHONE


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        ("+44 20 7946 0000", "US", "+442079460000"),
        ("020 7946 0000", "GB", "+442079460000"),
        ("(212) 530-3124", "US", "+12125303124"),
        ("415.872.3266", "US", "+14158723266"),
        ("089 7342 3742", "DE", "+498973423742"),
    ],
)
def test_typed_phone_to_e164(text: str, region: str, expected: str) -> None:
    assert parse_phone(text, region).e164 == expected


def test_typed_phone_that_is_no_number() -> None:
    problem = rejection(parse_phone, "call reception", "GB")
    assert problem.rule is Rule.INVALID_PHONE
    assert "call reception" in problem.reason


def test_phone_step_notes_the_restored_zero_as_a_repair() -> None:
    context = FieldContext(region="GB")
    step = Step("phone_e164", {"integer_storage": True}).compile({})
    assert step("2079460000", context) == "+442079460000"
    assert [repair.rule for repair in context.repairs] == [Rule.PHONE_LEADING_ZERO_LOST]


# --- picklists ----------------------------------------------------------------------------------------------


def test_value_map_maps_a_code() -> None:
    assert ROLES.lookup("Acct Mgr") == Mapped("Account Manager")
    assert ROLES.apply("Acct Mgr") == "Account Manager"


def test_unknown_code_is_unmapped_never_passed_through() -> None:
    assert ROLES.lookup("Head Honcho") == Unmapped("Head Honcho")
    problem = rejection(ROLES.apply, "Head Honcho")
    assert problem.rule is Rule.INVALID_PICKLIST_VALUE
    assert "unmapped" in problem.reason


def test_picklist_values_come_from_the_org_schema() -> None:
    assert check_picklist("Manufacturing", "Account.Industry") == "Manufacturing"
    assert rejection(check_picklist, "Manufactoring", "Account.Industry").rule is Rule.INVALID_PICKLIST_VALUE


# --- dates --------------------------------------------------------------------------------------------------


def test_day_first_date_is_read_as_declared() -> None:
    assert parse_date("02/03/2026", ["DD/MM/YYYY"]) == date(2026, 3, 2)


def test_month_first_date_is_read_as_declared() -> None:
    assert parse_date("02/03/2026", ["MM/DD/YYYY"]) == date(2026, 2, 3)


@pytest.mark.parametrize(
    ("text", "declared", "expected"),
    [
        ("05-Mar-26", "DD-Mon-YY", date(2026, 3, 5)),
        ("05-MAR-99", "DD-Mon-YY", date(1999, 3, 5)),
        ("20190228", "YYYYMMDD", date(2019, 2, 28)),
        ("2026-11-01", "YYYY-MM-DD", date(2026, 11, 1)),
    ],
)
def test_declared_formats(text: str, declared: str, expected: date) -> None:
    assert parse_date(text, [declared]) == expected


@pytest.mark.parametrize(
    ("text", "declared"),
    [
        ("31/02/2026", "DD/MM/YYYY"),
        ("31-Apr-25", "DD-Mon-YY"),
        ("20190230", "YYYYMMDD"),
        ("05-Xyz-26", "DD-Mon-YY"),
    ],
)
def test_impossible_dates_are_rejected(text: str, declared: str) -> None:
    problem = rejection(parse_date, text, [declared])
    assert problem.rule is Rule.INVALID_DATE
    assert text in problem.reason


def test_a_date_in_an_undeclared_format_is_not_guessed() -> None:
    problem = rejection(parse_date, "2026-03-02", ["DD/MM/YYYY"])
    assert "DD/MM/YYYY" in problem.reason


@pytest.mark.parametrize("declared", ["DD/MM/YYYYY", "DD/QQ/YYYY", "MM/YYYY"])
def test_unusable_date_formats_are_refused(declared: str) -> None:
    with pytest.raises(DateFormatError, match=re.escape(declared)):
        compile_format(declared)


# --- numbers and currency -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "decimal", "thousands", "expected"),
    [
        ("1.250.000,00", ",", ".", 1_250_000.0),
        ("12,5", ",", ".", 12.5),
        ("-7,25", ",", None, -7.25),
        ("1,250,000.00", ".", ",", 1_250_000.0),
        ("42", ".", None, 42.0),
    ],
)
def test_decimal_separators(text: str, decimal: str, thousands: str | None, expected: float) -> None:
    assert parse_decimal(text, decimal, thousands) == expected


@pytest.mark.parametrize("text", ["1.25", "12,50,0", "1.2.3,4", "abc", "1,2,3"])
def test_malformed_decimal_comma_amounts_are_rejected(text: str) -> None:
    assert rejection(parse_decimal, text, ",", ".").rule is Rule.INVALID_NUMBER


RATES = RateTable(
    [
        (date(2026, 1, 1), "EUR", 1.10),
        (date(2026, 1, 31), "EUR", 1.20),
        (date(2026, 3, 2), "EUR", 1.30),
        (date(2026, 1, 1), "USD", 1.0),
    ]
)


def test_currency_conversion_takes_the_latest_rate_on_or_before_the_date() -> None:
    conversion = RATES.convert(100.0, "EUR", date(2026, 3, 1))
    assert conversion.amount_usd == 120.0
    assert conversion.rate_date == date(2026, 1, 31)
    assert RATES.convert(100.0, "eur", date(2026, 3, 2)).rate_date == date(2026, 3, 2)


def test_no_rate_before_the_first_one() -> None:
    assert rejection(RATES.convert, 5.0, "EUR", date(2025, 12, 31)).rule is Rule.NO_EXCHANGE_RATE
    assert rejection(RATES.convert, 5.0, "XYZ", date(2026, 6, 1)).rule is Rule.NO_EXCHANGE_RATE


def test_to_usd_step_records_the_rate_date() -> None:
    context = FieldContext(record={"currency": "EUR", "order_date": date(2026, 2, 14)}, rates=RATES)
    step = Step(
        "to_usd", {"currency_from": "currency", "date_from": "order_date", "rate_date_to": "rate_date"}
    )
    assert step.compile({})(50.0, context) == 60.0
    assert context.extras == {"rate_date": date(2026, 1, 31)}


# --- text ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("garbled", "expected"), [("JosÃ©", "José"), ("MÃ¼ller", "Müller"), ("FranÃ§ois", "François")]
)
def test_mojibake_is_repaired(garbled: str, expected: str) -> None:
    assert repair_mojibake(garbled) == (expected, True)


@pytest.mark.parametrize("clean", ["José", "Müller", "Saitō", "Smith", "Åsa"])
def test_clean_text_is_left_alone(clean: str) -> None:
    assert repair_mojibake(clean) == (clean, False)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Falcon Polymers, LLC", "falcon polymers"),
        ("Meridian Components GmbH", "meridian components"),
        ("Müller & Söhne G.m.b.H.", "muller and sohne"),
        ("Unity Software GmbH & Co. KG", "unity software"),
        ("Northwind Tools Ltd.", "northwind tools"),
        ("Apex Freight Pty Ltd", "apex freight"),
        ("Pioneer Partners S.A. de C.V.", "pioneer partners"),
        ("Laurent Energy S.A.", "laurent energy"),
        ("Nordic Tools Oy", "nordic tools"),
        ("Orion Financial Co., Ltd.", "orion financial"),
        ("Summit Labs Incorporated", "summit labs"),
        ("Delta Financial Aktiengesellschaft", "delta financial"),
        ("Atlas & Smith Inc.", "atlas and smith"),
    ],
)
def test_company_name_key_drops_legal_suffixes(name: str, expected: str) -> None:
    assert company_name_key(name) == expected


def test_whitespace_is_trimmed_per_line_and_collapsed() -> None:
    assert trim("  189 High Ln.  \r\n  Suite 25 ") == "189 High Ln.\nSuite 25"
    assert trim("   ") is None
    assert collapse_whitespace("Falcon   Polymers\tLLC") == "Falcon Polymers LLC"


def test_email_and_web_site_shapes() -> None:
    assert normalize_email(" Edward.Lewis@Falcon-Polymers.com ") == "edward.lewis@falcon-polymers.com"
    assert rejection(normalize_email, "edward.lewis at falcon").rule is Rule.INVALID_EMAIL
    assert website_host("https://www.Falcon-Polymers.com/about") == "www.falcon-polymers.com"
    assert website_host("www.meridian-components.de") == "www.meridian-components.de"


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Deutschland", "DE"),
        ("U.S.A.", "US"),
        ("FRANCE", "FR"),
        ("UK", "GB"),
        ("Schweiz", "CH"),
        ("MX", "MX"),
    ],
)
def test_country_names_and_aliases_to_iso2(written: str, code: str) -> None:
    assert to_iso2(written) == code


def test_unknown_country_is_rejected() -> None:
    assert rejection(to_iso2, "Atlantis").rule is Rule.INVALID_COUNTRY
