"""identity/* and golden/* assets, materialized with real resources on a DuckDB file in tmp_path."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from sfsync_assets.definitions import defs
from sfsync_assets.defs.golden.conflicts import conflicts
from sfsync_assets.defs.golden.records import GOLDEN_ASSETS
from sfsync_assets.defs.identity.match_model import match_model
from sfsync_assets.defs.identity.matches import MATCH_ASSETS
from sfsync_assets.defs.identity.resources import MatchingResource
from sfsync_assets.defs.identity.xref import xref
from sfsync_assets.lib.matching.settings import MATCHING_DIR

PIPELINE = [*MATCH_ASSETS.values(), xref, *GOLDEN_ASSETS.values(), conflicts]
KEYS = {
    "identity/organization_matches",
    "identity/person_matches",
    "identity/xref",
    "identity/match_model",
    "golden/organization",
    "golden/person",
    "golden/conflicts",
}


def resources(database: Path, tmp_path: Path, model_dir: Path = MATCHING_DIR) -> dict:
    return {
        "duckdb": DuckDBResource(database=str(database)),
        "matching": MatchingResource(model_dir=str(model_dir), chart_dir=str(tmp_path / "charts")),
    }


def metadata(result: dg.ExecuteInProcessResult, key: str) -> dict:
    [event] = result.asset_materializations_for_node(key.replace("/", "__"))
    return {name: value.value for name, value in event.metadata.items()}


def test_the_assets_are_defined_as_the_platform_expects() -> None:
    graph = defs().resolve_asset_graph()
    specs = {key.to_user_string(): graph.get(key) for key in graph.get_all_asset_keys()}
    assert set(specs) >= KEYS
    for name in KEYS:
        node = specs[name]
        assert node.group_name == name.split("/")[0]
        assert {"splink", "duckdb"} <= set(node.kinds)
        assert node.pools == {"duckdb_writer"}
    assert {key.to_user_string() for key in specs["identity/person_matches"].parent_keys} == {
        "staged/person",
        "staged/organization",
    }
    assert specs["identity/match_model"].automation_condition is None
    assert specs["golden/person"].automation_condition is not None


def test_materialize_identity_and_golden_twice(staged: Path, tmp_path: Path) -> None:
    database = tmp_path / "warehouse.duckdb"
    shutil.copy(staged, database)
    first = dg.materialize(PIPELINE, resources=resources(database, tmp_path))
    assert first.success
    links = metadata(first, "identity/person_matches")
    assert links["mode"] == "full" and links["links_added"] == links["dagster/row_count"] > 0
    clusters = metadata(first, "identity/xref")
    assert clusters["person_issued"] == clusters["person_entities"] > 0
    assert "records per entity" in clusters["cluster_sizes"]
    golden = metadata(first, "golden/organization")
    assert golden["dagster/row_count"] == clusters["organization_entities"]
    assert metadata(first, "golden/conflicts")["dagster/row_count"] > 0

    second = dg.materialize(PIPELINE, resources=resources(database, tmp_path))
    assert second.success
    assert metadata(second, "identity/person_matches")["mode"] == "incremental"
    assert metadata(second, "identity/person_matches")["links_added"] == 0
    assert metadata(second, "identity/xref")["person_issued"] == 0
    with duckdb.connect(str(database), read_only=True) as connection:
        provenance = connection.execute(
            "SELECT count(*) FROM golden.provenance WHERE source_key IS NULL OR rule IS NULL"
        ).fetchall()
    assert provenance == [(0,)]


def test_retraining_writes_the_models_and_their_charts(staged: Path, tmp_path: Path) -> None:
    model_dir = tmp_path / "models"
    shutil.copytree(MATCHING_DIR, model_dir)
    database = tmp_path / "warehouse.duckdb"
    shutil.copy(staged, database)
    result = dg.materialize([match_model], resources=resources(database, tmp_path, model_dir))
    assert result.success
    values = metadata(result, "identity/match_model")
    assert values["person_training_records"] > 0 and values["organization_training_records"] > 0
    assert values["person_match_weights_chart"].startswith("file://")
    assert (tmp_path / "charts" / "person_match_weights.html").exists()
    assert (model_dir / "person_model.json").read_text() != (MATCHING_DIR / "person_model.json").read_text()
