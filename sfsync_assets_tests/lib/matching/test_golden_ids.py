"""Stable golden ids: which id an entity keeps when its records regroup, and what is recorded."""

from __future__ import annotations

from itertools import count

import pandas as pd

from sfsync_assets.lib.matching.golden_ids import assign_golden_ids

NOTHING = pd.Series(dtype=object)


def assign(
    component: dict, previous: dict | None = None, stamped: dict | None = None, taken: set | None = None
):
    return assign_golden_ids(
        pd.Series(component),
        pd.Series(previous or {}, dtype=object),
        pd.Series(stamped or {}, dtype=object),
        lambda golden_id: (golden_id,),
        (f"GP-{n:06d}" for n in count(100)),
        taken or set(),
    )


def test_new_entities_get_new_ids() -> None:
    result = assign({"a": 0, "b": 0, "c": 1})
    assert result.golden_ids.to_dict() == {"a": "GP-000100", "b": "GP-000100", "c": "GP-000101"}
    assert [event.event for event in result.events] == ["issued", "issued"]


def test_a_record_joining_an_entity_keeps_its_id() -> None:
    result = assign({"a": 0, "b": 0, "new": 0}, previous={"a": "GP-000001", "b": "GP-000001"})
    assert set(result.golden_ids) == {"GP-000001"} and result.events == []


def test_two_entities_linked_keep_the_older_id_and_record_the_merge() -> None:
    result = assign({"a": 0, "b": 0, "c": 0}, previous={"a": "GP-000002", "b": "GP-000001", "c": "GP-000002"})
    assert set(result.golden_ids) == {"GP-000001"}
    [merge] = result.events
    assert (merge.event, merge.golden_id, merge.other_golden_id, merge.source_keys) == (
        "merged",
        "GP-000002",
        "GP-000001",
        ("a", "c"),
    )


def test_a_split_keeps_the_id_where_most_records_stay() -> None:
    result = assign({"a": 0, "b": 0, "c": 1}, previous={"a": "GP-000001", "b": "GP-000001", "c": "GP-000001"})
    assert result.golden_ids["a"] == result.golden_ids["b"] == "GP-000001"
    assert result.golden_ids["c"] == "GP-000100"
    split = next(event for event in result.events if event.event == "split")
    assert (split.golden_id, split.other_golden_id, split.source_keys) == ("GP-000001", "GP-000100", ("c",))


def test_an_id_stamped_on_a_source_record_is_reused_when_free() -> None:
    result = assign({"a": 0, "b": 1}, stamped={"a": "GP-000042", "b": "GP-000007"}, taken={"GP-000007"})
    assert result.golden_ids["a"] == "GP-000042"
    assert result.golden_ids["b"] == "GP-000100"
