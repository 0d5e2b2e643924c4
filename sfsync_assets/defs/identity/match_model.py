"""identity/match_model: retrain the person and organization match models on today's staged records.

Manual on purpose: a model decides which records become one golden record, so a new one is a reviewed change.
Materializing writes `person_model.json` / `organization_model.json` into the model directory (by default
`sfsync_assets/config/matching/`, versioned with the code) and the model charts as HTML; the next matching run
sees the new model version and rescores every pair.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from ...lib.matching.features import compute_features
from ...lib.matching.settings import ENTITY_TYPES, NICKNAMES_FILE
from ...lib.matching.training import save_charts, save_model, train_model
from .asset_defaults import identity_layer_asset
from .matches import STAGED_DEPS
from .resources import MatchingResource

MODEL_KEY = dg.AssetKey(["identity", "match_model"])


@identity_layer_asset(
    key=MODEL_KEY,
    deps=sorted({key for keys in STAGED_DEPS.values() for key in keys}, key=lambda key: key.to_user_string()),
    description="The person and organization match models (Splink parameters as JSON), trained unsupervised on "
    "the staged records. Retrain by hand; matching only loads the saved models.",
    tags={"sfsync/manual": "true"},  # kept out of the sync_cycle job: never retrained by a routine run
)
def match_model(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, matching: MatchingResource
) -> dg.MaterializeResult:
    settings = matching.settings()
    metadata: dict = {}
    for entity_type in ENTITY_TYPES:
        with duckdb.get_connection() as connection:
            features = compute_features(connection, entity_type, settings, NICKNAMES_FILE)
            records = connection.sql(f"SELECT * FROM {features.relation}").to_arrow_table()
        model = train_model(records, entity_type, settings.training)
        path = settings.model_path(entity_type, matching.models)
        save_model(model, path)
        charts = save_charts(model, matching.charts)
        context.log.info(f"{entity_type} model trained on {model.training_records} records, saved to {path}")
        metadata[f"{entity_type}_model"] = dg.MetadataValue.path(str(path))
        metadata[f"{entity_type}_training_records"] = model.training_records
        metadata[f"{entity_type}_prior"] = float(model.settings["probability_two_random_records_match"])
        for name, chart in charts.items():
            metadata[f"{entity_type}_{name}_chart"] = dg.MetadataValue.url(chart.resolve().as_uri())
    return dg.MaterializeResult(metadata=metadata)
