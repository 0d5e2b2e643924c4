"""outbound/erp/<target>: golden values the ERP does not own, written back into the entity's own ERP rows.

Runs after the golden records it writes (and any pending erasure), like the Salesforce push; the ledger under
`erp:<target>` makes a run with nothing changed cost no statement.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from ...lib.outbound.erp_push import push_to_erp
from ..identity.asset_defaults import AUTOMATION
from ..ingest.erp import ErpDatabaseResource
from ..privacy.keys import ERASURES_KEY
from ..table_schema import table_schemas_metadata
from .asset_defaults import outbound_asset
from .keys import golden_key
from .pushes import LEDGER_TABLE, WRITE_RECORD_TABLES
from .resources import SHIPPED_SETTINGS, OutboundResource


def erp_writeback_key(target: str) -> dg.AssetKey:
    return dg.AssetKey(["outbound", "erp", target])


def build_erp_writeback_asset(target_name: str) -> dg.AssetsDefinition:
    target = SHIPPED_SETTINGS.erp.targets[target_name]

    @outbound_asset(
        key=erp_writeback_key(target_name),
        deps=[golden_key(target.golden_entity), ERASURES_KEY],
        kinds={"duckdb", "sql"},
        automation_condition=AUTOMATION,
        description=f"Golden {target.golden_entity} values the ERP does not own ({', '.join(target.columns)}) "
        f"written into ERP {target.table} rows; the ledger, audit log and dead letter record every row.",
    )
    def _writeback(
        context: dg.AssetExecutionContext,
        duckdb: DuckDBResource,
        erp: ErpDatabaseResource,
        outbound: OutboundResource,
    ) -> dg.MaterializeResult:
        with duckdb.get_connection() as connection, erp.engine() as engine:
            result = push_to_erp(
                connection,
                outbound.settings(),
                target_name,
                engine,
                erp.schema_name,
                context.run_id,
                outbound.system_of_record,
            )
            tables = table_schemas_metadata(
                connection, {"ledger_columns": LEDGER_TABLE, **WRITE_RECORD_TABLES}
            )
        if result.refused:
            context.log.warning(
                "%s ERP rows refused; see outbound.dead_letter (target %s)", result.refused, result.target
            )
        return dg.MaterializeResult(
            metadata={**result.metadata(), "dagster/table_name": target.table, **tables}
        )

    return _writeback


erp_writebacks = [build_erp_writeback_asset(name) for name in SHIPPED_SETTINGS.erp.targets]
