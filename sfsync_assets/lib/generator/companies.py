"""Companies (customers and prospects) with their orders, invoices and open deals."""

from __future__ import annotations

import math

from .addresses import new_address
from .clock import DAY
from .dice import Dice
from .entities import Company, Deal, Invoice, Order
from .people import ascii_fold
from .phones import new_number
from .vocab import (
    CARRIERS,
    COMPANY_STEMS,
    COUNTRIES,
    COUNTRY_WEIGHTS,
    CREDIT_RATING_WEIGHTS,
    CREDIT_RATINGS,
    INCOTERMS,
    INDUSTRIES,
    LAST_NAMES,
    OPEN_STAGES,
    PAYMENT_TERM_WEIGHTS,
    PAYMENT_TERMS,
    PRODUCTS,
    Country,
)

# Typical order value per currency unit: amounts are drawn in USD and converted, so JPY orders have more
# digits.
USD_PER_UNIT = {
    "USD": 1.0,
    "EUR": 1.08,
    "GBP": 1.27,
    "CAD": 0.73,
    "AUD": 0.66,
    "JPY": 0.0067,
    "CHF": 1.13,
    "SEK": 0.095,
    "INR": 0.012,
    "BRL": 0.18,
    "MXN": 0.055,
}
_SPELLED_OUT = {
    "Inc.": "Incorporated",
    "Corp.": "Corporation",
    "Co.": "Company",
    "Ltd": "Limited",
    "Ltd.": "Limited",
    "PLC": "Public Limited Company",
    "LLC": "L.L.C.",
    "AG": "Aktiengesellschaft",
    "GmbH": "G.m.b.H.",
    "Pty Ltd": "Pty. Limited",
    "Pvt Ltd": "Private Limited",
    "SA": "S.A.",
    "SAS": "S.A.S.",
    "AB": "Aktiebolag",
    "K.K.": "Kabushiki Kaisha",
    "Ltda.": "Limitada",
}


def tax_id(dice: Dice, country: Country) -> str:
    """A tax / VAT number in the country's usual shape (check digits are not computed)."""
    code = country.code
    if code == "US":
        return f"{dice.digits(2)}-{dice.digits(7)}"
    if code == "CA":
        return f"{dice.digits(9)}RT0001"
    if code == "AU":
        return f"{dice.digits(2)} {dice.digits(3)} {dice.digits(3)} {dice.digits(3)}"
    if code == "IN":
        return f"{dice.digits(2)}AAACR{dice.digits(4)}F1Z{dice.digits(1)}"
    if code == "BR":
        return f"{dice.digits(2)}.{dice.digits(3)}.{dice.digits(3)}/0001-{dice.digits(2)}"
    if code == "MX":
        return f"ABC{dice.digits(6)}XY{dice.digits(1)}"
    if code == "JP":
        return f"T{dice.digits(13)}"
    if code == "CH":
        return f"CHE-{dice.digits(3)}.{dice.digits(3)}.{dice.digits(3)} MWST"
    digits = {"GB": 9, "DE": 9, "FR": 11, "SE": 12}[code]
    return code + dice.digits(digits)


def _name(dice: Dice, country: Country, industry: int) -> tuple[str, tuple[str, ...]]:
    stem = dice.pick(COMPANY_STEMS)
    noun = dice.pick(INDUSTRIES[industry][2])
    shape = dice.random()
    if shape < 0.5:
        core = f"{stem} {noun}"
    elif shape < 0.8:
        core = f"{dice.pick(LAST_NAMES[country.language])} {noun}"
    else:
        core = f"{stem} & {dice.pick(LAST_NAMES[country.language])}"
    suffix = dice.pick(country.legal_suffixes)
    name = f"{core} {suffix}"
    variants = [core, f"{core} {_SPELLED_OUT.get(suffix, suffix)}", f"{core}, {suffix}"]
    if "&" in core:
        variants.append(f"{core.replace('&', 'and')} {suffix}")
    return name, tuple(dict.fromkeys(v for v in variants if v != name))


def _domain(name: str, country: Country) -> str:
    words = ascii_fold(name).lower().replace("&", " ").split()[:2]
    return "".join(ch for ch in "-".join(words) if ch.isalnum() or ch == "-") + "." + country.tld


def new_company(dice: Dice, entity_id: str, erp_id: int | None, as_of: int, owner: int) -> Company:
    country = dice.choices(COUNTRIES, weights=COUNTRY_WEIGHTS)[0]
    industry = dice.randrange(len(INDUSTRIES))
    name, variants = _name(dice, country, industry)
    since = as_of - int(DAY * (30 + dice.random() ** 1.5 * 365 * 20))
    employees = int(math.exp(dice.uniform(math.log(5), math.log(50_000))))
    billing = new_address(dice, country)
    return Company(
        entity_id=entity_id,
        erp_id=erp_id,
        name=name,
        name_variants=variants,
        industry=industry,
        country=country,
        billing=billing,
        shipping=new_address(dice, country) if dice.chance(0.4) else None,
        phone=new_number(dice, country, mobile=False),
        domain=_domain(name, country),
        credit_limit=float(round(math.exp(dice.uniform(math.log(5_000), math.log(2_000_000))), -3)),
        payment_terms=dice.choices(range(len(PAYMENT_TERMS)), weights=PAYMENT_TERM_WEIGHTS)[0],
        credit_rating=dice.choices(CREDIT_RATINGS, weights=CREDIT_RATING_WEIGHTS)[0],
        carrier=dice.randrange(len(CARRIERS)),
        incoterms=dice.pick(INCOTERMS),
        tax_id=tax_id(dice, country),
        since=since,
        annual_revenue=int(round(employees * dice.uniform(80_000, 400_000), -3)),
        employees=employees,
        owner=owner,
    )


def local_amount(dice: Dice, currency: str, low_usd: float, high_usd: float) -> float:
    """A log-uniform amount between the USD bounds, in `currency` units, rounded to cents."""
    usd = math.exp(dice.uniform(math.log(low_usd), math.log(high_usd)))
    return round(usd / USD_PER_UNIT[currency], 2 if currency != "JPY" else 0)


def new_order(dice: Dice, company: Company, entity_id: str, order_id: int, as_of: int) -> Order:
    start = max(company.since, as_of - 3 * 365 * DAY)
    ordered = start + dice.randrange(max(as_of - start - DAY, DAY))
    age_days = (as_of - ordered) // DAY
    status = "OPEN" if age_days < 10 else "SHIPPED" if age_days < 25 else "INVOICED"
    if dice.chance(0.04):
        status = "CANCELLED"
    year = ordered // (365 * DAY) + 1970
    return Order(
        entity_id,
        order_id,
        f"SO-{year}-{order_id:07d}",
        ordered,
        local_amount(dice, company.currency, 500, 250_000),
        status,
        dice.pick(PRODUCTS),
    )


def new_invoice(
    dice: Dice, order: Order, entity_id: str, invoice_id: int, terms_days: int, as_of: int, share: float
) -> Invoice:
    issued = min(order.ordered + DAY * dice.randint(3, 20), as_of - DAY)
    due = issued + DAY * terms_days
    amount = round(order.amount * share, 2)
    tax = round(amount * dice.choice((0.0, 0.07, 0.19, 0.2)), 2)
    paid = None
    status = "OPEN"
    if due < as_of and dice.chance(0.85):
        paid = min(due + DAY * dice.randint(-10, 25), as_of - DAY)
        status = "PAID"
    elif due < as_of:
        status = "OVERDUE"
    return Invoice(entity_id, invoice_id, f"INV{invoice_id:08d}", issued, due, amount, tax, status, paid)


def new_deal(dice: Dice, company: Company, entity_id: str, as_of: int) -> Deal:
    stage, probability = dice.pick(OPEN_STAGES)
    created = as_of - DAY * dice.randint(5, 300)
    return Deal(
        entity_id,
        dice.pick(PRODUCTS),
        stage,
        probability,
        as_of + DAY * dice.randint(7, 180),
        local_amount(dice, company.currency, 2_000, 400_000),
        created,
    )
