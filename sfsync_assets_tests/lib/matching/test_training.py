"""Training is explicit and its output is plain Splink JSON; a new model makes the next run rescore all pairs."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import duckdb
import pytest
from splink import DuckDBAPI, Linker

from sfsync_assets.lib.matching.errors import ModelNotTrainedError
from sfsync_assets.lib.matching.features import compute_features
from sfsync_assets.lib.matching.links import update_links
from sfsync_assets.lib.matching.models import MODEL_COLUMNS
from sfsync_assets.lib.matching.scoring import load_model
from sfsync_assets.lib.matching.settings import MATCHING_DIR, NICKNAMES_FILE, load_matching_settings
from sfsync_assets.lib.matching.training import save_charts, save_model, train_model, training_facts_path

from .prepared import copy_of


def test_a_retrained_model_is_saved_reloaded_and_rescores_everything(resolved: Path, tmp_path: Path) -> None:
    settings = load_matching_settings()
    model_dir = tmp_path / "models"
    shutil.copytree(MATCHING_DIR, model_dir)
    with duckdb.connect(str(copy_of(resolved, tmp_path))) as connection:
        features = compute_features(connection, "organization", settings, NICKNAMES_FILE)
        records = connection.sql(f"SELECT * FROM {features.relation}").to_arrow_table()
        model = train_model(records, "organization", settings.training)
        path = settings.model_path("organization", model_dir)
        save_model(model, path)
        charts = save_charts(model, tmp_path / "charts")

        db_api = DuckDBAPI()
        linker = Linker(
            db_api.register(records.select(list(MODEL_COLUMNS["organization"]))),
            str(path),
            log_level=logging.WARNING,
        )
        assert linker.inference.predict(threshold_match_probability=0.95).as_pyarrow_table().num_rows > 0
        assert load_model(path)[1] == records.num_rows == model.training_records
        assert training_facts_path(path).exists()
        assert all(
            chart.read_text(encoding="utf-8").startswith("<!DOCTYPE html>") for chart in charts.values()
        )

        report = update_links(connection, "organization", settings, "run-2", model_dir=model_dir)
        assert report.mode == "full" and report.links_added == report.links_total > 0


def test_matching_without_a_model_says_how_to_get_one(staged: Path, tmp_path: Path) -> None:
    with (
        duckdb.connect(str(copy_of(staged, tmp_path))) as connection,
        pytest.raises(ModelNotTrainedError, match="materialize identity/match_model"),
    ):
        update_links(connection, "organization", load_matching_settings(), "run-1", model_dir=tmp_path)
