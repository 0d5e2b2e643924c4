"""Phone numbers to E.164, including numbers an integer column stored without their trunk zero.

An ERP that keeps phones in a BIGINT turns `+44 20 7946 0000` into 442079460000 and `020 7946 0000` into
2079460000: the calling code survives, the trunk zero does not. Such a number is tried with its calling code,
then, where the country's trunk prefix is 0, with that zero put back, then as a plain national number; only a
number `phonenumbers` holds valid is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

from .findings import Rejected, Rule

TRUNK_ZERO = "0"


@dataclass(frozen=True)
class ParsedPhone:
    e164: str
    trunk_zero_restored: bool = False


def _valid_e164(text: str, region: str | None) -> str | None:
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def _region_name(region: str | None) -> str:
    return f"region {region}" if region else "an unknown region"


def parse_phone(text: str, region: str | None) -> ParsedPhone:
    """A number as people type it (`+44 20 7946 0000`, `020 7946 0000`, `(212) 530-3124`); national formats are
    read in `region` (ISO 3166 alpha-2)."""
    e164 = _valid_e164(text, region)
    if e164 is None:
        raise Rejected(Rule.INVALID_PHONE, f"{text!r} is not a valid phone number in {_region_name(region)}")
    return ParsedPhone(e164)


def parse_integer_phone(digits: str, region: str | None) -> ParsedPhone:
    """A number an integer column stored (no `+`, no leading zero), read for a record of `region`."""
    if not digits.isdigit():
        raise Rejected(
            Rule.INVALID_PHONE, f"{digits!r} is not a phone number stored as an integer (digits only)"
        )
    international = _valid_e164("+" + digits, None)
    if region is None:
        if international is None:
            raise Rejected(
                Rule.INVALID_PHONE,
                f"{digits} is not a valid international number and the record has no country",
            )
        return ParsedPhone(international)
    calling_code = str(phonenumbers.country_code_for_region(region))
    if international is not None and digits.startswith(calling_code):
        return ParsedPhone(international)
    if phonenumbers.ndd_prefix_for_region(region, True) == TRUNK_ZERO:
        restored = _valid_e164(TRUNK_ZERO + digits, region)
        if restored is not None:
            return ParsedPhone(restored, trunk_zero_restored=True)
    national = _valid_e164(digits, region)
    if national is not None:
        return ParsedPhone(national)
    if international is not None:
        return ParsedPhone(international)
    raise Rejected(
        Rule.INVALID_PHONE,
        f"{digits} is not a valid number in {_region_name(region)}, with or without its trunk zero, nor an "
        "international number",
    )
