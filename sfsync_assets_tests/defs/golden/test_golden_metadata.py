"""What a golden record's page tells an analyst beyond the table: entities, merges and splits per build (numbers
the UI plots), and links to the match model's charts, each naming a file that exists."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlparse

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from sfsync_assets.defs.golden.records import GOLDEN_ASSETS
from sfsync_assets.defs.identity.match_model import match_model
from sfsync_assets.defs.identity.matches import MATCH_ASSETS
from sfsync_assets.defs.identity.resources import MatchingResource
from sfsync_assets.defs.identity.xref import xref
from sfsync_assets.lib.matching.settings import MATCHING_DIR
from sfsync_assets_tests.lib.matching.prepared import copy_of, resolved_database

ORGANIZATION = [MATCH_ASSETS["organization"], xref, GOLDEN_ASSETS["organization"]]
CUSTOMERS = "staged.erp_customer"


def _golden_metadata(result: dg.ExecuteInProcessResult) -> dict:
    [event] = result.asset_materializations_for_node("golden__organization")
    return {label: value.value for label, value in event.metadata.items()}


def _events(database: Path, run_id: str) -> dict[str, int]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return dict(
            connection.execute(
                "SELECT event, count(*) FROM identity.id_history "
                "WHERE entity_type = 'organization' AND run_id = ? GROUP BY event",
                [run_id],
            ).fetchall()
        )


def _set_tax_id(database: Path, source_key: str, tax_id: str | None) -> None:
    with duckdb.connect(str(database)) as connection:
        connection.execute(
            f'UPDATE {CUSTOMERS} SET "Tax_Id__c" = ? WHERE source_key = ?', [tax_id, source_key]
        )


def test_golden_builds_report_entities_merges_splits_and_link_the_model_charts(
    tmp_path_factory, tmp_path: Path
) -> None:
    database = copy_of(resolved_database(tmp_path_factory), tmp_path)
    models = tmp_path / "models"
    shutil.copytree(MATCHING_DIR, models)
    instance = dg.DagsterInstance.ephemeral()
    resources = {
        "duckdb": DuckDBResource(database=str(database)),
        "matching": MatchingResource(model_dir=str(models), chart_dir=str(tmp_path / "charts")),
    }
    assert dg.materialize([match_model], resources=resources, instance=instance).success
    baseline = _golden_metadata(dg.materialize(ORGANIZATION, resources=resources, instance=instance))
    with duckdb.connect(str(database), read_only=True) as connection:
        [(entities,)] = connection.execute(
            "SELECT count(DISTINCT golden_id) FROM identity.xref WHERE entity_type = 'organization' AND is_active"
        ).fetchall()
        # Two ERP customers of different entities: the second will be given the first's tax id.
        [(tax_id, joiner)] = connection.execute(
            f"""
            WITH customers AS (
                SELECT source_key, Tax_Id__c, golden_id FROM {CUSTOMERS} JOIN identity.xref USING (source_key)
                WHERE entity_type = 'organization' AND Tax_Id__c IS NOT NULL
            )
            SELECT a.Tax_Id__c, b.source_key FROM customers AS a JOIN customers AS b ON a.golden_id < b.golden_id
            ORDER BY a.source_key, b.source_key LIMIT 1
            """
        ).fetchall()
    assert baseline["entities"] == entities > 0
    charts = {label: url for label, url in baseline.items() if label.endswith("_chart")}
    assert set(charts) == {"match_weights_chart", "m_u_parameters_chart"}
    for url in charts.values():
        path = Path(urlparse(url).path)
        assert path.is_file() and path.parent == tmp_path / "charts"
        assert path.name.startswith("organization_")

    _set_tax_id(database, joiner, tax_id)
    merged = dg.materialize(ORGANIZATION, resources=resources, instance=instance)
    numbers = _golden_metadata(merged)
    assert numbers["merges"] == _events(database, merged.run_id).get("merged", 0) == 1
    assert numbers["entities"] == entities - 1
    assert numbers["splits"] == numbers["ids_issued"] == 0

    _set_tax_id(database, joiner, None)
    split = dg.materialize(ORGANIZATION, resources=resources, instance=instance)
    numbers = _golden_metadata(split)
    assert numbers["splits"] == _events(database, split.run_id).get("split", 0) == 1
    assert numbers["merges"] == 0
    assert numbers["entities"] == entities
