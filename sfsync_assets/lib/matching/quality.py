"""Quality of a clustering against known true entities: pairwise and cluster-level precision, recall and F1.

Pairwise: of all record pairs put in one entity, how many truly belong together (precision), and of all true
pairs, how many were put together (recall). Cluster-level: an entity counts as right only when it holds exactly
the records of one true entity.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    true_positives: int
    predicted: int
    actual: int


def _scores(true_positives: int, predicted: int, actual: int) -> Scores:
    precision = true_positives / predicted if predicted else 1.0
    recall = true_positives / actual if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(round(precision, 5), round(recall, 5), round(f1, 5), true_positives, predicted, actual)


def _pairs(sizes: pd.Series) -> int:
    return int((sizes * (sizes - 1) // 2).sum())


def pairwise(clusters: pd.Series, truth: pd.Series) -> Scores:
    """`clusters` and `truth` map the same record keys to a cluster id and a true entity id."""
    frame = pd.DataFrame({"cluster": clusters, "entity": truth.reindex(clusters.index)}).dropna()
    together = _pairs(frame.groupby(["cluster", "entity"]).size())
    return _scores(together, _pairs(frame.groupby("cluster").size()), _pairs(frame.groupby("entity").size()))


def cluster_level(clusters: pd.Series, truth: pd.Series) -> Scores:
    frame = pd.DataFrame({"cluster": clusters, "entity": truth.reindex(clusters.index)}).dropna()
    members = frame.groupby("cluster")["entity"].agg(lambda entities: frozenset(entities.index))
    expected = frame.groupby("entity")["cluster"].agg(lambda keys: frozenset(keys.index))
    exact = len(set(members) & set(expected))
    return _scores(exact, len(members), len(expected))
