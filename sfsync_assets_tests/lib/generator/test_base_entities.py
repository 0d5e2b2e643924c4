"""The base entities look real: valid phone numbers per country, nicknames, accents, many countries."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import phonenumbers
import pytest

from sfsync_assets.lib.generator.dice import Dice, Tally
from sfsync_assets.lib.generator.phones import new_number, render
from sfsync_assets.lib.generator.pipeline import GenerateConfig, generate_company
from sfsync_assets.lib.generator.rates import Rates
from sfsync_assets.lib.generator.vocab import COUNTRIES, FIRST_NAMES

from .conftest import read_jsonl


def test_every_phone_plan_yields_valid_numbers_in_every_style() -> None:
    dice = Dice(1, 0, "phones", Rates().as_dict(), Tally())
    for country in COUNTRIES:
        for mobile in (False, True):
            for _ in range(60):
                nsn = new_number(dice, country, mobile)
                assert not nsn.startswith(country.phone.calling_code) or country.phone.trunk_prefix == ""
                for style in ("international", "national", "e164", "digits", "dotted"):
                    number = phonenumbers.parse(render(country, nsn, style), country.code)
                    assert phonenumbers.is_valid_number(number), (country.code, style, nsn)
                    assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == (
                        f"+{country.phone.calling_code}{nsn}"
                    )


def test_golden_people_and_companies_look_real(company: Path) -> None:
    with open(company / "truth" / "golden_expected.jsonl", encoding="utf-8") as handle:
        golden = [json.loads(line) for line in handle]
    countries = Counter(g["values"].get("BillingCountry") for g in golden if g["entity_type"] == "company")
    assert len(countries) == len(COUNTRIES)
    for record in golden:
        phone = record["values"].get("Phone")
        if phone:
            assert phonenumbers.is_valid_number(phonenumbers.parse(phone))
    nicknames = {nick for names in FIRST_NAMES.values() for _, nicks in names for nick in nicks}
    contacts = read_jsonl(company / "salesforce" / "Contact.jsonl")
    first_names = Counter(c["FirstName"] for c in contacts)
    assert sum(first_names[n] for n in nicknames) > 20
    assert any(not name.isascii() for name in first_names)
    assert all("@" in c["Email"] for c in contacts)


def test_a_parties_only_company_has_the_parties_of_a_full_one_and_no_transactions(
    tmp_path: Path, manifest: dict
) -> None:
    parties = generate_company(
        GenerateConfig(
            out_dir=tmp_path / "parties", scale=manifest["scale"], seed=manifest["seed"], parties_only=True
        )
    )
    for system, table in (("salesforce", "Opportunity"), ("erp", "orders"), ("erp", "invoices")):
        assert parties["counts"][system][table] == 0
    assert parties["customers"] == manifest["customers"]
    for system, table in (("salesforce", "Contact"), ("erp", "customers"), ("erp", "customer_contacts")):
        assert parties["counts"][system][table] == pytest.approx(manifest["counts"][system][table], rel=0.1)
    assert parties["total_records"] < 0.6 * manifest["total_records"]
