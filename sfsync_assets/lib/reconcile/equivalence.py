"""Whether a value Salesforce holds says the same as the golden value, once both are read the canonical way.

Golden values are canonical (E.164 phones, ISO country codes, web-site hosts, lower-case emails); Salesforce keeps
what people typed (`+1 617 486 1611`, `United States`, `https://www.example.com`). For fields Salesforce owns, the
golden value is Salesforce's own value normalised, so comparing raw text would report every formatted phone as
drift. Values are compared with the same transforms the staged layer applies.
"""

from __future__ import annotations

from typing import Any

from ..mapping.countries import to_iso2
from ..mapping.findings import Rejected
from ..mapping.phones import parse_phone
from ..mapping.text import normalize_email, website_host

_PHONES = {"Phone", "MobilePhone", "Fax", "HomePhone", "OtherPhone"}
_COUNTRIES = {"BillingCountry", "ShippingCountry", "MailingCountry", "Country", "OtherCountry"}
_COUNTRY_OF_RECORD = ("MailingCountry", "BillingCountry", "Country")


def equivalent(field: str, expected: Any, actual: Any, golden: dict[str, Any]) -> bool:
    """True when `actual` (as Salesforce holds it) normalises to `expected` (the golden value)."""
    if expected == actual:
        return True
    if expected is None or actual is None:
        return False
    text = str(actual)
    try:
        if field in _PHONES:
            region = next((golden.get(name) for name in _COUNTRY_OF_RECORD if golden.get(name)), None)
            return parse_phone(text, region).e164 == expected
        if field in _COUNTRIES:
            return to_iso2(text) == expected
        if field == "Website":
            return website_host(text) == website_host(str(expected))
        if field == "Email":
            return normalize_email(text) == normalize_email(str(expected))
    except Rejected:
        return False
    return False
