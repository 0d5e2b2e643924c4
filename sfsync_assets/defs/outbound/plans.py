"""outbound/salesforce/<target>: the golden records Salesforce does not hold as they are, and what would fix them."""

from collections import Counter

import dagster as dg
from dagster_duckdb import DuckDBResource

from ...lib.outbound.plan import ADOPT, CHANGED, NEW, RETRY, save_plan
from ...lib.outbound.push import PushScope, plan
from ..privacy.keys import ERASURES_KEY
from ..table_schema import column_schema_metadata
from .asset_defaults import outbound_asset
from .keys import golden_key, plan_key, push_key
from .resources import SHIPPED_SETTINGS, OutboundResource

PLAN_TABLE = "outbound.plan"


def build_plan_asset(target_name: str) -> dg.AssetsDefinition:
    target = SHIPPED_SETTINGS.targets[target_name]
    parent_push = [push_key(target.parent.target)] if target.parent else []

    @outbound_asset(
        key=plan_key(target_name),
        deps=[golden_key(target.golden_entity), ERASURES_KEY, *parent_push],
        kinds={"duckdb", "salesforce"},
        description=f"Golden {target.golden_entity} records whose values Salesforce {target.object}s do not hold "
        "yet, with the fields a push would send (table outbound.plan).",
    )
    def _plan(
        context: dg.AssetExecutionContext, duckdb: DuckDBResource, outbound: OutboundResource
    ) -> dg.MaterializeResult:
        with duckdb.get_connection() as connection:
            planned = plan(connection, outbound.settings(), PushScope(target_name), outbound.system_of_record)
            save_plan(connection, target_name, planned.writes, context.run_id)
            columns = column_schema_metadata(connection, PLAN_TABLE)
        if planned.unavailable_fields:
            context.log.warning("golden records carry no %s yet; not pushed", planned.unavailable_fields)
        reasons = Counter(p.reason for p in planned.writes)
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": len(planned.writes),
                "dagster/table_name": PLAN_TABLE,
                **columns,
                "new": reasons[NEW],
                "adopt": reasons[ADOPT],
                "changed": reasons[CHANGED],
                "retry": reasons[RETRY],
                "waiting_for_parent": sum(p.waiting_for_parent for p in planned.writes),
                "awaiting_fix": len(planned.awaiting_fix),
                "fields_not_in_golden": ", ".join(planned.unavailable_fields) or "none",
            }
        )

    return _plan


account_plan = build_plan_asset("account")
contact_plan = build_plan_asset("contact")
