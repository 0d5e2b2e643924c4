"""Stable golden ids: which id each entity keeps when its records regroup.

An id, once issued, stays with "its" records for as long as they stay together:
- each existing id goes to the new entity that holds most of its records (ties: the entity with the smallest
  record key), so a record that joins an entity never renames it;
- an entity that receives several ids keeps the oldest one; the others are recorded as merged into it;
- an entity that receives none reuses an id stamped on one of its source records (`Golden_Id__c`, pushed there by
  an earlier run) if that id is free, and otherwise gets a new one; if its records carried other ids before,
  that is recorded as a split.
Ids whose records are all gone are retired by the caller.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class IdEvent:
    event: str  # issued, merged, split
    golden_id: str
    other_golden_id: str | None
    source_keys: tuple[str, ...]
    evidence: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Assignment:
    golden_ids: pd.Series  # source_key → golden id
    events: list[IdEvent]


def assign_golden_ids(
    component: pd.Series,
    previous: pd.Series,
    stamped: pd.Series,
    issue_order: Callable[[str], tuple],
    new_ids: Iterator[str],
    taken: set[str],
) -> Assignment:
    """`component`: source_key → component label (every record being regrouped); `previous`: source_key → the
    golden id it had (records seen before); `stamped`: source_key → a golden id written on the source record;
    `issue_order`: sort key of an existing id (older first); `new_ids`: fresh ids; `taken`: ids in use by
    entities that are not being regrouped."""
    previous = previous.dropna().reindex(component.index).dropna()
    home = _homes(component, previous)
    claims: dict[object, list[str]] = {}
    for golden_id, label in home.items():
        claims.setdefault(label, []).append(golden_id)
    assigned: dict[object, str] = {}
    used = set(taken)
    stamps_of = _stamps_by_component(component, stamped)
    events: list[IdEvent] = []
    for label, keys in _members(component):
        ids = sorted(claims.get(label, []), key=issue_order)
        if ids:
            assigned[label] = ids[0]
            events += [
                IdEvent("merged", absorbed, ids[0], _records_of(previous, absorbed)) for absorbed in ids[1:]
            ]
        else:
            reused = next((stamp for stamp in stamps_of.get(label, []) if stamp not in used), None)
            assigned[label] = reused or next(new_ids)
            events.append(
                IdEvent("issued", assigned[label], None, tuple(sorted(keys)), {"stamped": bool(reused)})
            )
        used.add(assigned[label])
    golden = component.map(assigned)
    kept_by = {golden_id: assigned[label] for golden_id, label in home.items()}
    for old_id, moved in _moves(previous, golden, kept_by):
        events.append(IdEvent("split", old_id, moved.iloc[0], tuple(sorted(moved.index))))
    return Assignment(golden, events)


def _members(component: pd.Series) -> Iterator[tuple[object, np.ndarray]]:
    """(component label, its record keys), by sorting once: grouping a million keys stays fast."""
    if component.empty:
        return
    order = np.argsort(component.to_numpy(), kind="stable")
    labels, keys = component.to_numpy()[order], component.index.to_numpy(dtype=object)[order]
    starts = np.flatnonzero(labels[1:] != labels[:-1]) + 1
    yield from zip(labels[np.r_[0, starts]], np.split(keys, starts), strict=True)


def _homes(component: pd.Series, previous: pd.Series) -> dict[str, object]:
    """Existing id → the component that keeps it: the one holding most of its records."""
    counts = pd.DataFrame({"golden_id": previous, "component": component.reindex(previous.index)})
    counts["first_key"] = counts.index
    ranked = (
        counts.groupby(["golden_id", "component"])
        .agg(records=("first_key", "size"), first_key=("first_key", "min"))
        .reset_index()
        .sort_values(["golden_id", "records", "first_key"], ascending=[True, False, True])
    )
    winners = ranked.drop_duplicates("golden_id")
    return dict(zip(winners["golden_id"], winners["component"], strict=True))


def _records_of(previous: pd.Series, golden_id: str) -> tuple[str, ...]:
    return tuple(sorted(previous.index[previous == golden_id]))


def _stamps_by_component(component: pd.Series, stamped: pd.Series) -> dict[object, list[str]]:
    """Component label → the ids stamped on its records, most frequent first."""
    stamps = stamped.dropna()
    frame = pd.DataFrame({"stamp": stamps, "component": component.reindex(stamps.index)}).dropna()
    counted = frame.groupby(["component", "stamp"]).size().reset_index(name="records")
    counted = counted.sort_values(["component", "records", "stamp"], ascending=[True, False, True])
    return counted.groupby("component")["stamp"].agg(list).to_dict()


def _moves(
    previous: pd.Series, golden: pd.Series, kept_by: dict[str, str]
) -> Iterator[tuple[str, pd.Series]]:
    """(old id, its records that went elsewhere than the entity keeping the old id → their new id)."""
    frame = pd.DataFrame({"before": previous, "after": golden.reindex(previous.index)})
    moved = frame[frame["after"] != frame["before"].map(kept_by)]
    for (old_id, _), group in moved.groupby(["before", "after"]):
        yield old_id, group["after"]
