"""pandera schemas of the staged canonical tables: what every staged organization and person row must satisfy.

Built from the canonical model, so a column added there is checked for presence at once; value rules (E.164
phones, email shape, ISO countries, Salesforce picklist domains, no future dates) come from the same reference
data the mappings use. The staging step applies the schema to quarantine offending values, and a blocking asset
check applies it again to the stored table.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pandera.pandas as pa

from ..canonical.model import LINEAGE, SYSTEMS
from ..mapping.countries import iso_country_codes
from ..mapping.picklists import picklist_values
from ..mapping.spec import ENTITIES
from ..mapping.text import EMAIL, HOST

E164 = r"^\+[1-9]\d{6,14}$"
SOURCE_KEY = rf"^({'|'.join(SYSTEMS)}):[^:]+:.+$"
TRIMMED = r"^\S(.*\S)?$"
NOT_NULL = frozenset(column.name for column in LINEAGE) - {"source_updated_at"}
# Staged columns whose values must be values of a Salesforce picklist (`Object.Field` in the org schema).
PICKLIST_COLUMNS = {
    "Industry": "Account.Industry",
    "Payment_Terms__c": "Customer_Profile__c.Payment_Terms__c",
    "Credit_Rating__c": "Customer_Profile__c.Credit_Rating__c",
    "Incoterms__c": "Customer_Profile__c.Incoterms__c",
}
# Sources may run a little ahead of this machine's clock; anything beyond is a broken timestamp.
CLOCK_SKEW = timedelta(days=1)


def _not_after(limit: pd.Timestamp, what: str) -> pa.Check:
    return pa.Check(lambda series: series <= limit, name="not_in_future", error=f"{what} after {limit}")


def _column_checks(now: datetime) -> dict[str, list[pa.Check]]:
    today = pd.Timestamp(now.date())
    picklist = {
        field: pa.Check.isin(picklist_values(reference), error=f"picklist {reference}")
        for field, reference in PICKLIST_COLUMNS.items()
    }
    countries = pa.Check.isin(sorted(iso_country_codes()), error="iso_3166_alpha2")
    phone = pa.Check.str_matches(E164, error="e164")
    trimmed = pa.Check.str_matches(TRIMMED, error="trimmed")
    return {
        "source_system": [pa.Check.isin(SYSTEMS, error="known_system")],
        "source_key": [pa.Check.str_matches(SOURCE_KEY, error="system:object:id")],
        "source_updated_at": [_not_after(pd.Timestamp(now + CLOCK_SKEW), "change time")],
        "Name": [trimmed],
        "FirstName": [trimmed],
        "LastName": [trimmed],
        "name_normalized": [pa.Check(lambda s: s == s.str.lower().str.strip(), error="lower_case_trimmed")],
        "Phone": [phone],
        "MobilePhone": [phone],
        "Email": [pa.Check.str_matches(EMAIL.pattern, error="lower_case_email")],
        "Website": [pa.Check.str_matches(HOST.pattern, error="lower_case_host")],
        "BillingCountry": [countries],
        "MailingCountry": [countries],
        "CurrencyIsoCode": [pa.Check.str_matches(r"^[A-Z]{3}$", error="iso_4217")],
        "Credit_Limit__c": [pa.Check.ge(0, error="not_negative")],
        "Customer_Since__c": [_not_after(today, "date")],
        "Birthdate": [_not_after(today, "date")],
        "organization_source_key": [pa.Check.str_matches(SOURCE_KEY, error="system:object:id")],
        **{field: [check] for field, check in picklist.items()},
    }


def staged_schema(entity: str, now: datetime | None = None) -> pa.DataFrameSchema:
    """The schema of a staged `entity` table (or a union of them); only lineage columns may never be null.

    A field the source requires may be empty in a staged row: the problem is in the quarantine, and the rest of
    the record still serves identity resolution.
    """
    now = now or datetime.now().astimezone()
    checks = _column_checks(now)
    columns = {
        column.name: pa.Column(
            checks=checks.get(column.name, []),
            nullable=column.name not in NOT_NULL,
            unique=column.name == "source_key",
            required=True,
        )
        for column in ENTITIES[entity]
    }
    key_matches_lineage = pa.Check(
        lambda frame: (
            frame["source_key"]
            == frame["source_system"] + ":" + frame["source_object"] + ":" + frame["source_id"]
        ),
        name="source_key = source_system:source_object:source_id",
    )
    return pa.DataFrameSchema(columns, checks=[key_matches_lineage], strict=False, name=f"staged {entity}")
