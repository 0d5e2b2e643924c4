"""Typed golden values and Bulk's CSV echo spell the same way, so unchanged never looks changed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from sfsync_assets.lib.outbound.errors import UnpushableValue
from sfsync_assets.lib.outbound.wire import fields_hash, json_value, wire


@pytest.mark.parametrize(
    ("golden", "echoed"),
    [
        (True, "true"),
        (False, "false"),
        (1500.0, "1500"),
        (Decimal("1500.50"), "1500.5"),
        (0.1, "0.1"),
        (42, "42"),
        (date(2026, 1, 31), "2026-01-31"),
        (datetime(2026, 1, 31, 8, 30, tzinfo=UTC), "2026-01-31T08:30:00Z"),
        ("Leeds", "Leeds"),
    ],
)
def test_golden_values_and_their_csv_echo_agree(golden: object, echoed: str) -> None:
    assert wire(golden) == wire(echoed) == echoed


def test_empty_text_and_nan_are_null() -> None:
    assert [wire(""), wire(float("nan")), wire(None), json_value("")] == [None, None, None, None]


def test_the_hash_ignores_field_order_and_null_fields() -> None:
    assert fields_hash({"a": "1", "b": None}) == fields_hash({"b": None, "a": "1"}) == fields_hash({"a": "1"})
    assert fields_hash({"a": "1"}) != fields_hash({"a": "2"}) != fields_hash({"a": "1", "b": "2"})


def test_values_no_field_can_hold_are_refused() -> None:
    with pytest.raises(UnpushableValue, match="list"):
        json_value(["a", "b"])
