"""The sync health report as Markdown (asset metadata) and as a small standalone HTML page (for people without
access to the Dagster UI), plus the readable sample tables checks put in their metadata."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from .failure_classes import FailureClass
from .health import HealthReport, HealthRow


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return str(value)


def markdown_table(rows: Sequence[Mapping[str, Any]], limit: int | None = None) -> str:
    """Rows as a Markdown table (columns from the first row), at most `limit` of them, saying how many were left."""
    if not rows:
        return "_none_"
    columns = list(rows[0])
    shown = rows if limit is None else rows[:limit]
    lines = [
        "| " + " | ".join(columns) + " |",
        "|" + "---|" * len(columns),
        *("| " + " | ".join(_cell(row.get(c)).replace("|", "\\|") for c in columns) + " |" for row in shown),
    ]
    if len(shown) < len(rows):
        lines.append(f"\n_{len(rows) - len(shown)} more not shown_")
    return "\n".join(lines)


def _by_integration(rows: Sequence[HealthRow]) -> dict[str, list[dict[str, Any]]]:
    tables: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        tables.setdefault(row.integration, []).append({"object": row.object, **row.metrics})
    for integration, table in tables.items():
        columns = list(dict.fromkeys(column for entry in table for column in entry))
        tables[integration] = [{column: entry.get(column) for column in columns} for entry in table]
    return tables


def _heartbeat_rows(report: HealthReport) -> list[dict[str, Any]]:
    return [
        {
            "integration": beat.integration,
            "last success": beat.last_success,
            "status": "MISSING" if beat.is_missing(report.generated_at) else "ok",
            "detail": beat.describe(report.generated_at),
        }
        for beat in report.heartbeats
    ]


def _failure_rows(
    failures: Sequence[FailureClass], rows: Callable[[FailureClass], str]
) -> list[dict[str, Any]]:
    return [
        {"kind": f.kind, "class": f.name, "where": f.scope, "count": f.count, "rows": rows(f)}
        for f in failures
    ]


def _markdown_rows(failure: FailureClass) -> str:
    return f"[open]({failure.rows})" if failure.is_link else f"`{failure.rows}`"


def render_markdown(report: HealthReport) -> str:
    parts = [
        f"**Sync health** at {_cell(report.generated_at)}",
        "### What failed",
        markdown_table(_failure_rows(report.failures, _markdown_rows)),
        "### Heartbeats",
        markdown_table(_heartbeat_rows(report)),
    ]
    for integration, table in _by_integration(report.rows).items():
        parts += [f"### {integration}", markdown_table(table)]
    return "\n\n".join(parts)


def _html_table(rows: Sequence[Mapping[str, Any]], markup: Sequence[str] = ()) -> str:
    """`markup` names columns whose cells are already HTML."""
    if not rows:
        return "<p><em>none</em></p>"
    columns = list(rows[0])
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{row.get(c) if c in markup else html.escape(_cell(row.get(c)))}</td>" for c in columns
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _html_rows(failure: FailureClass) -> str:
    where = html.escape(failure.rows, quote=True)
    return f"<a href='{where}'>open</a>" if failure.is_link else f"<code>{where}</code>"


def _bar_chart(bars: Sequence[tuple[str, float, str]]) -> str:
    """Horizontal bars (label, value, value as text) scaled to the largest value.

    A bar is a div with a width: for two small charts in a static page no chart library is worth a dependency.
    """
    if not bars:
        return "<p><em>none</em></p>"
    largest = max(value for _, value, _ in bars) or 1.0
    rows = "".join(
        f"<div class='bar'><span class='label'>{html.escape(label)}</span>"
        f"<span class='fill' style='width:{max(value / largest * 60, 0.5):.1f}%'></span>"
        f"<span class='value'>{html.escape(text)}</span></div>"
        for label, value, text in bars
    )
    return f"<div class='chart'>{rows}</div>"


def _charts(report: HealthReport) -> str:
    failures = [
        (f"{f.kind}: {f.name} ({f.scope})", float(f.count), str(f.count))
        for f in sorted(report.failures, key=lambda f: -f.count)
    ]
    rates = [
        (f"{row.integration} / {row.object}", row.error_rate, f"{row.error_rate:.2%}")
        for row in sorted(report.rows, key=lambda r: -(r.error_rate or 0))
        if row.error_rate
    ]
    return f"<h2>Failures by class</h2>{_bar_chart(failures)}<h2>Error rate by object</h2>{_bar_chart(rates)}"


def render_html(report: HealthReport) -> str:
    sections = [
        _charts(report),
        f"<h2>What failed</h2>{_html_table(_failure_rows(report.failures, _html_rows), markup=['rows'])}",
        f"<h2>Heartbeats</h2>{_html_table(_heartbeat_rows(report))}",
    ]
    sections += [
        f"<h2>{html.escape(integration)}</h2>{_html_table(table)}"
        for integration, table in _by_integration(report.rows).items()
    ]
    generated = html.escape(_cell(report.generated_at))
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>sfsync sync health</title><style>"
        "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1.5em}"
        "td,th{border:1px solid #ccc;padding:.3em .6em;text-align:right}code{white-space:pre-wrap}th{background:#eee}"
        "td:first-child,th:first-child{text-align:left}.chart{margin-bottom:1.5em}.bar{display:flex;"
        "align-items:center;margin:.15em 0}.label{width:22em;font-size:.9em}.fill{background:#c0392b;"
        "height:1em;margin-right:.5em}.value{font-size:.9em}</style></head><body>"
        f"<h1>sfsync sync health</h1><p>Generated {generated}</p>{''.join(sections)}</body></html>"
    )
