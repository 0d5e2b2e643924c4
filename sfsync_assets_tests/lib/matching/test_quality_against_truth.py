"""Identity resolution on a generated company of ~5,000 records, landed and staged by the real pipeline,
scored against the generator's truth."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from splink.internals.blocking_rule_creator_utils import to_blocking_rule_creator

from sfsync_assets.lib.matching.deterministic import deterministic_pairs
from sfsync_assets.lib.matching.features import compute_features
from sfsync_assets.lib.matching.graph import components
from sfsync_assets.lib.matching.models import model_settings
from sfsync_assets.lib.matching.quality import cluster_level, pairwise
from sfsync_assets.lib.matching.settings import NICKNAMES_FILE, load_matching_settings

ENTITY_TYPES = ("person", "organization")


def clusters(database: Path, entity_type: str) -> pd.Series:
    with duckdb.connect(str(database), read_only=True) as connection:
        frame = connection.sql(
            "SELECT source_key, golden_id FROM identity.xref WHERE entity_type = ? AND is_active",
            params=[entity_type],
        ).df()
    return frame.set_index("source_key")["golden_id"]


@pytest.mark.parametrize("entity_type", ENTITY_TYPES)
def test_pairwise_and_cluster_f1_reach_095(resolved: Path, truth: dict, entity_type: str) -> None:
    predicted = clusters(resolved, entity_type)
    pairs, entities = pairwise(predicted, truth[entity_type]), cluster_level(predicted, truth[entity_type])
    print(f"{entity_type}: pairwise {pairs}\n{entity_type}: cluster {entities}")
    assert set(predicted.index) == set(truth[entity_type].index), "every staged record belongs to an entity"
    assert pairs.f1 >= 0.95 and entities.f1 >= 0.95
    assert pairs.precision >= 0.95 and pairs.recall >= 0.95


@pytest.mark.parametrize("entity_type", ENTITY_TYPES)
def test_candidate_pairs_reach_99_percent_of_true_pairs(staged: Path, truth: dict, entity_type: str) -> None:
    """Blocking recall: a true pair is reachable when candidate pairs (deterministic rules and the model's
    blocking rules) connect its two records through records of the same true entity."""
    settings = load_matching_settings()
    with duckdb.connect(str(staged), read_only=True) as connection:
        features = compute_features(connection, entity_type, settings, NICKNAMES_FILE).relation
        rules = deterministic_pairs(connection, settings.entity(entity_type).deterministic_rules, features)
        selects = [f"SELECT source_key_l AS l, source_key_r AS r FROM {rules}"]
        for rule in model_settings(entity_type).blocking_rules_to_generate_predictions:
            condition = to_blocking_rule_creator(rule).get_blocking_rule("duckdb").blocking_rule_sql
            selects.append(
                f"SELECT l.source_key, r.source_key FROM {features} AS l JOIN {features} AS r "
                f"ON ({condition}) AND l.source_key < r.source_key"
            )
        candidates = connection.sql(" UNION ".join(selects)).df()
    entity = truth[entity_type]
    true_candidates = candidates[
        entity.reindex(candidates["l"]).to_numpy() == entity.reindex(candidates["r"]).to_numpy()
    ]
    reachable = pairwise(
        components(entity.index.to_series(), true_candidates["l"], true_candidates["r"]), entity
    )
    print(f"{entity_type}: {len(candidates)} candidate pairs, recall of true pairs {reachable.recall:.4%}")
    assert reachable.recall >= 0.99
