"""Training a match model, unsupervised, and saving it as Splink's JSON next to the settings.

Training is explicit (the `identity/match_model` asset): matching only ever loads the saved model, so a
retrain is a reviewed change of `config/matching/*.json`, never a side effect of a run. The steps are Splink's:
the prior from deterministic rules, u from random pairs, m by expectation maximisation over several blockings.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
from splink import DuckDBAPI, Linker

from .models import MODEL_COLUMNS, PRIOR_RULES, TRAINING_BLOCKS, model_settings
from .settings import EntityType, Training


def training_facts_path(model_path: Path) -> Path:
    """Beside `person_model.json`: `person_model.training.json`, how many records the model was trained on (the
    prior is rescaled to each run's size). The model file itself stays plain Splink JSON."""
    return model_path.with_suffix(".training.json")


@dataclass(frozen=True)
class TrainedModel:
    entity_type: EntityType
    settings: dict[str, Any]
    training_records: int
    charts: dict[str, str]  # chart name → HTML document


def train_model(records: pa.Table, entity_type: EntityType, training: Training) -> TrainedModel:
    """Estimate every parameter of the `entity_type` model from `records` (feature rows)."""
    db_api = DuckDBAPI()
    try:
        source = db_api.register(
            records.select(list(MODEL_COLUMNS[entity_type])), dataset_display_name=entity_type
        )
        linker = Linker(source, model_settings(entity_type), log_level=logging.WARNING)
        linker.training.estimate_probability_two_random_records_match(
            PRIOR_RULES[entity_type], recall=training.deterministic_recall
        )
        linker.training.estimate_u_using_random_sampling(max_pairs=training.u_max_pairs, seed=training.seed)
        for blocking_rule in TRAINING_BLOCKS[entity_type]:
            linker.training.estimate_parameters_using_expectation_maximisation(
                blocking_rule, estimate_without_term_frequencies=True, max_pairs=training.em_max_pairs
            )
        charts = {
            "match_weights": linker.visualisations.match_weights_chart().to_html(inline=True),
            "m_u_parameters": linker.visualisations.m_u_parameters_chart().to_html(inline=True),
        }
        return TrainedModel(entity_type, linker.misc.save_model_to_json(), records.num_rows, charts)
    finally:
        db_api.duckdb_con.close()


def save_model(model: TrainedModel, path: Path) -> None:
    """Write Splink's model JSON (loadable with `Linker(df, path)`) and the training facts beside it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    facts = {"training_records": model.training_records}
    for target, document in ((training_facts_path(path), facts), (path, model.settings)):
        temporary = target.with_suffix(".tmp")
        temporary.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        temporary.replace(target)


def save_charts(model: TrainedModel, directory: Path) -> dict[str, Path]:
    """Write the model's charts as standalone HTML files; returns chart name → path."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, html in model.charts.items():
        paths[name] = directory / f"{model.entity_type}_{name}.html"
        paths[name].write_text(html, encoding="utf-8")
    return paths
