"""Scoring candidate pairs with a saved Splink model, for all records or only for the new and changed ones.

Splink works in its own in-memory DuckDB (its many intermediate tables never touch the warehouse). A full run
scores every pair the model's blocking rules produce; an incremental run scores the delta against the records
already matched (`predict_between`) and the delta among itself (`predict_within`), so the cost follows the size
of the change, not of the warehouse: of the records already matched, only those a blocking rule pairs with the
delta are handed over.

The saved prior (the chance that two random records match) belongs to the training data's size; it is rescaled
to the number of records being matched, because the expected matches per record stay the same while the number
of possible pairs grows with the square.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from splink import DuckDBAPI, Linker

from .errors import MatchingConfigError, ModelNotTrainedError
from .models import MODEL_COLUMNS, UNIQUE_ID
from .settings import EntityType
from .training import training_facts_path

SCORED_SCHEMA = pa.schema(
    [
        ("source_key_l", pa.string()),
        ("source_key_r", pa.string()),
        ("match_probability", pa.float64()),
        ("match_weight", pa.float64()),
        ("agreeing", pa.list_(pa.string())),
    ]
)
PRIOR_KEY = "probability_two_random_records_match"


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise MatchingConfigError(f"{path}: not valid JSON: {error}") from error


def load_model(path: Path) -> tuple[dict[str, Any], int | None]:
    """(Splink settings, training record count or None when the model came without training facts)."""
    if not path.exists():
        raise ModelNotTrainedError(f"{path}: no saved model; materialize identity/match_model to train one")
    facts_path = training_facts_path(path)
    if not facts_path.exists():
        return _read_json(path), None
    training_records = _read_json(facts_path).get("training_records")
    if not isinstance(training_records, int) or training_records < 2:
        raise MatchingConfigError(
            f"{facts_path}: training_records must be the number of training records (≥ 2)"
        )
    return _read_json(path), training_records


def rescaled_prior(settings: dict[str, Any], training_records: int | None, records: int) -> dict[str, Any]:
    if training_records is None:
        return settings
    prior = settings[PRIOR_KEY] * (training_records - 1) / max(records - 1, 1)
    return {**settings, PRIOR_KEY: min(prior, 0.5)}


def blocking_rules(model_path: Path) -> list[str]:
    """The model's blocking rules as DuckDB conditions over `l` and `r` (Splink's own SQL, as saved)."""
    settings, _ = load_model(model_path)
    rules = []
    for rule in settings["blocking_rules_to_generate_predictions"]:
        if set(rule) - {"blocking_rule", "sql_dialect"}:
            raise MatchingConfigError(f"{model_path}: blocking rule {rule} is not a plain SQL condition")
        rules.append(rule["blocking_rule"])
    return rules


def score_pairs(
    records: pa.Table,
    entity_type: EntityType,
    model_path: Path,
    threshold: float,
    min_agreeing: int,
    delta_keys: pa.Array | None,
    population: int,
) -> pa.Table:
    """Pairs with a match probability ≥ `threshold` that agree on at least `min_agreeing` features, among
    `records` (feature rows); with `delta_keys`, only pairs involving at least one of those records.
    `population` is the number of records being matched (it scales the prior): with `delta_keys`, `records` may
    hold only those a blocking rule pairs with the delta.

    Columns: source_key_l < source_key_r, match_probability, match_weight, agreeing (the features that agree).
    """
    settings, training_records = load_model(model_path)
    settings = rescaled_prior(settings, training_records, population)
    db_api = DuckDBAPI()
    try:
        model_records = records.select(list(MODEL_COLUMNS[entity_type]))
        everyone = db_api.register(model_records, table_name="sfsync_records")
        # The saved model was validated when it was trained; validating it again costs every run a quarter of a
        # second and only logs warnings, which log_level=ERROR hides anyway.
        linker = Linker(everyone, settings, log_level=logging.ERROR, validate_settings=False)
        if delta_keys is None:
            predictions = [
                linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
            ]
        else:
            is_delta = pc.is_in(model_records[UNIQUE_ID], value_set=delta_keys)
            delta = db_api.register(model_records.filter(is_delta), table_name="sfsync_delta")
            settled = db_api.register(model_records.filter(pc.invert(is_delta)), table_name="sfsync_settled")
            predictions = [
                linker.inference.predict_between(
                    delta, settled, threshold_match_probability=threshold, warning_mode="never"
                ),
                linker.inference.predict_within(
                    delta, threshold_match_probability=threshold, warning_mode="never"
                ),
            ]
        comparisons = [comparison["output_column_name"] for comparison in settings["comparisons"]]
        scored = [
            _edges(db_api, prediction.physical_name, comparisons, min_agreeing) for prediction in predictions
        ]
        return pa.concat_tables(scored).cast(SCORED_SCHEMA)
    finally:
        db_api.duckdb_con.close()


def _edges(db_api: DuckDBAPI, predictions: str, comparisons: list[str], min_agreeing: int) -> pa.Table:
    agreeing = ", ".join(f"CASE WHEN mw_{name} > 0 THEN '{name}' END" for name in comparisons)
    return db_api.duckdb_con.sql(
        f"""
        SELECT least({UNIQUE_ID}_l, {UNIQUE_ID}_r) AS source_key_l,
               greatest({UNIQUE_ID}_l, {UNIQUE_ID}_r) AS source_key_r,
               match_probability, match_weight, agreeing
        FROM (SELECT *, list_filter([{agreeing}], lambda name: name IS NOT NULL) AS agreeing FROM {predictions})
        WHERE len(agreeing) >= {int(min_agreeing)}
        """
    ).to_arrow_table()
