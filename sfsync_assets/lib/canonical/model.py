"""The canonical model: one shape for organizations and one for persons, whatever system they came from.

Staged assets map every source object into these shapes (values normalised: E.164 phones, lower-case emails,
ISO country codes, ISO dates, amounts converted to USD with the rate date recorded, codes mapped to Salesforce
picklist values). Identity resolution, survivorship and push-back read only these columns. Field names of the
golden record are Salesforce API names, because Salesforce is where golden records are pushed.

Every canonical row carries its lineage: which system and object it came from, its id there, when it last
changed there, and the run that staged it.

`personal` marks the fields that identify or reach a natural person (names, contact data, address, birthdate;
of an organization only the tax id, which for a sole trader is often their personal number). Dagster's storage,
which an erasure cannot reach, never shows their values (`lib/privacy/redaction.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

SYSTEMS = ("salesforce", "erp", "legacy_csv", "legacy_fixed", "legacy_ebcdic")


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str
    description: str
    personal: bool = False


LINEAGE = (
    Column("source_system", "VARCHAR", "salesforce, erp, legacy_csv, legacy_fixed or legacy_ebcdic"),
    Column(
        "source_object", "VARCHAR", "object, table or feed the row came from (Contact, customers, CUSTMAST)"
    ),
    Column("source_id", "VARCHAR", "the row's id in its system (Salesforce Id, ERP key, legacy key)"),
    Column(
        "source_key",
        "VARCHAR",
        "the stable record key used across runs: source_system:source_object:source_id",
    ),
    Column("source_updated_at", "TIMESTAMPTZ", "when the row last changed in its system"),
    Column("is_deleted", "BOOLEAN", "deleted in its system (kept so deletions can reach every system)"),
    Column("ingest_run_id", "VARCHAR", "the Dagster run that staged the row"),
)

ORGANIZATION = (
    *LINEAGE,
    Column("Name", "VARCHAR", "company name as written in the source"),
    Column(
        "name_normalized", "VARCHAR", "lower-case name without legal suffixes or punctuation, for matching"
    ),
    Column("Phone", "VARCHAR", "main phone, E.164"),
    Column("Website", "VARCHAR", "web site, lower-case host"),
    Column("Industry", "VARCHAR", "Salesforce Industry picklist value"),
    Column("BillingStreet", "VARCHAR", "billing street lines"),
    Column("BillingCity", "VARCHAR", "billing city"),
    Column("BillingPostalCode", "VARCHAR", "billing postal code, as written"),
    Column("BillingCountry", "VARCHAR", "billing country, ISO 3166 alpha-2"),
    Column("CurrencyIsoCode", "VARCHAR", "the customer's trading currency, ISO 4217"),
    Column("Credit_Limit__c", "DOUBLE", "credit limit in the customer's currency"),
    Column("ERP_Customer_Id__c", "VARCHAR", "the ERP customer number, where the source knows it"),
    Column("Payment_Terms__c", "VARCHAR", "Customer_Profile__c payment terms picklist value"),
    Column("Credit_Rating__c", "VARCHAR", "Customer_Profile__c credit rating"),
    Column("Preferred_Carrier__c", "VARCHAR", "Customer_Profile__c preferred carrier name"),
    Column("Tax_Id__c", "VARCHAR", "tax / VAT id", personal=True),
    Column("Incoterms__c", "VARCHAR", "Customer_Profile__c incoterms"),
    Column("Customer_Since__c", "DATE", "first day as a customer"),
    Column("Golden_Id__c", "VARCHAR", "golden id already stamped on the source record, if any"),
)

PERSON = (
    *LINEAGE,
    Column("FirstName", "VARCHAR", "given name as written", personal=True),
    Column("LastName", "VARCHAR", "family name as written", personal=True),
    Column("Email", "VARCHAR", "email, lower-case", personal=True),
    Column("Phone", "VARCHAR", "work phone, E.164", personal=True),
    Column("MobilePhone", "VARCHAR", "mobile phone, E.164", personal=True),
    Column("Title", "VARCHAR", "job title or role, mapped to Salesforce wording"),
    Column("Birthdate", "DATE", "date of birth, where known", personal=True),
    Column("MailingCity", "VARCHAR", "city", personal=True),
    Column("MailingPostalCode", "VARCHAR", "postal code", personal=True),
    Column("MailingCountry", "VARCHAR", "country, ISO 3166 alpha-2"),
    Column(
        "organization_source_key", "VARCHAR", "source_key of the person's organization in the same system"
    ),
    Column("ERP_Contact_Id__c", "VARCHAR", "the ERP contact number, where the source knows it"),
    Column("HasOptedOutOfEmail", "BOOLEAN", "the person asked not to be emailed"),
    Column("DoNotCall", "BOOLEAN", "the person asked not to be called"),
    Column("Golden_Id__c", "VARCHAR", "golden id already stamped on the source record, if any"),
)


def create_table_sql(table: str, columns: tuple[Column, ...]) -> str:
    body = ",\n    ".join(f'"{c.name}" {c.sql_type}' for c in columns)
    return f"CREATE TABLE IF NOT EXISTS {table} (\n    {body}\n)"


def column_names(columns: tuple[Column, ...]) -> list[str]:
    return [c.name for c in columns]
