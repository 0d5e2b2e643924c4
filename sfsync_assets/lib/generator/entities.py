"""The real-world things the company deals with, before any system records them.

Each carries its `entity_id` (the ground truth identity) and its true values; systems render them with their
own formats, variation and planted problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .addresses import Address
from .vocab import Country


@dataclass(slots=True)
class User:
    entity_id: str
    index: int
    first: str
    last: str
    username: str
    email: str
    alias: str
    title: str
    department: str
    created: int


@dataclass(slots=True)
class Conflict:
    """The same field edited in Salesforce and in the ERP with different values, minutes apart."""

    field: str
    salesforce_value: str | float
    salesforce_at: int
    erp_value: str | float
    erp_at: int


@dataclass(slots=True)
class Person:
    entity_id: str
    country: Country
    salutation: str
    first: str
    nicknames: tuple[str, ...]
    last: str
    email: str
    phone: str  # NSN
    mobile: str | None  # NSN
    role_code: str
    title: str
    department: str
    # Where the person is recorded (decided once, so every system writer agrees).
    erp_contact_id: int | None = None
    in_salesforce: bool = False
    in_legacy_contacts: bool = False
    also_a_lead: bool = False
    conflict: Conflict | None = None


@dataclass(slots=True)
class Invoice:
    entity_id: str
    invoice_id: int
    number: str
    issued: int
    due: int
    amount: float
    tax: float
    status: str
    paid: int | None


@dataclass(slots=True)
class Order:
    entity_id: str
    order_id: int
    number: str
    ordered: int
    amount: float
    status: str
    product: str
    invoices: list[Invoice] = field(default_factory=list)
    has_opportunity: bool = False


@dataclass(slots=True)
class Deal:
    """An open Opportunity that has no ERP order (yet)."""

    entity_id: str
    product: str
    stage: str
    probability: int
    close: int
    amount: float
    created: int


@dataclass(slots=True)
class Company:
    entity_id: str
    erp_id: int | None  # None for prospects, which only Salesforce knows
    name: str
    name_variants: tuple[str, ...]  # other legal spellings: suffix spelled out, dropped, "&" vs "and"
    industry: int  # index into vocab.INDUSTRIES
    country: Country
    billing: Address
    shipping: Address | None
    phone: str  # NSN
    domain: str
    credit_limit: float
    payment_terms: int  # index into vocab.PAYMENT_TERMS
    credit_rating: str
    carrier: int  # index into vocab.CARRIERS
    incoterms: str
    tax_id: str
    since: int  # customer since (seconds)
    annual_revenue: int
    employees: int
    owner: int  # index of the owning User
    persons: list[Person] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)
    deals: list[Deal] = field(default_factory=list)
    # Where the company is recorded (decided once, so every system writer agrees).
    in_salesforce: bool = False
    in_legacy_crm: bool = False
    in_mainframe: bool = False
    conflict: Conflict | None = None

    @property
    def is_customer(self) -> bool:
        return self.erp_id is not None

    @property
    def currency(self) -> str:
        return self.country.currency
