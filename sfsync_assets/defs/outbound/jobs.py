"""One push job per target, and the consent fast path, which jumps the run queue."""

import dagster as dg

from .keys import consent_key, plan_key, push_key
from .resources import SHIPPED_SETTINGS

CONSENT_PRIORITY = "10"

push_account_job = dg.define_asset_job(
    "push_salesforce_account",
    selection=dg.AssetSelection.assets(plan_key("account"), push_key("account")),
    description="Plan and push golden organizations to Salesforce Accounts.",
)
push_contact_job = dg.define_asset_job(
    "push_salesforce_contact",
    selection=dg.AssetSelection.assets(plan_key("contact"), push_key("contact")),
    description="Plan and push golden persons to Salesforce Contacts, linked to their Accounts by golden id.",
)
push_consent_job = dg.define_asset_job(
    "push_salesforce_consent",
    selection=dg.AssetSelection.assets(consent_key(SHIPPED_SETTINGS.consent.target)),
    tags={"dagster/priority": CONSENT_PRIORITY},
    description="Push opt-out changes to existing Salesforce Contacts ahead of everything else in the queue.",
)
