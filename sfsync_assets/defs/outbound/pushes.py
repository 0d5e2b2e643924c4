"""outbound/salesforce/<target>_push: golden records written to Salesforce, within the API budget.

Parents before children: a target's push depends on its parent's, and children whose parent Salesforce has not
confirmed wait. The consent fast path (`<target>_consent`) writes only opt-out flags of records Salesforce
already holds, so it is small enough to run within a minute of a golden change.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from ...lib.outbound.push import PushScope, push
from ..privacy.keys import ERASURES_KEY
from ..salesforce_resource import SalesforceResource
from ..table_schema import column_schema_metadata, table_schemas_metadata
from .api_budget import governed_run
from .asset_defaults import outbound_asset
from .keys import consent_key, golden_key, plan_key, push_key
from .resources import SHIPPED_SETTINGS, OutboundResource

LEDGER_TABLE = "outbound.ledger"
# What a push records besides the ledger, also written by the ERP write-back: their columns on the asset's page.
WRITE_RECORD_TABLES = {"audit_columns": "outbound.audit", "dead_letter_columns": "outbound.dead_letter"}


def _push(
    context: dg.AssetExecutionContext,
    scope: PushScope,
    duckdb: DuckDBResource,
    salesforce: SalesforceResource,
    outbound: OutboundResource,
) -> dg.MaterializeResult:
    settings = outbound.settings()
    with (
        duckdb.get_connection() as connection,
        governed_run(connection, settings, context.run_id) as governor,
    ):
        result = push(
            connection,
            settings,
            scope,
            lambda: salesforce.connect(governor),
            governor,
            context.run_id,
            salesforce.client_id,
            outbound.system_of_record,
        )
        tables = {
            "dagster/table_name": LEDGER_TABLE,
            **column_schema_metadata(connection, LEDGER_TABLE),
            **table_schemas_metadata(connection, WRITE_RECORD_TABLES),
        }
    if result.report.stopped:
        context.log.warning("push of %s stopped early: %s", scope.target, result.report.stopped)
    return dg.MaterializeResult(metadata={**result.metadata(), **governor.summary(), **tables})


def build_push_asset(target_name: str) -> dg.AssetsDefinition:
    target = SHIPPED_SETTINGS.targets[target_name]
    parent_push = [push_key(target.parent.target)] if target.parent else []

    @outbound_asset(
        key=push_key(target_name),
        deps=[plan_key(target_name), *parent_push],
        kinds={"salesforce", "duckdb"},
        description=f"Golden {target.golden_entity} records upserted into Salesforce {target.object}s on "
        f"{target.external_id}; the ledger, audit log and dead letter record every answer.",
    )
    def _push_target(
        context: dg.AssetExecutionContext,
        duckdb: DuckDBResource,
        salesforce: SalesforceResource,
        outbound: OutboundResource,
    ) -> dg.MaterializeResult:
        return _push(context, PushScope(target_name), duckdb, salesforce, outbound)

    return _push_target


def build_consent_asset(target_name: str, fields: tuple[str, ...]) -> dg.AssetsDefinition:
    target = SHIPPED_SETTINGS.targets[target_name]

    @outbound_asset(
        key=consent_key(target_name),
        deps=[golden_key(target.golden_entity), ERASURES_KEY],
        kinds={"salesforce", "duckdb"},
        description=f"Opt-outs ({', '.join(fields)}) of golden {target.golden_entity}s written to the "
        f"Salesforce {target.object}s that already exist, ahead of the full push.",
    )
    def _push_consent(
        context: dg.AssetExecutionContext,
        duckdb: DuckDBResource,
        salesforce: SalesforceResource,
        outbound: OutboundResource,
    ) -> dg.MaterializeResult:
        return _push(context, PushScope(target_name, fields), duckdb, salesforce, outbound)

    return _push_consent


account_push = build_push_asset("account")
contact_push = build_push_asset("contact")
contact_consent = build_consent_asset(SHIPPED_SETTINGS.consent.target, tuple(SHIPPED_SETTINGS.consent.fields))
