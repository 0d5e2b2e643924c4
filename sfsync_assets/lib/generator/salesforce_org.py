"""The Salesforce org of the company, written as `salesforce/<Object>.jsonl` with API field names.

Records carry 18-character Ids the generator assigns (the sequence a fresh emulator would give them), lookups
point at those Ids, and `_source_key` names the record in the truth files. `seed_loader.py` loads the files
into the emulator and maps the Ids if the org assigns different ones.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO

from sfsync_assets.lib.emulator.ids import make_id
from sfsync_assets.lib.emulator.schema import OrgSchema

from . import variations
from .clock import DAY, sf_datetime, to_date
from .dice import Dice
from .entities import Company, Deal, Order, Person, User
from .phones import e164, render
from .truth import TruthWriter
from .vocab import (
    ACCOUNT_TYPES_CUSTOMER,
    CARRIERS,
    INDUSTRIES,
    INVALID_INDUSTRIES,
    INVALID_LEAD_SOURCES,
    INVALID_LEAD_STATUSES,
    INVALID_PAYMENT_TERMS,
    INVALID_STAGES,
    LEAD_INDUSTRIES,
    LEAD_SOURCES,
    LEAD_STATUS_WEIGHTS,
    LEAD_STATUSES,
    OPPORTUNITY_TYPES,
    PAYMENT_TERMS,
    RATINGS,
)

SYSTEM = "salesforce"
# Seeding order: parents before the records that look them up.
OBJECTS = ("User", "Account", "Contact", "Lead", "Opportunity", "Customer_Profile__c")
# A fresh org already has its integration user as User number 1.
FIRST_SEQUENCE = {"User": 2}
# Orphan lookups point at Ids far beyond any sequence an org will reach.
ORPHAN_SEQUENCE_BASE = 62**9 - 10**8
PHONE_STYLES = ("international", "national", "dotted", "e164")
PHONE_STYLE_WEIGHTS = (0.4, 0.4, 0.1, 0.1)


def dump(record: dict[str, Any]) -> str:
    return (
        json.dumps(
            {k: v for k, v in record.items() if v is not None}, ensure_ascii=False, separators=(",", ":")
        )
        + "\n"
    )


class SalesforceOrgWriter:
    """Renders chunks of the world as Salesforce records, logging entities, problems and golden claims."""

    def __init__(self, out_dir: Path, schema: OrgSchema, truth: TruthWriter, as_of: int) -> None:
        self.directory = out_dir / "salesforce"
        self.directory.mkdir(parents=True, exist_ok=True)
        self.schema = schema
        self.truth = truth
        self.as_of = as_of
        self.counts = dict.fromkeys(OBJECTS, 0)
        self._files: dict[str, TextIO] = {
            name: open(self.directory / f"{name}.jsonl", "w", encoding="utf-8", newline="")  # noqa: SIM115
            for name in OBJECTS
        }
        self._user_ids: list[str] = []
        self._orphans = 0

    # --- ids and bookkeeping --------------------------------------------------------------------------------

    def _next_id(self, object_name: str) -> tuple[str, str]:
        """(Id, _source_key) of the next record of `object_name`."""
        self.counts[object_name] += 1
        sequence = self.counts[object_name] - 1 + FIRST_SEQUENCE.get(object_name, 1)
        record_id = make_id(self.schema.object(object_name).key_prefix, sequence)
        return record_id, f"{object_name}-{self.counts[object_name]:07d}"

    def _orphan_id(self, object_name: str) -> str:
        self._orphans += 1
        return make_id(self.schema.object(object_name).key_prefix, ORPHAN_SEQUENCE_BASE + self._orphans)

    def _write(self, object_name: str, record: dict[str, Any]) -> None:
        self._files[object_name].write(dump(record))

    def _problem(self, object_name: str, source_key: str, field: str, kind: str, detail: str = "") -> None:
        self.truth.problem(
            SYSTEM,
            object_name,
            source_key,
            field,
            kind,
            file=f"salesforce/{object_name}.jsonl",
            record_number=self.counts[object_name],
            detail=detail,
        )

    def _variations(self, object_name: str, source_key: str, field: str, kinds: list[str]) -> None:
        for kind in kinds:
            self._problem(object_name, source_key, field, kind)

    def _history(self, dice: Dice, earliest: int, modified: int | None = None) -> dict[str, Any]:
        """CreatedDate/LastModifiedDate/SystemModstamp; the modstamp sometimes moves later on its own.

        A given `modified` (a planted edit) is kept exactly; the record is then created before it.
        """
        latest_created = self.as_of - DAY if modified is None else modified
        earliest = min(max(earliest, self.as_of - 6 * 365 * DAY), latest_created)
        created = earliest + dice.randrange(latest_created - earliest + 1)
        if modified is None:
            modified = created + int((self.as_of - DAY - created) * dice.random() ** 0.7)
        modstamp = modified if dice.chance(0.8) else min(modified + dice.randrange(30 * DAY), self.as_of - 1)
        return {
            "CreatedDate": sf_datetime(created),
            "LastModifiedDate": sf_datetime(modified),
            "SystemModstamp": sf_datetime(modstamp),
            "_modified": modified,
        }

    def _stamp(
        self, record: dict[str, Any], dice: Dice, owner: int, earliest: int, modified: int | None = None
    ) -> int:
        history = self._history(dice, earliest, modified)
        modified_at = history.pop("_modified")
        owner_id = self._user_ids[owner]
        record["OwnerId"] = owner_id
        record["CreatedById"] = owner_id if dice.chance(0.7) else dice.pick(self._user_ids)
        record["LastModifiedById"] = owner_id if dice.chance(0.6) else dice.pick(self._user_ids)
        record.update(history)
        return modified_at

    def _phone(self, dice: Dice, person_or_company: Person | Company, nsn: str | None) -> str | None:
        if nsn is None:
            return None
        style = dice.choices(PHONE_STYLES, weights=PHONE_STYLE_WEIGHTS)[0]
        return render(person_or_company.country, nsn, style)

    # --- users ----------------------------------------------------------------------------------------------

    def write_users(self, users: list[User]) -> None:
        for user in users:
            record_id, source_key = self._next_id("User")
            self._user_ids.append(record_id)
            self._write(
                "User",
                {
                    "Id": record_id,
                    "_source_key": source_key,
                    "Username": user.username,
                    "FirstName": user.first,
                    "LastName": user.last,
                    "Email": user.email,
                    "Alias": user.alias,
                    "IsActive": True,
                    "Title": user.title,
                    "Department": user.department,
                    "CreatedDate": sf_datetime(user.created),
                    "LastModifiedDate": sf_datetime(user.created),
                    "SystemModstamp": sf_datetime(user.created),
                },
            )
            self.truth.entity(SYSTEM, "User", source_key, record_id, user.entity_id)

    # --- companies ------------------------------------------------------------------------------------------

    def write_company(self, dice: Dice, company: Company) -> None:
        account_id = None
        if company.in_salesforce:
            account_id = self._account(dice, company, duplicate=False)
            if dice.roll("duplicate_in_system"):
                self._account(dice, company, duplicate=True)
            if company.is_customer and dice.roll("account_has_profile"):
                self._profile(dice, company, account_id)
        contact_ids: dict[str, str] = {}
        for person in company.persons:
            if person.in_salesforce and account_id is not None:
                contact_ids[person.entity_id] = self._contact(
                    dice, company, person, account_id, duplicate=False
                )
                if dice.roll("duplicate_in_system"):
                    self._contact(dice, company, person, account_id, duplicate=True)
            if (not company.is_customer and account_id is None) or person.also_a_lead:
                self._lead(dice, company, person, converted=None)
            elif not company.is_customer and person.entity_id in contact_ids and dice.chance(0.3):
                self._lead(dice, company, person, converted=(account_id, contact_ids[person.entity_id]))
        if account_id is not None:
            for order in company.orders:
                if order.has_opportunity:
                    self._opportunity(dice, company, account_id, order)
            for deal in company.deals:
                self._opportunity(dice, company, account_id, deal)

    def _account(self, dice: Dice, company: Company, duplicate: bool) -> str:
        record_id, key = self._next_id("Account")
        name, name_kinds = variations.company_name(dice, company)
        street, street_kinds = variations.street(dice, company.billing)
        industry = INDUSTRIES[company.industry][0]
        country = company.country
        phone_nsn = company.phone
        credit_limit = company.credit_limit if company.is_customer else None
        conflict = company.conflict if not duplicate else None
        modified = None
        if conflict is not None:
            modified = conflict.salesforce_at
            if conflict.field == "Phone":
                phone_nsn = str(conflict.salesforce_value)
            else:
                credit_limit = float(conflict.salesforce_value)
        lifetime_value = sum(i.amount for o in company.orders for i in o.invoices) if not duplicate else None
        record = {
            "Id": record_id,
            "_source_key": key,
            "Name": name,
            "Type": dice.pick(ACCOUNT_TYPES_CUSTOMER) if company.is_customer else "Prospect",
            "Industry": industry,
            "Rating": dice.pick(RATINGS) if dice.chance(0.6) else None,
            "Phone": self._phone(dice, company, phone_nsn),
            "Website": ("https://www." if dice.chance(0.5) else "www.") + company.domain,
            "AnnualRevenue": company.annual_revenue if dice.chance(0.7) else None,
            "NumberOfEmployees": company.employees if dice.chance(0.7) else None,
            "BillingStreet": street,
            "BillingCity": company.billing.city,
            "BillingState": company.billing.region or None,
            "BillingPostalCode": company.billing.postal_code,
            "BillingCountry": country.name if dice.chance(0.8) else dice.pick(country.aliases),
            "CurrencyIsoCode": company.currency,
            "ERP_Customer_Id__c": None,
            "Credit_Limit__c": credit_limit,
            "Lifetime_Value__c": round(lifetime_value, 2) if lifetime_value is not None else None,
        }
        if company.shipping is not None:
            record.update(
                {
                    "ShippingStreet": company.shipping.street(),
                    "ShippingCity": company.shipping.city,
                    "ShippingState": company.shipping.region or None,
                    "ShippingPostalCode": company.shipping.postal_code,
                    "ShippingCountry": country.name,
                }
            )
        if company.is_customer and not duplicate and dice.roll("account_has_erp_id"):
            record["ERP_Customer_Id__c"] = str(company.erp_id)
        earliest = company.since if company.is_customer else self.as_of - 2 * 365 * DAY
        modified = self._stamp(record, dice, company.owner, earliest, modified)
        claims: dict[str, Any] = {
            "Name": name,
            "Phone": e164(country, phone_nsn),
            "Website": "www." + company.domain,
            "Industry": industry,
            "BillingStreet": street,
            "BillingCity": company.billing.city,
            "BillingPostalCode": company.billing.postal_code,
            "BillingCountry": country.code,
            "CurrencyIsoCode": company.currency,
            "Credit_Limit__c": credit_limit,
            "ERP_Customer_Id__c": record["ERP_Customer_Id__c"],
        }
        self._variations("Account", key, "Name", name_kinds)
        self._variations("Account", key, "BillingStreet", street_kinds)
        if dice.roll("invalid_picklist"):
            record["Industry"] = dice.pick(INVALID_INDUSTRIES)
            claims.pop("Industry")
            self._problem("Account", key, "Industry", "invalid_picklist", record["Industry"])
        if dice.roll("missing_required"):
            record["Name"] = None
            claims.pop("Name")
            self._problem("Account", key, "Name", "missing_required")
        elif (garbled := variations.mojibake(name)) is not None and dice.roll("mojibake"):
            record["Name"] = garbled
            claims.pop("Name")
            self._problem("Account", key, "Name", "mojibake", garbled)
        if duplicate:
            self._problem("Account", key, "", "duplicate", "second Account of the same company")
        if conflict is not None:
            self._conflict("Account", key, conflict)
        self._write("Account", record)
        self.truth.entity(SYSTEM, "Account", key, record_id, company.entity_id)
        self.truth.claim(company.entity_id, SYSTEM, "Account", key, modified, claims)
        return record_id

    def _conflict(self, object_name: str, key: str, conflict: Any) -> None:
        self._problem(
            object_name,
            key,
            conflict.field,
            "conflicting_edit",
            f"salesforce={conflict.salesforce_value} at {sf_datetime(conflict.salesforce_at)}; "
            f"erp={conflict.erp_value} at {sf_datetime(conflict.erp_at)}",
        )

    def _profile(self, dice: Dice, company: Company, account_id: str) -> None:
        record_id, key = self._next_id("Customer_Profile__c")
        terms = PAYMENT_TERMS[company.payment_terms][1]
        since = to_date(company.since).isoformat()
        carrier = CARRIERS[company.carrier][1]
        record = {
            "Id": record_id,
            "_source_key": key,
            "Name": f"Profile {company.erp_id}",
            "Account__c": account_id,
            "ERP_Customer_Id__c": str(company.erp_id),
            "Payment_Terms__c": terms,
            "Credit_Rating__c": company.credit_rating,
            "Preferred_Carrier__c": carrier,
            "Tax_Id__c": company.tax_id,
            "Incoterms__c": company.incoterms,
            "Customer_Since__c": since,
        }
        modified = self._stamp(record, dice, company.owner, company.since)
        claims: dict[str, Any] = {
            "Payment_Terms__c": terms,
            "Credit_Rating__c": company.credit_rating,
            "Preferred_Carrier__c": carrier,
            "Tax_Id__c": company.tax_id,
            "Incoterms__c": company.incoterms,
            "Customer_Since__c": since,
            "ERP_Customer_Id__c": str(company.erp_id),
        }
        if dice.roll("invalid_picklist"):
            record["Payment_Terms__c"] = dice.pick(INVALID_PAYMENT_TERMS)
            claims.pop("Payment_Terms__c")
            self._problem(
                "Customer_Profile__c", key, "Payment_Terms__c", "invalid_picklist", record["Payment_Terms__c"]
            )
        self._write("Customer_Profile__c", record)
        self.truth.entity(SYSTEM, "Customer_Profile__c", key, record_id, company.entity_id)
        self.truth.claim(company.entity_id, SYSTEM, "Customer_Profile__c", key, modified, claims)

    # --- people ---------------------------------------------------------------------------------------------

    def _person_fields(
        self, dice: Dice, object_name: str, key: str, person: Person, conflict_applies: bool
    ) -> tuple[dict[str, Any], dict[str, Any], int | None]:
        """Name/email/phone fields of a Contact or Lead, their golden claims, and a conflict's timestamp."""
        first, last, kinds = variations.person_name(dice, person)
        email, email_kinds = variations.person_email(dice, person, first)
        phone_nsn = person.phone
        modified = None
        conflict = person.conflict if conflict_applies else None
        if conflict is not None:
            modified = conflict.salesforce_at
            if conflict.field == "Phone":
                phone_nsn = str(conflict.salesforce_value)
            else:
                email = str(conflict.salesforce_value)
            self._conflict(object_name, key, conflict)
        fields = {
            "Salutation": person.salutation if dice.chance(0.7) else None,
            "FirstName": first,
            "LastName": last,
            "Title": person.title,
            "Email": email.capitalize() if dice.chance(0.05) else email,
            "Phone": self._phone(dice, person, phone_nsn),
            "MobilePhone": self._phone(dice, person, person.mobile),
        }
        claims = {
            "FirstName": first,
            "LastName": last,
            "Email": email.lower(),
            "Phone": e164(person.country, phone_nsn),
            "MobilePhone": e164(person.country, person.mobile) if person.mobile else None,
            "Title": person.title,
        }
        for kind in kinds:
            self._problem(
                object_name, key, "FirstName" if kind in ("nickname", "initial_only") else "LastName", kind
            )
        self._variations(object_name, key, "Email", email_kinds)
        return fields, claims, modified

    def _missing_or_garbled(
        self,
        dice: Dice,
        object_name: str,
        key: str,
        record: dict[str, Any],
        claims: dict[str, Any],
        required: str,
    ) -> None:
        """Plant a blank required field, or else (when the name has accents) mojibake in the name."""
        if dice.roll("missing_required"):
            record[required] = None
            claims.pop(required, None)
            self._problem(object_name, key, required, "missing_required")
            return
        field = "LastName" if not record["LastName"].isascii() else "FirstName"
        garbled = variations.mojibake(record[field])
        if garbled is not None and dice.roll("mojibake"):
            record[field] = garbled
            claims.pop(field)
            self._problem(object_name, key, field, "mojibake", garbled)

    def _contact(self, dice: Dice, company: Company, person: Person, account_id: str, duplicate: bool) -> str:
        record_id, key = self._next_id("Contact")
        fields, claims, modified = self._person_fields(dice, "Contact", key, person, not duplicate)
        mailing, street_kinds = variations.street(dice, company.billing)
        record = {
            "Id": record_id,
            "_source_key": key,
            "AccountId": account_id,
            **fields,
            "Department": person.department,
            "LeadSource": dice.pick(LEAD_SOURCES) if dice.chance(0.5) else None,
            "MailingStreet": mailing,
            "MailingCity": company.billing.city,
            "MailingPostalCode": company.billing.postal_code,
            "MailingCountry": company.country.name,
            "ERP_Contact_Id__c": None,
        }
        if person.erp_contact_id is not None and not duplicate and dice.roll("contact_has_erp_id"):
            record["ERP_Contact_Id__c"] = str(person.erp_contact_id)
            claims["ERP_Contact_Id__c"] = record["ERP_Contact_Id__c"]
        claims["account_entity_id"] = company.entity_id
        self._variations("Contact", key, "MailingStreet", street_kinds)
        self._missing_or_garbled(dice, "Contact", key, record, claims, "LastName")
        if dice.roll("orphan_lookup"):
            record["AccountId"] = self._orphan_id("Account")
            claims.pop("account_entity_id")
            self._problem("Contact", key, "AccountId", "orphan_lookup", record["AccountId"])
        if duplicate:
            self._problem("Contact", key, "", "duplicate", "second Contact of the same person")
        modified = self._stamp(record, dice, company.owner, company.since, modified)
        self._write("Contact", record)
        self.truth.entity(SYSTEM, "Contact", key, record_id, person.entity_id)
        self.truth.claim(person.entity_id, SYSTEM, "Contact", key, modified, claims)
        return record_id

    def _lead(
        self,
        dice: Dice,
        company: Company,
        person: Person,
        converted: tuple[str, str] | None,
        duplicate: bool = False,
    ) -> None:
        record_id, key = self._next_id("Lead")
        fields, claims, _ = self._person_fields(dice, "Lead", key, person, conflict_applies=False)
        company_name, name_kinds = variations.company_name(dice, company)
        industry = INDUSTRIES[company.industry][0]
        status = (
            "Closed - Converted"
            if converted
            else dice.choices(
                LEAD_STATUSES[:2] + LEAD_STATUSES[3:],
                weights=LEAD_STATUS_WEIGHTS[:2] + LEAD_STATUS_WEIGHTS[3:],
            )[0]
        )
        street, street_kinds = variations.street(dice, company.billing)
        record = {
            "Id": record_id,
            "_source_key": key,
            **fields,
            "Company": company_name,
            "Status": status,
            "LeadSource": dice.pick(LEAD_SOURCES),
            "Industry": industry if industry in LEAD_INDUSTRIES else "Other",
            "Rating": dice.pick(RATINGS) if dice.chance(0.5) else None,
            "Street": street,
            "City": company.billing.city,
            "State": company.billing.region or None,
            "PostalCode": company.billing.postal_code,
            "Country": company.country.name,
            "IsConverted": converted is not None,
            "ConvertedAccountId": converted[0] if converted else None,
            "ConvertedContactId": converted[1] if converted else None,
        }
        self._variations("Lead", key, "Company", name_kinds)
        self._variations("Lead", key, "Street", street_kinds)
        if dice.roll("invalid_picklist"):
            field, choices = dice.pick(
                (
                    ("Status", INVALID_LEAD_STATUSES),
                    ("LeadSource", INVALID_LEAD_SOURCES),
                    ("Industry", INVALID_INDUSTRIES),
                )
            )
            record[field] = dice.pick(choices)
            self._problem("Lead", key, field, "invalid_picklist", record[field])
        self._missing_or_garbled(dice, "Lead", key, record, claims, dice.pick(("LastName", "Company")))
        if duplicate:
            self._problem("Lead", key, "", "duplicate", "same Lead imported twice")
        modified = self._stamp(record, dice, company.owner, self.as_of - 2 * 365 * DAY)
        self._write("Lead", record)
        self.truth.entity(SYSTEM, "Lead", key, record_id, person.entity_id)
        self.truth.claim(person.entity_id, SYSTEM, "Lead", key, modified, claims)
        if not duplicate and not converted and dice.roll("duplicate_in_system"):
            self._lead(dice, company, person, None, duplicate=True)

    # --- opportunities --------------------------------------------------------------------------------------

    def _opportunity(self, dice: Dice, company: Company, account_id: str, source: Order | Deal) -> None:
        record_id, key = self._next_id("Opportunity")
        short_name = company.name.rsplit(" ", 1)[0]
        if isinstance(source, Order):
            won = source.status != "CANCELLED"
            record = {
                "Name": f"{short_name} - {source.product}",
                "StageName": "Closed Won" if won else "Closed Lost",
                "CloseDate": to_date(source.ordered).isoformat(),
                "Amount": source.amount,
                "Probability": 100 if won else 0,
                "IsClosed": True,
                "IsWon": won,
                "ERP_Order_Id__c": source.number if dice.roll("opportunity_has_erp_order_id") else None,
            }
            earliest = source.ordered - 60 * DAY
            modified = min(source.ordered + dice.randrange(5 * DAY), self.as_of - DAY)
        else:
            record = {
                "Name": f"{short_name} - {source.product}",
                "StageName": source.stage,
                "CloseDate": to_date(source.close).isoformat(),
                "Amount": source.amount,
                "Probability": source.probability,
                "IsClosed": False,
                "IsWon": False,
            }
            earliest = source.created
            modified = None
        record = {
            "Id": record_id,
            "_source_key": key,
            "AccountId": account_id,
            **record,
            "Type": dice.pick(OPPORTUNITY_TYPES) if company.is_customer else "New Customer",
            "LeadSource": dice.pick(LEAD_SOURCES) if dice.chance(0.6) else None,
            "CurrencyIsoCode": company.currency,
        }
        if dice.roll("orphan_lookup"):
            record["AccountId"] = self._orphan_id("Account")
            self._problem("Opportunity", key, "AccountId", "orphan_lookup", record["AccountId"])
        if dice.roll("invalid_picklist"):
            record["StageName"] = dice.pick(INVALID_STAGES)
            self._problem("Opportunity", key, "StageName", "invalid_picklist", record["StageName"])
        if dice.roll("missing_required"):
            record["CloseDate"] = None
            self._problem("Opportunity", key, "CloseDate", "missing_required")
        self._stamp(record, dice, company.owner, earliest, modified)
        self._write("Opportunity", record)
        self.truth.entity(SYSTEM, "Opportunity", key, record_id, source.entity_id)

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()
