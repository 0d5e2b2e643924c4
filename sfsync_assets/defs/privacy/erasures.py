"""privacy/erasures: forget requests carried out in Salesforce, the ERP and the warehouse, with their proof.

Requests are filed in `privacy.forget_requests` (by `sfsync forget`, which then runs the `privacy_forget` job).
The asset also runs after every golden person build, ahead of the push: an erased person that a source brought
back is found by the hash of their email and erased again, before anything could push them.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from ...lib.config.files import config_version
from ...lib.outbound.retry import retrying_caller
from ...lib.outbound.tables import ensure_tables as ensure_outbound_tables
from ...lib.privacy.forget import ErpTarget, Forgetter
from ...lib.privacy.register import pending_requests
from ...lib.privacy.salesforce import SalesforceEraser
from ...lib.privacy.settings import PRIVACY_FILE
from ..golden.records import golden_key
from ..identity.asset_defaults import AUTOMATION
from ..ingest.erp import ErpDatabaseResource
from ..outbound.api_budget import governed_run
from ..outbound.resources import OutboundResource
from ..salesforce_resource import SalesforceResource
from .keys import ERASURES_KEY
from .resources import PrivacyResource


@dg.asset(
    key=ERASURES_KEY,
    deps=[golden_key("person")],
    group_name="privacy",
    kinds={"duckdb", "salesforce", "sql"},
    owners=["team:integration"],
    pool="duckdb_writer",
    code_version=config_version(PRIVACY_FILE),
    automation_condition=AUTOMATION,
    description="People erased on request from Salesforce, the ERP and every warehouse table, with a proof "
    "record that holds no personal data (tables privacy.forget_requests, privacy.proof).",
)
def erasures(
    context: dg.AssetExecutionContext,
    duckdb: DuckDBResource,
    salesforce: SalesforceResource,
    erp: ErpDatabaseResource,
    outbound: OutboundResource,
    privacy: PrivacyResource,
) -> dg.MaterializeResult:
    write_settings = outbound.settings()
    with (
        duckdb.get_connection() as connection,
        governed_run(connection, write_settings, context.run_id) as governor,
        erp.engine() as engine,
    ):
        ensure_outbound_tables(connection)
        forgetter = Forgetter(
            connection,
            privacy.settings(),
            lambda: SalesforceEraser(
                salesforce.connect(governor), retrying_caller(write_settings.salesforce)
            ),
            ErpTarget(engine, erp.schema_name),
            privacy.hasher(),
            context.run_id,
        )
        report = forgetter.run()
        still_pending = len(pending_requests(connection))
    if report.stopped:
        context.log.warning("erasure stopped early: %s", report.stopped)
    return dg.MaterializeResult(
        metadata={
            "requests_erased": len(report.erased),
            "came_back": report.returned,
            "rows_erased": report.rows_erased,
            "requests_pending": still_pending,
            "status": f"stopped: {report.stopped}" if report.stopped else "complete",
            "api_calls_used": governor.calls,
            "dagster/table_name": "privacy.proof",
        }
    )


forget_job = dg.define_asset_job(
    "privacy_forget",
    selection=dg.AssetSelection.assets(ERASURES_KEY),
    description="Carry out the pending forget requests now (sfsync forget runs it).",
)
