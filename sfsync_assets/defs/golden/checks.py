"""Checks on golden/organization and golden/person: the promises the golden layer makes to Salesforce.

- `golden_ids_unique`: one record per golden id. Two would be upserted onto the same `Golden_Id__c`, so this
  check blocks the push in the same run.
- `provenance_complete`: every non-empty golden value says where it came from (`golden.provenance`).
- `no_golden_id_lost`: every golden id ever issued is still a golden record, or its merge or retirement is
  recorded in `identity.id_history`; an id that vanished silently would orphan the Salesforce record holding it.

Each failure lists its first offending rows in the check's metadata.
"""

from collections.abc import Callable
from dataclasses import dataclass

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource
from duckdb import DuckDBPyConnection

from ...lib.golden.matrix import load_system_of_record
from ...lib.golden.survivorship import GOLDEN_TABLES, PROVENANCE
from ...lib.matching.store import GOLDEN_IDS, ID_HISTORY
from ...lib.privacy.redaction import markdown_preview, redacted, redacted_by_field
from .records import ENTITY_TYPES, golden_key

SAMPLE_ROWS = 10


def duplicate_golden_ids(connection: DuckDBPyConnection, entity_type: str) -> pd.DataFrame:
    return connection.sql(
        f"SELECT golden_id, count(*) AS records FROM {GOLDEN_TABLES[entity_type]} "
        "GROUP BY golden_id HAVING count(*) > 1 ORDER BY golden_id"
    ).df()


def values_without_provenance(connection: DuckDBPyConnection, entity_type: str) -> pd.DataFrame:
    """(golden_id, field, value) of every non-null golden field that has no row in golden.provenance."""
    fields = list(load_system_of_record().fields[entity_type])
    unpivoted = " UNION ALL ".join(
        f"SELECT golden_id, '{name}' AS field, \"{name}\"::VARCHAR AS value "
        f'FROM {GOLDEN_TABLES[entity_type]} WHERE "{name}" IS NOT NULL'
        for name in fields
    )
    return connection.sql(
        f"SELECT v.* FROM ({unpivoted}) AS v "
        f"ANTI JOIN (SELECT golden_id, field FROM {PROVENANCE} WHERE entity_type = '{entity_type}') AS p "
        "USING (golden_id, field) ORDER BY v.golden_id, v.field"
    ).df()


def lost_golden_ids(connection: DuckDBPyConnection, entity_type: str) -> pd.DataFrame:
    """Issued ids that are neither a golden record nor recorded as merged or retired."""
    return connection.sql(
        f"""
        SELECT i.golden_id, i.status, i.issued_run_id, i.updated_run_id
        FROM {GOLDEN_IDS} AS i
        WHERE i.entity_type = '{entity_type}'
          AND i.golden_id NOT IN (SELECT golden_id FROM {GOLDEN_TABLES[entity_type]})
          AND i.golden_id NOT IN (SELECT golden_id FROM {ID_HISTORY}
                                  WHERE entity_type = '{entity_type}' AND event IN ('merged', 'retired'))
        ORDER BY i.golden_id
        """
    ).df()


def _result(found: pd.DataFrame, failures: str, entity_type: str) -> dg.AssetCheckResult:
    shown = redacted(found.head(SAMPLE_ROWS), entity_type)
    if "field" in shown.columns:  # a field's value: hidden when the field is personal
        shown = redacted_by_field(shown, ["value"], entity=entity_type)
    return dg.AssetCheckResult(
        passed=found.empty,
        severity=dg.AssetCheckSeverity.ERROR,
        description=f"golden {entity_type} {failures}: {len(found)}" if len(found) else f"no {failures}",
        metadata={
            "num_failures": len(found),
            "failure_sample": dg.MetadataValue.md(markdown_preview(shown)),
        },
    )


@dataclass(frozen=True)
class GoldenCheck:
    find: Callable[[DuckDBPyConnection, str], pd.DataFrame]  # the offending rows
    failures: str  # what the offending rows are, for the result's description
    description: str
    blocking: bool = False


CHECKS = {
    "golden_ids_unique": GoldenCheck(
        duplicate_golden_ids,
        "ids held by more than one record",
        "Each golden id is held by exactly one golden record.",
        blocking=True,
    ),
    "provenance_complete": GoldenCheck(
        values_without_provenance,
        "values without provenance",
        "Every non-empty golden value has its source record and rule in golden.provenance.",
    ),
    "no_golden_id_lost": GoldenCheck(
        lost_golden_ids,
        "ids lost without a recorded merge or retirement",
        "Every golden id ever issued is still a golden record, or identity.id_history records its merge or "
        "retirement.",
    ),
}


def golden_check(entity_type: str, name: str) -> dg.AssetChecksDefinition:
    spec = CHECKS[name]

    @dg.asset_check(
        asset=golden_key(entity_type),
        name=name,
        description=spec.description,
        blocking=spec.blocking,
        pool="duckdb_writer",
    )
    def check(duckdb: DuckDBResource) -> dg.AssetCheckResult:
        with duckdb.get_connection() as connection:
            found = spec.find(connection, entity_type)
        return _result(found, spec.failures, entity_type)

    return check


GOLDEN_CHECKS = [golden_check(entity_type, name) for entity_type in ENTITY_TYPES for name in CHECKS]


@dg.definitions
def golden_check_definitions() -> dg.Definitions:
    return dg.Definitions(asset_checks=GOLDEN_CHECKS)
