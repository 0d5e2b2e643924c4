"""Planted variation: the same person or company written differently in another system or record.

Each function takes the true value and the dice, and returns the rendered value plus the variation kinds it
applied (rate names in `Rates`), so writers can log them in planted_problems.csv.
"""

from __future__ import annotations

from .addresses import Address
from .dice import Dice
from .entities import Company, Person
from .people import email_local
from .vocab import PERSONAL_EMAIL_DOMAINS

_VOWELS = "aeiou"


def typo(dice: Dice, text: str) -> str:
    """One keyboard slip: swapped neighbours, a dropped letter, a doubled letter or a wrong vowel."""
    if len(text) < 4:
        return text + text[-1]
    position = dice.randrange(1, len(text) - 2)
    kind = dice.randrange(4)
    if kind == 0 and text[position] != text[position + 1]:
        return text[:position] + text[position + 1] + text[position] + text[position + 2 :]
    if kind == 1:
        return text[:position] + text[position + 1 :]
    if kind == 2:
        return text[:position] + text[position] + text[position:]
    vowel = next((i for i in range(position, len(text)) if text[i] in _VOWELS), None)
    if vowel is None:
        return text[:position] + text[position + 1 :]
    replacement = dice.pick([v for v in _VOWELS if v != text[vowel]])
    return text[:vowel] + replacement + text[vowel + 1 :]


def person_name(dice: Dice, person: Person) -> tuple[str, str, list[str]]:
    """(first, last, variation kinds) of one rendering of `person`."""
    first, last = person.first, person.last
    kinds = []
    if person.nicknames and dice.roll("nickname"):
        first = dice.pick(person.nicknames)
        kinds.append("nickname")
    if dice.roll("initial_only"):
        first = first[0] + "."
        kinds.append("initial_only")
    if dice.roll("name_typo"):
        last = typo(dice, last)
        kinds.append("name_typo")
    if dice.roll("swapped_names"):
        first, last = last, first
        kinds.append("swapped_names")
    return first, last, kinds


def person_email(dice: Dice, person: Person, first_rendered: str) -> tuple[str, list[str]]:
    """The person's email in one rendering; sometimes on another domain (personal mailbox, rebrand)."""
    if not dice.roll("email_domain_changed"):
        return person.email, []
    local, domain = person.email.split("@", 1)
    if dice.chance(0.5):
        local = email_local(first_rendered.rstrip("."), person.last, 0) if len(first_rendered) > 2 else local
        return f"{local}@{dice.pick(PERSONAL_EMAIL_DOMAINS)}", ["email_domain_changed"]
    stem, _, tld = domain.partition(".")
    return f"{local}@{stem}-group.{tld}", ["email_domain_changed"]


def company_name(dice: Dice, company: Company) -> tuple[str, list[str]]:
    if company.name_variants and dice.roll("company_name_variation"):
        return dice.pick(company.name_variants), ["company_name_variation"]
    return company.name, []


def street(dice: Dice, address: Address) -> tuple[str, list[str]]:
    if address.can_abbreviate and dice.roll("address_abbreviation"):
        return address.street(abbreviated=True), ["address_abbreviation"]
    return address.street(), []


def mojibake(text: str) -> str | None:
    """`José` → `JosÃ©`: UTF-8 bytes decoded as cp1252. None when `text` is ASCII or the result would not
    survive
    a cp1252 file (bytes cp1252 leaves undefined), i.e. when the text is not eligible."""
    if text.isascii():
        return None
    try:
        garbled = text.encode("utf-8").decode("cp1252")
    except UnicodeDecodeError:
        return None
    return garbled
