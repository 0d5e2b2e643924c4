"""The company's world, built one chunk of customers at a time so memory stays flat at any scale.

A chunk holds customers (ERP companies) and prospects (Salesforce-only companies) with their people, orders,
invoices and open deals; every system writer renders the same chunk, so one entity's records in all systems
are generated together and its golden record can be computed before the chunk is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from .clock import DAY
from .companies import new_company, new_deal, new_invoice, new_order
from .dice import Dice
from .entities import Company, Conflict, Person
from .people import email_local, new_person
from .phones import new_number
from .vocab import PAYMENT_TERMS, PERSONAL_EMAIL_DOMAINS

PERSONS_PER_CUSTOMER = (1, 2, 3, 4)
PERSONS_WEIGHTS = (0.2, 0.35, 0.3, 0.15)
ORDERS_PER_CUSTOMER = tuple(range(9))
ORDERS_WEIGHTS = (0.04, 0.08, 0.12, 0.16, 0.18, 0.16, 0.12, 0.08, 0.06)
FIRST_ERP_CUSTOMER_ID = 100_001


def terms_days(payment_terms: int) -> int:
    label = PAYMENT_TERMS[payment_terms][1]
    return int(label.split()[1]) if label.startswith("Net") else 0


@dataclass
class Counters:
    """Global sequence numbers, carried from chunk to chunk so ids stay unique and dense."""

    company: int = 0
    customer: int = 0
    person: int = 0
    order: int = 0
    invoice: int = 0
    deal: int = 0
    erp_contact: int = 0


@dataclass
class Chunk:
    index: int
    customers: list[Company]
    prospects: list[Company]

    @property
    def companies(self) -> list[Company]:
        return self.customers + self.prospects


def build_chunk(
    dice: Dice,
    index: int,
    customers: int,
    prospects: int,
    counters: Counters,
    as_of: int,
    users: int,
    parties_only: bool = False,
) -> Chunk:
    """`parties_only`: companies and people without orders, invoices or deals (all identity resolution reads)."""
    built_customers = [
        _company(dice, counters, as_of, users, customer=True, parties_only=parties_only)
        for _ in range(customers)
    ]
    built_prospects = [
        _company(dice, counters, as_of, users, customer=False, parties_only=parties_only)
        for _ in range(prospects)
    ]
    return Chunk(index, built_customers, built_prospects)


def _company(
    dice: Dice, counters: Counters, as_of: int, users: int, customer: bool, parties_only: bool
) -> Company:
    counters.company += 1
    erp_id = None
    if customer:
        erp_id = FIRST_ERP_CUSTOMER_ID + counters.customer
        counters.customer += 1
    company = new_company(dice, f"C{counters.company:08d}", erp_id, as_of, owner=dice.randrange(users))
    person_count = (
        dice.choices(PERSONS_PER_CUSTOMER, weights=PERSONS_WEIGHTS)[0] if customer else dice.randint(1, 3)
    )
    for _ in range(person_count):
        counters.person += 1
        company.persons.append(new_person(dice, f"P{counters.person:08d}", company.country, company.domain))
    if parties_only:
        _decide_presence(dice, company, counters, as_of)
        return company
    if customer:
        for _ in range(dice.choices(ORDERS_PER_CUSTOMER, weights=ORDERS_WEIGHTS)[0]):
            counters.order += 1
            order = new_order(dice, company, f"O{counters.order:08d}", counters.order, as_of)
            company.orders.append(order)
            if order.status == "INVOICED" or (order.status == "SHIPPED" and dice.chance(0.5)):
                shares = (0.6, 0.4) if dice.chance(0.1) else (1.0,)
                for share in shares:
                    counters.invoice += 1
                    order.invoices.append(
                        new_invoice(
                            dice,
                            order,
                            f"I{counters.invoice:08d}",
                            counters.invoice,
                            terms_days(company.payment_terms),
                            as_of,
                            share,
                        )
                    )
    for _ in range(dice.choices((0, 1, 2), weights=(0.5, 0.35, 0.15))[0] if customer else dice.randint(1, 2)):
        counters.deal += 1
        company.deals.append(new_deal(dice, company, f"D{counters.deal:08d}", as_of))
    _decide_presence(dice, company, counters, as_of)
    return company


def _decide_presence(dice: Dice, company: Company, counters: Counters, as_of: int) -> None:
    """Which systems record the company and its people, and which fields were edited in two systems."""
    if company.is_customer:
        company.in_salesforce = dice.roll("customer_in_salesforce")
        company.in_legacy_crm = dice.roll("customer_in_legacy_crm")
        company.in_mainframe = dice.roll("customer_in_mainframe")
        for order in company.orders:
            order.has_opportunity = company.in_salesforce and dice.roll("order_has_opportunity")
    else:
        company.in_salesforce = dice.roll("prospect_has_account")
    for person in company.persons:
        if company.is_customer and dice.roll("person_in_erp_contacts"):
            counters.erp_contact += 1
            person.erp_contact_id = 500_000 + counters.erp_contact
        person.in_salesforce = company.in_salesforce and dice.roll("person_in_salesforce")
        person.in_legacy_contacts = company.in_legacy_crm and dice.roll("person_in_legacy_contacts")
        person.also_a_lead = company.is_customer and person.in_salesforce and dice.roll("contact_also_a_lead")
        if person.in_salesforce and person.erp_contact_id is not None and dice.roll("conflicting_edit"):
            person.conflict = _person_conflict(dice, person, as_of)
    if company.is_customer and company.in_salesforce and dice.roll("conflicting_edit"):
        if dice.chance(0.5):
            company.conflict = Conflict(
                "Phone",
                new_number(dice, company.country, mobile=False),
                0,
                new_number(dice, company.country, mobile=False),
                0,
            )
        else:
            company.conflict = Conflict(
                "Credit_Limit__c",
                round(company.credit_limit * 1.5, -3),
                0,
                round(company.credit_limit * 0.8, -3),
                0,
            )
        _stamp(dice, company.conflict, as_of)


def _person_conflict(dice: Dice, person: Person, as_of: int) -> Conflict:
    if dice.chance(0.5):
        conflict = Conflict(
            "Phone",
            new_number(dice, person.country, mobile=False),
            0,
            new_number(dice, person.country, mobile=False),
            0,
        )
    else:
        domain = person.email.split("@", 1)[1]
        conflict = Conflict(
            "Email",
            f"{email_local(person.first, person.last, 1)}@{domain}",
            0,
            f"{email_local(person.first, person.last, 0)}@{dice.pick(PERSONAL_EMAIL_DOMAINS)}",
            0,
        )
    _stamp(dice, conflict, as_of)
    return conflict


def _stamp(dice: Dice, conflict: Conflict, as_of: int) -> None:
    """Both edits within the last three weeks, one to three hours apart, either system first."""
    first = as_of - DAY * dice.randint(1, 20) - dice.randrange(DAY)
    second = first + dice.randint(60, 3 * 3600)
    conflict.salesforce_at, conflict.erp_at = (first, second) if dice.chance(0.5) else (second, first)
