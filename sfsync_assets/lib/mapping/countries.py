"""Country names, aliases and codes to ISO 3166 alpha-2 (`Deutschland`, `U.S.A.`, `FRANCE` → DE, US, FR).

Names come from the country names `phonenumbers` ships in many languages, plus the alpha-2 codes themselves
and the abbreviations people type that no language uses as a name (`USA`, `UK`, `GER`). A name that two
countries share is left out rather than guessed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache

import phonenumbers
from phonenumbers.geocoder import LOCALE_DATA

from .findings import Rejected, Rule
from .text import fold_accents

# Spellings seen in CRM and ERP exports that are not a country's name in any language.
EXTRA_ALIASES = {
    "US": ("USA", "U.S.A.", "U.S.", "United States of America", "America"),
    "GB": ("UK", "U.K.", "Great Britain", "England", "Scotland", "Wales", "Britain"),
    "DE": ("GER", "DEU", "Federal Republic of Germany"),
    "FR": ("FRA", "République française"),
    "CA": ("CAN",),
    "AU": ("AUS", "Commonwealth of Australia"),
    "IN": ("IND", "Bharat"),
    "BR": ("BRA",),
    "MX": ("MEX",),
    "JP": ("JPN", "Nippon", "Nihon"),
    "CH": ("CHE", "Swiss Confederation", "Confoederatio Helvetica"),
    "SE": ("SWE",),
}


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[.,']", "", fold_accents(text).casefold())).strip()


@lru_cache(maxsize=1)
def _codes_by_name() -> dict[str, str]:
    names: dict[str, set[str]] = defaultdict(set)
    for code, translations in LOCALE_DATA.items():
        for name in translations.values():
            if name and not name.startswith("*"):
                names[_key(name)].add(code)
    by_name = {name: next(iter(codes)) for name, codes in names.items() if len(codes) == 1}
    for code, aliases in EXTRA_ALIASES.items():
        by_name.update({_key(alias): code for alias in aliases})
    by_name.update({code.casefold(): code for code in phonenumbers.SUPPORTED_REGIONS})
    return by_name


def iso_country_codes() -> frozenset[str]:
    return frozenset(phonenumbers.SUPPORTED_REGIONS)


def to_iso2(text: str) -> str:
    code = _codes_by_name().get(_key(text))
    if code is None:
        raise Rejected(
            Rule.INVALID_COUNTRY, f"{text!r} is not a country name, alias or ISO code this mapping knows"
        )
    return code
