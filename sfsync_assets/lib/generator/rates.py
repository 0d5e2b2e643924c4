"""The planted-problem and shape rates of a generated company, with defaults and a YAML override.

Every rate is a probability applied to a stated population (the comment after each field); the generator
counts both the population and the hits per kind in `manifest.json`, so a test can check the realised rate.
Override any subset with `--rates FILE` (a flat YAML mapping of field name to number between 0 and 1).

One knob sets the data-losing problems together: `bad_row_rate`, the most a source object's records may carry
a planted problem that costs the record data (the share the quality layer's error-rate check measures, 1 % by
default). Each of those kinds is planted at `bad_row_rate / MOST_PER_RECORD`, so no object's expected share
exceeds it. The default stays well below the check's limit, so a demo company passes it; raise it to see the
check fail.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

import yaml

from .errors import RatesError

# Planted problems that empty a value or keep a record from being staged (each with an expected error).
DATA_LOSING = ("invalid_picklist", "missing_required", "orphan_lookup", "impossible_date")
# The most of them any one record is rolled for: an Opportunity (orphan AccountId, bad stage, no CloseDate).
MOST_PER_RECORD = 3
# Default: an expected share far enough below the 1 % error-rate limit that chance does not cross it even on
# objects of a few hundred records (a demo company's Accounts).
BAD_ROW_RATE = 0.002


@dataclass(frozen=True)
class Rates:
    # --- where a customer lives (shape, not problems) -------------------------------------------------------
    customer_in_salesforce: float = 0.85  # ERP customers that have a Salesforce Account
    account_has_erp_id: float = 0.45  # of those Accounts: ERP_Customer_Id__c filled in
    account_has_profile: float = 0.6  # of those Accounts: a Customer_Profile__c record
    customer_in_legacy_crm: float = 0.35  # ERP customers also in the legacy CRM CSV export
    customer_in_mainframe: float = 0.5  # ERP customers also in the mainframe AR files (EBCDIC)
    person_in_salesforce: float = 0.8  # contacts of a customer that has an Account: also a Salesforce Contact
    contact_has_erp_id: float = 0.4  # Salesforce Contacts of ERP contacts: ERP_Contact_Id__c filled in
    person_in_erp_contacts: float = 0.85  # contacts of a customer: in ERP customer_contacts
    person_in_legacy_contacts: float = 0.6  # contacts of a legacy-CRM customer: in the CONTACTS export
    erp_email_opt_out: float = 0.05  # ERP customer_contacts: asked not to be emailed (email_opt_out)
    contact_also_a_lead: float = 0.08  # Salesforce Contacts that also exist as an unconverted Lead
    prospects_per_customer: float = 0.3  # prospect companies (Salesforce only) per ERP customer
    prospect_has_account: float = 0.4  # prospects with an Account (Type Prospect); the rest are only Leads
    order_has_opportunity: float = 0.3  # ERP orders that also have a Closed Won Opportunity
    opportunity_has_erp_order_id: float = 0.5  # of those Opportunities: ERP_Order_Id__c filled in
    erp_phone_national_format: float = 0.6  # ERP phones typed in national format (trunk zero lost as integer)
    # --- realistic variation between systems (no error: identity resolution must see through it) ------------
    nickname: float = 0.25  # person renderings whose first name has a nickname: nickname used
    name_typo: float = 0.03  # person renderings: one-letter typo in the last name
    initial_only: float = 0.03  # person renderings: first name reduced to an initial ("J.")
    swapped_names: float = 0.01  # person renderings: first and last name swapped
    email_domain_changed: float = 0.05  # person renderings with an email: different domain
    address_abbreviation: float = 0.3  # address renderings: street type abbreviated (Street → St.)
    company_name_variation: float = 0.3  # company renderings: legal suffix or punctuation differs
    # --- planted problems (each has an expected error in planted_problems.csv) ------------------------------
    duplicate_in_system: float = 0.02  # Accounts, Contacts, Leads, ERP customers, CSV customers: a 2nd record
    conflicting_edit: float = 0.02  # companies/persons in Salesforce and ERP: same field edited in both
    orphan_lookup: float = (
        BAD_ROW_RATE / MOST_PER_RECORD
    )  # Contacts, Opportunities, ERP contacts/orders/invoices
    invalid_picklist: float = (
        BAD_ROW_RATE / MOST_PER_RECORD
    )  # Accounts, Leads, Opportunities, profiles, ERP cust.
    missing_required: float = (
        BAD_ROW_RATE / MOST_PER_RECORD
    )  # Accounts, Contacts, Leads, Opportunities, CSV cust.
    impossible_date: float = BAD_ROW_RATE / MOST_PER_RECORD  # date values in legacy files: 31/02 and friends
    mojibake: float = 0.05  # renderings of names with non-ASCII letters: UTF-8 read as cp1252
    # --- mutate (a day of business) -------------------------------------------------------------------------
    mutate_delete_share: float = 0.1  # of the day's changes: deletes
    mutate_create_share: float = 0.2  # of the day's changes: creates (the rest are updates)
    mutate_conflict: float = 0.15  # of the day's updates: the same field also edited in the other system
    lifetime_value_drift: float = 0.02  # Accounts whose Lifetime_Value__c changes without SystemModstamp

    def as_dict(self) -> dict[str, float]:
        return asdict(self)

    def with_bad_row_rate(self, bad_row_rate: float) -> Rates:
        """These rates with every data-losing kind set so that no record has more than `bad_row_rate` chance of
        carrying one."""
        if not 0 <= bad_row_rate <= 1:
            raise RatesError(f"bad_row_rate: expected a number between 0 and 1, got {bad_row_rate!r}")
        return replace(self, **dict.fromkeys(DATA_LOSING, bad_row_rate / MOST_PER_RECORD))


def load_rates(path: Path | None) -> Rates:
    """Defaults, overridden by the keys of the YAML mapping at `path`."""
    if path is None:
        return Rates()
    try:
        content = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise RatesError(f"{path}: cannot read rates: {error}") from error
    if not isinstance(content, dict):
        raise RatesError(f"{path}: expected a mapping of rate name to a number between 0 and 1")
    return rates_from_mapping(content, str(path))


def rates_from_mapping(content: dict[str, Any], origin: str = "rates") -> Rates:
    """Defaults overridden by `content`; `bad_row_rate` sets the data-losing kinds, which a key of their own
    overrides in turn."""
    known = {f.name for f in fields(Rates)} | {"bad_row_rate"}
    unknown = sorted(set(content) - known)
    if unknown:
        raise RatesError(f"{origin}: unknown rate(s) {unknown}; expected some of {sorted(known)}")
    checked: dict[str, float] = {}
    for name, value in content.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise RatesError(f"{origin}: {name}: expected a number between 0 and 1, got {value!r}")
        checked[name] = float(value)
    rates = Rates()
    if "bad_row_rate" in checked:
        rates = rates.with_bad_row_rate(checked.pop("bad_row_rate"))
    rates = replace(rates, **checked)
    if rates.mutate_delete_share + rates.mutate_create_share > 1:
        raise RatesError(f"{origin}: mutate_delete_share + mutate_create_share must not exceed 1")
    return rates
