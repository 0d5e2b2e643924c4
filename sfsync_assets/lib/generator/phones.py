"""Phone numbers per country and the ways people write them (E.164, international, national, digits only).

A number is kept as its national significant number (NSN) plus the country; each system renders it in its own
styles. The ERP stores phones as integers, so a number typed in national format loses its trunk zero there.
"""

from __future__ import annotations

from .dice import Dice
from .vocab import Country

STYLES = ("international", "national", "e164", "digits", "dotted")


def new_number(dice: Dice, country: Country, mobile: bool) -> str:
    """A valid NSN for `country` (checked against `phonenumbers` in the tests)."""
    plan = country.phone
    prefix = dice.pick(plan.mobiles if mobile else plan.landlines)
    length = plan.mobile_length if mobile else plan.landline_length
    head = prefix.replace("|", "")
    return head + dice.digits(length - len(head))


def e164(country: Country, nsn: str) -> str:
    return "+" + country.phone.calling_code + nsn


def area_split(country: Country, nsn: str) -> tuple[str, str]:
    """(area code, subscriber number) of an NSN, using the plan's `area|lead` boundaries."""
    plan = country.phone
    for prefix in (*plan.landlines, *plan.mobiles):
        area = prefix.split("|", 1)[0]
        if nsn.startswith(prefix.replace("|", "")):
            return area, nsn[len(area) :]
    return nsn[:3], nsn[3:]


def _group(subscriber: str) -> list[str]:
    if len(subscriber) <= 4:
        return [subscriber]
    if len(subscriber) in (6, 7):
        return [subscriber[:3], subscriber[3:]]
    return (
        [subscriber[:-4], subscriber[-4:]]
        if len(subscriber) <= 8
        else [subscriber[:-6], subscriber[-6:-3], subscriber[-3:]]
    )


def render(country: Country, nsn: str, style: str) -> str:
    """`nsn` written in `style` the way people in `country` write it."""
    plan = country.phone
    area, subscriber = area_split(country, nsn)
    groups = _group(subscriber)
    if style == "e164":
        return e164(country, nsn)
    if style == "international":
        return f"+{plan.calling_code} {area} {' '.join(groups)}"
    if style == "digits":
        return plan.trunk_prefix + nsn
    if plan.calling_code == "1":
        if style == "dotted":
            return f"{area}.{groups[0]}.{groups[-1]}"
        return f"({area}) {'-'.join(groups)}"
    separator = "." if style == "dotted" else " "
    return plan.trunk_prefix + area + separator + separator.join(groups)


def as_erp_integer(country: Country, nsn: str, national_format: bool) -> tuple[int, bool]:
    """What an integer phone column keeps of a number typed nationally or internationally.

    Returns (stored integer, whether a leading zero was lost). National format in a trunk-zero country loses
    the zero; international format (`+44 ...`) keeps the digits of the calling code and the NSN.
    """
    if national_format:
        lost = country.phone.trunk_prefix == "0"
        return int(nsn), lost
    return int(country.phone.calling_code + nsn), False
