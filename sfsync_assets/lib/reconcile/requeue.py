"""Correction: drift on fields the golden record owns goes back to the push; the rest waits for a person.

The ledger is told what Salesforce really holds for each drifted field, so the next plan, which sends every field
whose golden value differs from the ledger's, writes those fields again. Nothing is sent from here: the push keeps
its budget, batching, retries and dead letter.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

import duckdb

from .drift import REQUEUE, Drift, PushedRecord
from .sources import requeue_in_ledger


def requeue(
    connection: duckdb.DuckDBPyConnection,
    drifts: Iterable[Drift],
    pushed: Mapping[str, Mapping[str, PushedRecord]],
) -> int:
    """Re-queue every drift marked for it; returns how many records the next push will write again."""
    held: dict[tuple[str, str], dict[str, str | None]] = defaultdict(dict)
    for drift in drifts:
        if drift.action == REQUEUE:
            held[drift.target, drift.golden_id][drift.field] = drift.actual
    return sum(
        requeue_in_ledger(connection, target, golden_id, values, pushed[target][golden_id].pushed_at)
        for (target, golden_id), values in held.items()
    )
