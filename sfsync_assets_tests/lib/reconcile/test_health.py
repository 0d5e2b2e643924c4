"""The health report: error rates per object, numbers for the UI, and the Markdown and HTML renderings."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from sfsync_assets.lib.config.files import ConfigError
from sfsync_assets.lib.reconcile.failure_classes import FAILED_CHECK, FailureClass, quarantine_classes
from sfsync_assets.lib.reconcile.health import HealthReport, PushCounts, ingest_rows, push_row
from sfsync_assets.lib.reconcile.heartbeat import Heartbeat
from sfsync_assets.lib.reconcile.lag import LagStats
from sfsync_assets.lib.reconcile.report_rendering import render_html, render_markdown
from sfsync_assets.lib.reconcile.settings import load_reconcile_settings
from sfsync_assets.lib.reconcile.sources import LayerCount, open_quarantine
from sfsync_assets.lib.warehouse.quarantine import QuarantinedRow, quarantine

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _report() -> HealthReport:
    ingest = ingest_rows(
        [
            LayerCount("raw", "salesforce", "account", 1000, 4),
            LayerCount("raw", "erp", "customers", 200, 0),
            LayerCount("staged", "erp", "customer", 198, 0),
        ],
        [("salesforce", "Account", "invalid_picklist", 3), ("legacy_csv", "CUSTEXPORT", "bad_date", 2)],
    )
    push = push_row(
        PushCounts(
            "Contact",
            500,
            10,
            490,
            489,
            {"DUPLICATES_DETECTED": 7},
            {"edited in target": 2},
            LagStats(40, 1, 30.0, 300.0, 900.0),
        )
    )
    return HealthReport(
        NOW, [*ingest, push], [Heartbeat("erp_ingest", NOW - timedelta(hours=5), timedelta(hours=2))]
    )


def test_error_rates_count_quarantined_and_dead_lettered_records() -> None:
    report = _report()
    rates = {(row.integration, row.object): row.error_rate for row in report.rows}
    assert rates["salesforce_ingest", "account"] == 0.003
    assert rates["legacy_ingest", "custexport"] == 1.0  # quarantined rows, nothing landed
    assert rates["salesforce_push", "Contact"] == round(7 / 497, 6)
    assert [(row.integration, row.object) for row in report.above_error_rate(0.01)] == [
        ("legacy_ingest", "custexport"),
        ("salesforce_push", "Contact"),
    ]
    assert rates["erp_ingest", "staged/erp/customer"] is None
    numbers = report.numbers()
    assert numbers["erp_ingest/staged/erp/customer/records"] == 198
    assert numbers["erp_ingest/minutes_since_success"] == 300
    assert numbers["salesforce_push/Contact/dead_letters/DUPLICATES_DETECTED"] == 7
    assert numbers["salesforce_push/Contact/lag_p95_s"] == 300.0
    assert numbers["salesforce_ingest/account/quarantined/invalid_picklist"] == 3


def test_renderings_show_every_integration_and_the_missing_heartbeat() -> None:
    report = _report()
    markdown, page = render_markdown(report), render_html(report)
    for text in (markdown, page):
        assert "salesforce_push" in text and "legacy_ingest" in text and "MISSING" in text
    assert page.startswith("<!doctype html>") and "<table>" in page


def test_html_page_charts_error_rates_largest_first_scaled_to_the_largest() -> None:
    page = render_html(_report())
    chart = page.split("<h2>Error rate by object</h2>", 1)[1].split("</div></div>", 1)[0]
    labels = re.findall(r"<span class='label'>([^<]+)</span>", chart)
    widths = [float(w) for w in re.findall(r"width:([0-9.]+)%", chart)]
    assert labels == [
        "legacy_ingest / custexport",
        "salesforce_push / Contact",
        "salesforce_ingest / account",
    ]
    assert widths[0] == 60.0 and widths[1] == pytest.approx(60 * (7 / 497), abs=0.1)


def test_settings_errors_name_the_file_and_key(tmp_path) -> None:
    assert load_reconcile_settings().salesforce.targets
    broken = tmp_path / "reconcile.yaml"
    broken.write_text("salesforce: {targets: [account]}\ndrift: {max_drifted_share: 2}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"reconcile.yaml: drift.max_drifted_share"):
        load_reconcile_settings(broken)


def test_failure_classes_query_exactly_their_rows_and_render_as_code_or_links(tmp_path) -> None:
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as connection:
        quarantine(
            connection,
            [
                QuarantinedRow("legacy_csv", "O'BRIEN FEED", "1", "City", "it's_bad", "quoted names"),
                QuarantinedRow("legacy_csv", "O'BRIEN FEED", "2", "City", "it's_bad", "quoted names"),
                QuarantinedRow("legacy_csv", "O'BRIEN FEED", "3", "City", "other", "another rule"),
            ],
            "run",
        )
        [picked] = [c for c in quarantine_classes(open_quarantine(connection)) if c.name == "it's_bad"]
        rows = connection.execute(picked.rows).fetchall()
    assert (picked.scope, picked.count, len(rows)) == ("legacy_csv/O'BRIEN FEED", 2, 2)
    check = FailureClass(
        FAILED_CHECK, "drift_within_threshold", "monitoring/drift", 1, "http://ui/assets/monitoring/drift"
    )
    report = HealthReport(NOW, [], [], [picked, check])
    assert report.numbers()["failures/quarantine"] == 2
    markdown, page = render_markdown(report), render_html(report)
    assert f"`{picked.rows}`" in markdown and "[open](http://ui/assets/monitoring/drift)" in markdown
    assert "<a href='http://ui/assets/monitoring/drift'>open</a>" in page
    assert html.escape(picked.rows, quote=True) in page and "O'BRIEN" not in page
