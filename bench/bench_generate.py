"""Benchmark `generate`: wall time, CPU time, peak RSS and records/s at 100k and 1M source records, plus the
ERP load against a naive per-record INSERT loop on the same rows, measured in the same run.

Each scale runs in its own process (peak RSS is per process); results go to bench/results/generate.json and a
Markdown table is printed. Usage: `python bench/bench_generate.py [--scales 100000 1000000]`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RESULTS = (
    Path(os.environ.get("SFSYNC_BENCH_RESULTS", Path(__file__).resolve().parent / "results"))
    / "generate.json"
)
ROW_CHUNK = 20_000
# Rows the naive per-record loop inserts (spread over the tables by their size); its time is scaled up.
NAIVE_SAMPLE_ROWS = 50_000


def run_generate(scale: int, out_dir: Path) -> dict[str, Any]:
    """In the child process: generate, then report time, CPU, RSS and counts as JSON."""
    from sfsync_assets.lib.generator.pipeline import GenerateConfig, generate_company

    wall_start, cpu_start = time.perf_counter(), time.process_time()
    manifest = generate_company(GenerateConfig(out_dir=out_dir, scale=scale, seed=1))
    wall, cpu = time.perf_counter() - wall_start, time.process_time() - cpu_start
    return {
        "scale": scale,
        "records": manifest["total_records"],
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "records_per_s": round(manifest["total_records"] / wall),
        "erp_rows": sum(manifest["counts"]["erp"].values()),
    }


def run_erp_load_comparison(source: Path, work_dir: Path) -> dict[str, Any]:
    """Insert the generated ERP rows into fresh SQLite files: all of them with executemany per chunk (what the
    generator does), and a sample of each table with one INSERT per record (the naive loop), whose time is scaled
    to all rows (the loop's cost per row does not depend on how many rows came before). Only insert time counts."""
    from sqlalchemy import func, select

    from sfsync_assets.lib.generator.erp import TABLES, erp_engine, erp_metadata

    metadata = erp_metadata()
    source_engine = erp_engine(f"sqlite:///{source}")
    targets = {}
    for name in ("bulk", "naive"):
        engine = erp_engine(f"sqlite:///{work_dir / f'{name}.sqlite'}")
        metadata.create_all(engine)
        targets[name] = engine
    seconds = {"bulk": 0.0, "naive": 0.0}
    rows_total = 0
    with (
        source_engine.connect() as reader,
        targets["bulk"].begin() as bulk,
        targets["naive"].begin() as naive,
    ):
        counts = {
            name: reader.execute(select(func.count()).select_from(metadata.tables[name])).scalar_one()
            for name in TABLES
        }
        sample_share = min(1.0, NAIVE_SAMPLE_ROWS / max(1, sum(counts.values())))
        for table_name in TABLES:
            table = metadata.tables[table_name]
            sample_left = round(counts[table_name] * sample_share)
            result = reader.execution_options(stream_results=True).execute(select(table))
            while rows := [dict(row) for row in result.mappings().fetchmany(ROW_CHUNK)]:
                rows_total += len(rows)
                started = time.perf_counter()
                bulk.execute(table.insert(), rows)
                seconds["bulk"] += time.perf_counter() - started
                started = time.perf_counter()
                for row in rows[:sample_left]:
                    naive.execute(table.insert().values(**row))
                seconds["naive"] += time.perf_counter() - started
                sample_left = max(0, sample_left - len(rows))
    for engine in (source_engine, *targets.values()):
        engine.dispose()
    naive_s = seconds["naive"] / sample_share
    return {
        "erp_rows": rows_total,
        "bulk_insert_s": round(seconds["bulk"], 2),
        "naive_loop_s": round(naive_s, 2),
        "naive_sample_share": round(sample_share, 4),
        "naive_over_bulk": round(naive_s / seconds["bulk"], 1),
        "naive_rows_per_s": round(rows_total / naive_s),
    }


def child(scale: int) -> None:
    with tempfile.TemporaryDirectory(prefix=f"bench-generate-{scale}-") as work:
        result = run_generate(scale, Path(work) / "company")
        result["erp_load"] = run_erp_load_comparison(Path(work) / "company" / "erp.sqlite", Path(work))
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument(
        "--quick", action="store_true", help="one 10,000-record company: a smoke run for the tests"
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        child(arguments.child)
        return
    runs = []
    for scale in [10_000] if arguments.quick else arguments.scales:
        output = subprocess.run(
            [sys.executable, __file__, "--child", str(scale)], check=True, capture_output=True, text=True
        ).stdout
        runs.append(json.loads(output.strip().splitlines()[-1]))
    for run in runs:
        run["generate_over_naive_erp_loop"] = round(run["wall_s"] / run["erp_load"]["naive_loop_s"], 2)
    report = {
        "benchmark": "generate",
        "machine": {"cpus": len(os.sched_getaffinity(0)), "python": platform.python_version()},
        "runs": runs,
        "quick": arguments.quick,
        "comparisons": [
            {
                "what": f"generate {run['records']:,} records (all systems), wall s",
                "ours": run["wall_s"],
                "baseline": run["erp_load"]["naive_loop_s"],
                "baseline_name": "naive per-row INSERT of the ERP rows alone (timed on a sample, scaled to all rows)",
                "unit": "s",
                "times_better": round(run["erp_load"]["naive_loop_s"] / run["wall_s"], 2),
            }
            for run in runs
        ],
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(
        "| scale | records | wall s | CPU s | peak RSS MB | records/s | ERP rows | ERP bulk s | naive loop s "
        "| naive/bulk |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for run in runs:
        erp = run["erp_load"]
        print(
            f"| {run['scale']:,} | {run['records']:,} | {run['wall_s']} | {run['cpu_s']} "
            f"| {run['peak_rss_mb']} | {run['records_per_s']:,} | {erp['erp_rows']:,} "
            f"| {erp['bulk_insert_s']} | {erp['naive_loop_s']} "
            f"| {erp['naive_over_bulk']}× |"
        )
    print(f"\nwritten to {RESULTS}")


if __name__ == "__main__":
    main()
