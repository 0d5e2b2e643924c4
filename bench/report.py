"""Regenerate the README's benchmark table from bench/results/*.json (`sfsync bench report`)."""

from __future__ import annotations

import json
import platform
import re
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"  # full runs only; quick runs go to results/quick
README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def _machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        models = re.findall(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        cpu = f"{len(models)} × {models[0]}" if models else cpu
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(re.search(r"MemTotal:\s+(\d+)", meminfo.read_text()).group(1))
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    return f"{cpu}{memory}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def table() -> str:
    lines = [
        f"Measured on {_machine()}; each baseline is measured in the same run as our figure.",
        "",
        "| benchmark | measure | sfsync | baseline | baseline is | × better | quick run |",
        "|---|---|---:|---:|---|---:|---|",
    ]
    for path in sorted(RESULTS_DIR.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        for row in document.get("comparisons", []):
            quick = "yes" if document.get("quick") else ""
            bound = "≥ " if row.get("at_least") else ""
            lines.append(
                f"| {path.stem} | {row['what']} | {row['ours']:,} {row['unit']} "
                f"| {bound}{row['baseline']:,} {row['unit']} | {row['baseline_name']} | {bound}{row['times_better']} "
                f"| {quick} |"
            )
    for path in sorted(RESULTS_DIR.glob("cycle_*.json")):
        lines += ["", *cycle_stages(json.loads(path.read_text(encoding="utf-8")))]
    return "\n".join(lines)


def cycle_stages(document: dict) -> list[str]:
    """The end-to-end cycle stage by stage: where each cycle's time, memory and API calls go."""
    kinds = list(dict.fromkeys(row["cycle"] for row in document["results"]))
    stages = list(dict.fromkeys(row["stage"] for row in document["results"]))
    by_key = {(row["cycle"], row["stage"]): row for row in document["results"]}
    header = "| stage | " + " | ".join(
        f"{k}: wall s (CPU s) | {k}: peak RSS MiB | {k}: API calls" for k in kinds
    )
    lines = [
        f"End-to-end cycle, {document['source_records']:,} source records, stage by stage "
        "(CPU and peak RSS of the worker process; API calls counted by the org):",
        "",
        header + " |",
        "|---|" + "---:|---:|---:|" * len(kinds),
    ]
    for stage in stages:
        cells = []
        for kind in kinds:
            row = by_key.get((kind, stage), {})
            peak = row.get("peak_rss_mb")
            cells += [
                f"{row['wall_s']:,} ({row['cpu_s']:,})" if row else "",
                "" if peak is None else f"{peak:,}",
                f"{row['api_calls']:,}" if row else "",
            ]
        lines.append(f"| {stage} | " + " | ".join(cells) + " |")
    return lines


def update_readme() -> None:
    text = README.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise SystemExit(f"{README} has no {START} ... {END} section to update")
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    README.write_text(f"{before}{START}\n{table()}\n{END}{after}", encoding="utf-8")
    print(f"updated the benchmark table in {README}")


if __name__ == "__main__":
    update_readme()
