"""Postal addresses per country, with the street-type word either spelled out or abbreviated.

The spelled-out form is what the entity "really" has; abbreviations (`St.`, `Str.`, `Av.`) are planted
variation.
"""

from __future__ import annotations

from dataclasses import dataclass

from .dice import Dice
from .vocab import STREET_NAMES, STREET_SUFFIXES, SUFFIX_FIRST, SUFFIX_GLUED, Country


@dataclass(slots=True)
class Address:
    country: Country
    name: str
    suffix: tuple[str, str]  # (long, abbreviated)
    number: str
    city: str
    region: str
    postal_code: str
    second_line: str  # "Building 4" / "Suite 200" / "": legacy exports put it on its own (quoted) line

    @property
    def can_abbreviate(self) -> bool:
        return self.suffix[0] != self.suffix[1]

    def street(self, abbreviated: bool = False) -> str:
        """Street line in the country's word order; a second line, when present, after a newline."""
        word = self.suffix[1] if abbreviated else self.suffix[0]
        language = self.country.language
        if language in SUFFIX_GLUED:
            line = f"{self.name}{word} {self.number}"
        elif language in SUFFIX_FIRST:
            line = (
                f"{word} {self.name}, {self.number}"
                if language != "fr"
                else f"{self.number} {word} {self.name}"
            )
        elif language == "ja":
            line = f"{self.number} {self.name}"
        else:
            line = f"{self.number} {self.name} {word}"
        return f"{line}\n{self.second_line}" if self.second_line else line


def new_address(dice: Dice, country: Country) -> Address:
    language = country.language
    city, region, pattern = dice.pick(country.cities)
    postal = "".join(dice.digits(1) if ch == "A" else ch for ch in pattern) if "A" in pattern else pattern
    number = (
        f"{dice.randint(1, 9)}-{dice.randint(1, 20)}-{dice.randint(1, 30)}"
        if language == "ja"
        else str(dice.randint(1, 480))
    )
    second = ""
    if dice.chance(0.12):
        second = dice.pick(("Suite ", "Building ", "Unit ", "Floor ")) + str(dice.randint(1, 40))
    return Address(
        country,
        dice.pick(STREET_NAMES[language]),
        dice.pick(STREET_SUFFIXES[language]),
        number,
        city,
        region,
        postal,
        second,
    )
