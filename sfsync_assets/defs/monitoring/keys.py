"""Asset keys of the monitoring group, and the pushes and golden records it watches; the metadata label of the
health report's HTML page, which golden record pages link to."""

import dagster as dg

from ...lib.outbound.settings import load_outbound_settings
from ...lib.reconcile.settings import load_reconcile_settings
from ..outbound.keys import golden_key, push_key

SETTINGS = load_reconcile_settings()
OUTBOUND = load_outbound_settings()

SALESFORCE_RECONCILIATION = dg.AssetKey(["monitoring", "salesforce_reconciliation"])
ERP_RECONCILIATION = dg.AssetKey(["monitoring", "erp_reconciliation"])
DRIFT = dg.AssetKey(["monitoring", "drift"])
SYNC_LAG = dg.AssetKey(["monitoring", "sync_lag"])
SYNC_HEALTH = dg.AssetKey(["monitoring", "sync_health"])
HEALTH_REPORT_LABEL = "report_html"

PUSHES = [push_key(target) for target in SETTINGS.salesforce.targets]
GOLDEN = [
    golden_key(entity)
    for entity in dict.fromkeys(OUTBOUND.targets[t].golden_entity for t in OUTBOUND.targets)
]
