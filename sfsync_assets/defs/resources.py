"""One instance of each resource; every secret and location comes from the environment (`.env` in dev).

| variable | meaning |
|---|---|
| `SFSYNC_DUCKDB_PATH` | the warehouse file |
| `SFSYNC_SF_DOMAIN` | login domain: `login`, `test`, `mycompany.my`, or `127.0.0.1:8443/login` for a local org |
| `SFSYNC_SF_USERNAME`, `SFSYNC_SF_PASSWORD`, `SFSYNC_SF_SECURITY_TOKEN` | the integration user |
| `SFSYNC_SF_CONSUMER_KEY`, `SFSYNC_SF_CONSUMER_SECRET` | a connected app (optional: empty means SOAP login) |
| `SFSYNC_SF_CA_BUNDLE` | a CA bundle to trust (optional: empty means the system's) |
| `SFSYNC_ERP_URL` | SQLAlchemy URL of the ERP database |
| `SFSYNC_INBOUND_DIR` | the legacy drop folder |
"""

import dagster as dg
from dagster_dlt import DagsterDltResource
from dagster_duckdb import DuckDBResource

from .ingest.erp import ErpDatabaseResource
from .ingest.legacy_files import LegacyInboxResource
from .salesforce_resource import SalesforceResource


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "duckdb": DuckDBResource(database=dg.EnvVar("SFSYNC_DUCKDB_PATH")),
            "dlt": DagsterDltResource(),
            "erp": ErpDatabaseResource(url=dg.EnvVar("SFSYNC_ERP_URL")),
            "legacy_inbox": LegacyInboxResource(path=dg.EnvVar("SFSYNC_INBOUND_DIR")),
            "salesforce": SalesforceResource(
                domain=dg.EnvVar("SFSYNC_SF_DOMAIN"),
                username=dg.EnvVar("SFSYNC_SF_USERNAME"),
                password=dg.EnvVar("SFSYNC_SF_PASSWORD"),
                security_token=dg.EnvVar("SFSYNC_SF_SECURITY_TOKEN"),
                consumer_key=dg.EnvVar("SFSYNC_SF_CONSUMER_KEY"),
                consumer_secret=dg.EnvVar("SFSYNC_SF_CONSUMER_SECRET"),
                ca_bundle=dg.EnvVar("SFSYNC_SF_CA_BUNDLE"),
            ),
        },
        executor=dg.in_process_executor,
    )
