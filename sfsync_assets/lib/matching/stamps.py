"""Records sfsync created in Salesforce for an entity: they join that entity by the golden id stamped on them.

The push creates a Salesforce record for a golden entity that has none, with the entity's golden values and its
golden id in `Golden_Id__c`; the outbound audit keeps the created record's Id with that golden id. Scoring such a
record with the model would only find again the entity it was made from: it is linked to the records its entity
holds instead (rule `created_for_entity`).
"""

from __future__ import annotations

import duckdb

from ..mapping.raw_records import table_exists
from ..outbound.audit import CREATED
from .settings import EntityType
from .store import GOLDEN_IDS, XREF

AUDIT = "outbound.audit"
CREATED_FOR_ENTITY = "created_for_entity"


def created_by_sfsync_sql(connection: duckdb.DuckDBPyConnection, entity_type: EntityType, alias: str) -> str:
    """Condition over the feature row `alias`: the record is one sfsync created in Salesforce, stamped with the
    golden id of an active entity of `entity_type` that it was created for."""
    if not table_exists(connection, AUDIT) or not table_exists(connection, GOLDEN_IDS):
        return "false"
    return f"""({alias}.source_system = 'salesforce' AND EXISTS (
        SELECT 1 FROM {AUDIT} AS a JOIN {GOLDEN_IDS} AS g USING (golden_id)
        WHERE a.operation = '{CREATED}' AND a.record_id = {alias}.source_id AND a.golden_id = {alias}.golden_id
          AND g.entity_type = '{entity_type}' AND g.status = 'active'))"""


def created_for_entity_pairs_sql(entity_type: EntityType, features: str, created: str) -> str:
    """SELECT source_key_l, source_key_r, rule: each created record (keys in table `created`) with every active
    record of the entity its stamp names."""
    return f"""
        SELECT least(f.source_key, x.source_key) AS source_key_l, greatest(f.source_key, x.source_key) AS source_key_r,
               '{CREATED_FOR_ENTITY}' AS rule
        FROM {features} AS f SEMI JOIN {created} AS c ON c.source_key = f.source_key
        JOIN {XREF} AS x ON x.entity_type = '{entity_type}' AND x.is_active AND x.golden_id = f.golden_id
    """
