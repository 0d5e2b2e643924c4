"""The `salesforce_picklists` check on every staged table that relies on Salesforce picklist values.

One describe of the objects involved (a single Composite call, under the Salesforce API budget) is compared
with the picklist values the mappings and staged schemas hold valid. The check is blocking: with a value added
in Salesforce, records carrying it are wrongly quarantined as invalid; with one removed, mapped values would be
refused on push. Either way the staged table should not feed identity resolution until the org schema file is
updated. Metadata names object, field and every added or removed value.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from ...lib.quality.picklist_drift import PicklistDrift, objects_of, picklist_drift, picklists_of
from ...lib.salesforce.budget import ApiBudgetExhausted, ApiGovernor
from ...lib.salesforce.ingest_settings import load_salesforce_ingest_settings
from ...lib.salesforce.reader import SalesforceReader
from ...lib.warehouse import sync_state
from ..salesforce_resource import SalesforceResource
from .staged import MAPPINGS, staged_targets

CHECK_NAME = "salesforce_picklists"
PICKLISTS_BY_TABLE: dict[dg.AssetKey, list[str]] = {
    staged.key: sorted(references)
    for mapping in MAPPINGS
    for staged in staged_targets(mapping)
    if (references := picklists_of(mapping, staged.target))
}


@dg.multi_asset_check(
    name="salesforce_picklist_drift",
    specs=[
        dg.AssetCheckSpec(
            CHECK_NAME,
            asset=key,
            blocking=True,
            description=f"The picklist values this table relies on ({', '.join(references)}) are exactly the "
            "values Salesforce describe reports now (blocking: a drifted picklist quarantines valid records or "
            "stages values Salesforce refuses).",
        )
        for key, references in PICKLISTS_BY_TABLE.items()
    ],
    can_subset=True,
    pool="duckdb_writer",
)
def salesforce_picklist_drift(
    context: dg.AssetCheckExecutionContext, duckdb: DuckDBResource, salesforce: SalesforceResource
):
    selected = {
        key: references
        for key, references in PICKLISTS_BY_TABLE.items()
        if dg.AssetCheckKey(key, CHECK_NAME) in context.selected_asset_check_keys
    }
    settings = load_salesforce_ingest_settings()
    with duckdb.get_connection() as connection:
        governor = ApiGovernor(
            settings.budget.policy(), used_before_run=sync_state.api_calls_last_day(connection)
        )
    try:
        reader = SalesforceReader(salesforce.connect(governor), **settings.read.model_dump())
        shapes = reader.describe(objects_of(r for references in selected.values() for r in references))
    except ApiBudgetExhausted as error:
        raise dg.Failure(
            description=f"Stopped before describing: {error}", metadata=governor.summary()
        ) from error
    finally:
        with duckdb.get_connection() as connection:
            sync_state.record_api_calls(connection, context.run.run_id, governor.calls)
    described = {
        name: {f.name: f.picklist_values for f in shape.fields if f.picklist_values}
        for name, shape in shapes.items()
    }
    for key, references in selected.items():
        drift = picklist_drift(references, described)
        yield dg.AssetCheckResult(
            asset_key=key,
            check_name=CHECK_NAME,
            passed=not drift,
            severity=dg.AssetCheckSeverity.ERROR,
            description="; ".join(d.describe() for d in drift) or f"{len(references)} picklists match",
            metadata={
                "picklists_compared": dg.MetadataValue.json(references),
                "drifted": len(drift),
                "diff": dg.MetadataValue.md(_diff(drift) if drift else "none"),
                **governor.summary(),
            },
        )


def _diff(drift: list[PicklistDrift]) -> str:
    rows = [
        f"| {d.object} | {d.field} | {change} | {value} |"
        for d in drift
        for change, values in (("added in Salesforce", d.added), ("removed in Salesforce", d.removed))
        for value in values
    ]
    return "| object | field | change | value |\n|---|---|---|---|\n" + "\n".join(rows)


@dg.definitions
def picklist_drift_definitions() -> dg.Definitions:
    return dg.Definitions(asset_checks=[salesforce_picklist_drift])
