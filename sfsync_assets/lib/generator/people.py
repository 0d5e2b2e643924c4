"""People: contacts at customer and prospect companies, and the org's Salesforce users."""

from __future__ import annotations

import unicodedata

from .dice import Dice
from .entities import Person, User
from .phones import new_number
from .vocab import (
    DEPARTMENT_BY_TITLE,
    FIRST_NAMES,
    LAST_NAMES,
    ROLE_CODES,
    SALUTATION_WEIGHTS,
    SALUTATIONS,
    USER_DEPARTMENTS,
    USER_TITLES,
    Country,
)

_UNDECOMPOSABLE = str.maketrans({"ß": "ss", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ł": "l", "đ": "d"})


def ascii_fold(text: str) -> str:
    """`Jürgen Groß` → `Jurgen Gross`: what mail systems make of names in addresses."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSABLE))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def email_local(first: str, last: str, style: int) -> str:
    first_part = "".join(ch for ch in ascii_fold(first).lower() if ch.isalnum())
    last_part = "".join(ch for ch in ascii_fold(last).lower() if ch.isalnum())
    return (
        f"{first_part}.{last_part}",
        f"{first_part[:1]}{last_part}",
        f"{first_part}_{last_part}",
        f"{first_part}{last_part[:1]}",
    )[style]


def new_person(dice: Dice, entity_id: str, country: Country, domain: str) -> Person:
    language = country.language
    first, nicknames = dice.pick(FIRST_NAMES[language])
    last = dice.pick(LAST_NAMES[language])
    role_code, title = dice.pick(ROLE_CODES)
    style = dice.choices(range(4), weights=(0.6, 0.25, 0.05, 0.1))[0]
    return Person(
        entity_id=entity_id,
        country=country,
        salutation=dice.choices(SALUTATIONS, weights=SALUTATION_WEIGHTS)[0],
        first=first,
        nicknames=nicknames,
        last=last,
        email=f"{email_local(first, last, style)}@{domain}",
        phone=new_number(dice, country, mobile=False),
        mobile=new_number(dice, country, mobile=True) if dice.chance(0.6) else None,
        role_code=role_code,
        title=title,
        department=DEPARTMENT_BY_TITLE[title],
    )


def new_users(dice: Dice, count: int, first_created: int, org_domain: str) -> list[User]:
    """The org's sales users; usernames are unique because they carry the user's index."""
    users = []
    for index in range(count):
        first, _ = dice.pick(FIRST_NAMES["en"])
        last = dice.pick(LAST_NAMES["en"])
        local = email_local(first, last, 0)
        users.append(
            User(
                entity_id=f"U{index + 1:06d}",
                index=index,
                first=first,
                last=last,
                username=f"{local}.{index + 1}@{org_domain}",
                email=f"{local}@{org_domain}",
                alias=(ascii_fold(first)[:1] + ascii_fold(last)[:4]).lower() + str(index + 1)[-3:],
                title=dice.pick(USER_TITLES),
                department=dice.pick(USER_DEPARTMENTS),
                created=first_created + dice.randrange(86_400 * 365),
            )
        )
    return users
