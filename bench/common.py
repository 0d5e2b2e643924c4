"""Shared benchmark plumbing: timing, peak memory, JSON results and a Markdown table."""

from __future__ import annotations

import json
import os
import platform
import resource
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

# Quick smoke runs (`sfsync bench --quick`, part of `make test`) write elsewhere, so they never replace full results.
RESULTS_DIR = Path(os.environ.get("SFSYNC_BENCH_RESULTS", Path(__file__).resolve().parent / "results"))


@dataclass
class Measurement:
    name: str
    wall_s: float = 0.0
    cpu_s: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


@contextmanager
def measure(name: str) -> Iterator[Measurement]:
    """Wall and CPU time of this process for the block (servers' CPU is reported separately by callers)."""
    result = Measurement(name)
    wall, cpu = time.perf_counter(), time.process_time()
    yield result
    result.wall_s = round(time.perf_counter() - wall, 3)
    result.cpu_s = round(time.process_time() - cpu, 3)


def _status_mb(pid: int, key: str) -> float:
    """A memory figure of a process's /proc status (kB there), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def peak_rss_mb_of(pid: int) -> float:
    """Peak resident memory of another process (VmHWM), in MiB."""
    return _status_mb(pid, "VmHWM")


def rss_mb_of(pid: int) -> float:
    """Resident memory of another process now (VmRSS), in MiB."""
    return _status_mb(pid, "VmRSS")


def cpu_seconds_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = __import__("os").sysconf("SC_CLK_TCK")
    return round((int(fields[11]) + int(fields[12])) / ticks, 2)


def own_peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def machine() -> dict[str, Any]:
    import os

    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
    }


def comparison(
    what: str,
    ours: float,
    baseline: float,
    unit: str,
    higher_is_better: bool = False,
    baseline_name: str = "baseline",
    baseline_unfinished: bool = False,
) -> dict[str, Any]:
    """One line of the README table: our figure, the baseline's, and how many times better ours is.

    A baseline stopped before it finished (`baseline_unfinished`) had used at least its figure, so the ratio is a
    lower bound; the table shows both with "≥"."""
    ratio = (ours / baseline) if higher_is_better else (baseline / ours if ours else float("inf"))
    return {
        "what": what,
        "ours": ours,
        "baseline": baseline,
        "baseline_name": baseline_name,
        "unit": unit,
        "times_better": round(ratio, 2),
        "at_least": baseline_unfinished,
    }


def write_results(
    benchmark: str,
    rows: list[dict[str, Any]],
    notes: dict[str, Any],
    comparisons: list[dict[str, Any]] | None = None,
) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{benchmark}.json"
    document = {
        "benchmark": benchmark,
        "machine": machine(),
        "results": rows,
        "comparisons": comparisons or [],
        **notes,
    }
    path.write_text(json.dumps(document, indent=2, default=str), encoding="utf-8")
    return path


def markdown_table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(str(row.get(c, "")) for c in columns) + " |")
    return "\n".join(lines)


def as_row(measurement: Measurement) -> dict[str, Any]:
    row = asdict(measurement)
    row.update(row.pop("extra"))
    return row


def timed(function: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    value = function()
    return value, time.perf_counter() - started
