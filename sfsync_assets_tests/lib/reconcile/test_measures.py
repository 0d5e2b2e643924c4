"""Comparisons, lag percentiles and heartbeats from known inputs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sfsync_assets.lib.reconcile.comparison import compare
from sfsync_assets.lib.reconcile.erp_comparison import compare_with_erp
from sfsync_assets.lib.reconcile.heartbeat import Heartbeat
from sfsync_assets.lib.reconcile.lag import LagSample, lag_stats

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_compare_counts_missing_unexpected_and_differing_fields() -> None:
    expected = {"A": {"x": "1", "y": "2"}, "B": {"x": "1", "y": "2"}, "C": {"x": "1", "y": None}}
    actual = {"A": {"x": "1", "y": "2"}, "B": {"x": "1", "y": "3"}, "D": {"x": "1", "y": "2"}}
    result = compare(expected, actual, ["x", "y"])
    assert result.counts() == {
        "expected": 3,
        "actual": 3,
        "checksums_match": 1,
        "checksums_differ": 1,
        "missing": 1,
        "unexpected": 1,
    }
    assert [(d.key, d.field, d.expected, d.actual) for d in result.differences] == [("B", "y", "2", "3")]
    assert not result.agrees
    assert compare(expected, expected, ["x", "y"]).agrees


def test_erp_comparison_skips_fields_the_erp_leaves_empty() -> None:
    golden = {"1001": {"Tax_Id__c": "DE1", "Credit_Limit__c": "5000"}}
    erp = {"1001": {"Tax_Id__c": None, "Credit_Limit__c": "5000"}}
    assert compare_with_erp(golden, erp, ["Tax_Id__c", "Credit_Limit__c"]).agrees
    erp["1001"]["Credit_Limit__c"] = "7000"
    [difference] = compare_with_erp(golden, erp, ["Tax_Id__c", "Credit_Limit__c"]).differences
    assert (difference.field, difference.expected, difference.actual) == ("Credit_Limit__c", "5000", "7000")


def test_lag_percentiles_from_known_timestamps_count_waiting_changes() -> None:
    changed = NOW - timedelta(hours=2)
    samples = [LagSample(changed, changed + timedelta(seconds=s)) for s in (10, 20, 30, 40)]
    samples.append(LagSample(NOW - timedelta(seconds=100), None))  # still waiting: 100 s so far
    stats = lag_stats(samples, NOW)
    assert (stats.changes, stats.waiting) == (5, 1)
    assert stats.p50_seconds == 30.0
    assert stats.p95_seconds == 88.0  # between 40 and 100, by linear interpolation
    assert stats.max_seconds == 100.0
    assert lag_stats([], NOW).p95_seconds is None


def test_heartbeat_is_missing_when_silent_longer_than_its_sla_or_never_seen() -> None:
    sla = timedelta(hours=2)
    assert not Heartbeat("erp_ingest", NOW - timedelta(minutes=30), sla).is_missing(NOW)
    stale = Heartbeat("erp_ingest", NOW - timedelta(hours=3), sla)
    assert stale.is_missing(NOW) and stale.describe(NOW) == "last success 180 min ago (SLA 120 min)"
    assert Heartbeat("erp_ingest", None, sla).is_missing(NOW)
