"""End-to-end sync cycle on the demo company: ingest → validate → resolve → push → reconcile, stage by stage.

Generates the demo company (Salesforce org in an emulator, ERP database, legacy drop folder) at `--scale` source
records, then runs the product's own headless cycle (`sfsync sync`, the `sync_cycle` job after the inbox files
load) three times in a child process: the first, full cycle; the same cycle again with nothing changed (its fixed
cost); and after a day of business changed 1 % of the company (the cycle a deployment runs every day).

Stages come from the runs' own Dagster events: each step's start and end, grouped by the prefix of the asset it
materialized or checked (raw → ingest, staged → validate, identity and golden → resolve, outbound → push,
monitoring → reconcile). A sampler outside the worker reads, a few times a second, the worker's resident memory
and CPU time (/proc) and the emulator's CPU time and `DailyApiRequests` counter; each stage gets the counters'
growth over its steps' windows and the highest memory sample inside them. Whole-cycle figures are exact: the
worker's CPU and peak RSS from wait4(), API calls from the counter before and after.

The baseline is the full cycle of the same company in the same run: the 1 % changed cycle should cost a fraction
of it, because every stage reads and writes only what changed, and what remains is the cycle's fixed cost, which
the unchanged cycle shows.

    python bench/bench_cycle.py [--scale 100000] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import comparison, cpu_seconds_of, markdown_table, peak_rss_mb_of, write_results

from sfsync_assets.defs.ingest.salesforce import SETTINGS as SALESFORCE_INGEST
from sfsync_assets.lib.emulator.process import EmulatorProcess
from sfsync_assets.lib.generator.mutate import mutate_company
from sfsync_assets.lib.generator.salesforce_session import people_target
from sfsync_assets.lib.runtime.environment import emulator_environment, prepare_dagster_home, write_env_file
from sfsync_assets.lib.runtime.seeding import ensure_company

QUICK_SCALE = 1_000
CHANGED_PERCENT = 1.0
SAMPLE_SECONDS = 0.2
# The asset key's first part names the stage of the cycle it belongs to.
STAGE_OF_PREFIX = {
    "raw": "ingest",
    "staged": "validate",
    "identity": "resolve",
    "golden": "resolve",
    "outbound": "push",
    "monitoring": "reconcile",
}
STAGES = ["ingest", "validate", "resolve", "push", "reconcile"]
STARTUP = "worker start"
BETWEEN_STEPS = "between steps"
WHOLE_CYCLE = "whole cycle"
FULL, UNCHANGED, CHANGED = "full", "nothing changed", "1 % changed"


@dataclass
class Sample:
    at: float
    rss_mb: float
    cpu_s: float
    emulator_cpu_s: float
    api_calls: int


@dataclass
class CycleRun:
    started: float
    ended: float
    cpu_s: float
    peak_rss_mb: float
    api_calls: int
    emulator_cpu_s: float
    load_average_5m: float
    samples: list[Sample] = field(default_factory=list)


def api_used(emulator: EmulatorProcess) -> int:
    limits = emulator.admin.limits()["DailyApiRequests"]
    return limits["Max"] - limits["Remaining"]


def rss_mb_of(pid: int) -> float:
    """Current resident memory of a process (VmRSS), in MiB; 0 once it has exited."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0.0


def sample_until(stop: threading.Event, pid: int, emulator: EmulatorProcess, samples: list[Sample]) -> None:
    while not stop.wait(SAMPLE_SECONDS):
        try:
            cpu = cpu_seconds_of(pid)
        except FileNotFoundError:
            return
        samples.append(
            Sample(time.time(), rss_mb_of(pid), cpu, cpu_seconds_of(emulator.process.pid), api_used(emulator))
        )


def run_cycle_process(
    env_file: Path, environment: dict[str, str], log: Path, emulator: EmulatorProcess
) -> CycleRun:
    """`sfsync sync` in a child process, watched from outside so the measuring costs the worker nothing."""
    api_before, emulator_cpu_before = api_used(emulator), cpu_seconds_of(emulator.process.pid)
    started = time.time()
    with open(log, "ab") as output:
        worker = subprocess.Popen(
            [sys.executable, "-m", "sfsync_assets.cli", "sync", "--env-file", str(env_file)],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=environment,
            cwd=env_file.parent,
        )
    samples = [Sample(started, 0.0, 0.0, emulator_cpu_before, api_before)]
    stop = threading.Event()
    sampler = threading.Thread(target=sample_until, args=(stop, worker.pid, emulator, samples))
    sampler.start()
    # wait4 reports this child's own CPU time and peak RSS, not those of every child so far.
    _, status, usage = os.wait4(worker.pid, 0)
    ended = time.time()
    stop.set()
    sampler.join()
    worker.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait again
    if worker.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise RuntimeError(f"the sync cycle exited with {worker.returncode}; end of {log}:\n{tail}")
    api_after, emulator_cpu_after = api_used(emulator), cpu_seconds_of(emulator.process.pid)
    cpu = round(usage.ru_utime + usage.ru_stime, 2)
    samples.append(Sample(ended, 0.0, cpu, emulator_cpu_after, api_after))
    return CycleRun(
        started=started,
        ended=ended,
        cpu_s=cpu,
        peak_rss_mb=round(usage.ru_maxrss / 1024, 1),
        api_calls=api_after - api_before,
        emulator_cpu_s=round(emulator_cpu_after - emulator_cpu_before, 2),
        # On a shared machine wall time stretches with everyone's load; this says how busy it was.
        load_average_5m=round(os.getloadavg()[1], 1),
        samples=samples,
    )


def step_windows(since: float) -> tuple[list[tuple[str, float, float]], float]:
    """(stage, start, end) of every step of the runs created since `since`, from the runs' own events, and
    when the first of those runs started."""
    import dagster as dg

    instance = dg.DagsterInstance.get()
    records = instance.get_run_records(
        filters=dg.RunsFilter(created_after=datetime.fromtimestamp(since, tz=UTC))
    )
    windows = []
    for run in (record.dagster_run for record in records):
        stage_of_step = {}
        events = instance.all_logs(
            run.run_id,
            of_type={dg.DagsterEventType.ASSET_MATERIALIZATION, dg.DagsterEventType.ASSET_CHECK_EVALUATION},
        )
        for entry in events:
            event = entry.dagster_event
            key = event.asset_key or event.event_specific_data.asset_key
            stage_of_step[event.step_key] = STAGE_OF_PREFIX.get(key.path[0], key.path[0])
        for step in instance.get_run_step_stats(run.run_id):
            if step.start_time is None or step.end_time is None:
                continue
            windows.append(
                (stage_of_step.get(step.step_key, "no asset event"), step.start_time, step.end_time)
            )
    return windows, min(record.start_time for record in records)


def value_at(samples: list[Sample], attribute: str, moment: float) -> float:
    """A counter's value at `moment`, interpolated linearly between the samples around it."""
    before = max((s for s in samples if s.at <= moment), key=lambda s: s.at, default=samples[0])
    after = min((s for s in samples if s.at >= moment), key=lambda s: s.at, default=samples[-1])
    low, high = getattr(before, attribute), getattr(after, attribute)
    if after.at == before.at:
        return high
    return low + (high - low) * (moment - before.at) / (after.at - before.at)


def window_row(kind: str, stage: str, run: CycleRun, windows: list[tuple[float, float]]) -> dict:
    """A stage's figures over its windows: counters' growth, the highest memory sample inside them."""
    growth = {
        attribute: sum(
            value_at(run.samples, attribute, end) - value_at(run.samples, attribute, start)
            for start, end in windows
        )
        for attribute in ("cpu_s", "emulator_cpu_s", "api_calls")
    }
    inside = [s.rss_mb for s in run.samples if any(start <= s.at <= end for start, end in windows)]
    return {
        "name": f"{kind}: {stage}",
        "cycle": kind,
        "stage": stage,
        "steps": len(windows),
        "wall_s": round(sum(end - start for start, end in windows), 2),
        "cpu_s": round(growth["cpu_s"], 2),
        "peak_rss_mb": max(inside, default=None),
        "api_calls": round(growth["api_calls"]),
        "emulator_cpu_s": round(growth["emulator_cpu_s"], 2),
    }


def stage_rows(
    kind: str, run: CycleRun, windows: list[tuple[str, float, float]], first_run_started: float
) -> list[dict]:
    """One row per stage; the worker's start (imports, loading the definitions) until its first run; the rest
    outside any step (Dagster's run and event bookkeeping between steps, exit); and the whole cycle, exactly."""
    stages = [s for s in STAGES if any(w[0] == s for w in windows)]
    stages += sorted({w[0] for w in windows} - set(stages))
    rows = [
        window_row(kind, stage, run, [(start, end) for name, start, end in windows if name == stage])
        for stage in stages
    ]
    startup = window_row(kind, STARTUP, run, [(run.started, first_run_started)])
    del startup["steps"]
    rows.append(startup)
    total = {
        "wall_s": round(run.ended - run.started, 2),
        "cpu_s": run.cpu_s,
        "api_calls": run.api_calls,
        "emulator_cpu_s": run.emulator_cpu_s,
    }
    rows.append(
        {
            "name": f"{kind}: {BETWEEN_STEPS}",
            "cycle": kind,
            "stage": BETWEEN_STEPS,
            **{key: round(value - sum(r[key] for r in rows), 2) for key, value in total.items()},
        }
    )
    rows.append(
        {
            "name": f"{kind}: {WHOLE_CYCLE}",
            "cycle": kind,
            "stage": WHOLE_CYCLE,
            "steps": len(windows),
            **total,
            "peak_rss_mb": run.peak_rss_mb,
            "load_average_5m": run.load_average_5m,
        }
    )
    return rows


def measured_cycle(
    kind: str, env_file: Path, environment: dict[str, str], emulator: EmulatorProcess
) -> list[dict]:
    # The Salesforce ingest reads only what has settled; let this minute's changes settle first.
    time.sleep(SALESFORCE_INGEST.window.settle_seconds + 0.5)
    run = run_cycle_process(env_file, environment, env_file.parent / "cycles.log", emulator)
    rows = stage_rows(kind, run, *step_windows(run.started))
    whole = rows[-1]
    print(
        f"  {kind}: {whole['wall_s']} s, {whole['api_calls']} API calls, peak RSS {whole['peak_rss_mb']} MiB",
        file=sys.stderr,
        flush=True,
    )
    return rows


def source_records(company: Path) -> int:
    return json.loads((company / "truth" / "manifest.json").read_text(encoding="utf-8"))["total_records"]


def scale_label(scale: int) -> str:
    return f"{scale // 1_000_000}m" if scale % 1_000_000 == 0 else f"{scale // 1_000}k"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=int, default=100_000, help="source records of the demo company")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK_SCALE:,} records, no unchanged cycle: a smoke run for the tests",
    )
    args = parser.parse_args()
    scale = QUICK_SCALE if args.quick else args.scale
    benchmark_started = time.perf_counter()
    log = lambda line: print(f"  {line}", file=sys.stderr, flush=True)  # noqa: E731
    with tempfile.TemporaryDirectory() as directory:
        work = Path(directory)
        with EmulatorProcess(work / "emulator") as emulator:
            # Far above what any cycle spends: the benchmark measures calls, it does not ration them.
            emulator.admin.set_limit("DailyApiRequests", maximum=10_000_000)
            company = work / "demo"
            generating = time.perf_counter()
            ensure_company(company, emulator.state_dir, scale, args.seed, log)
            generated_s = round(time.perf_counter() - generating, 1)
            records = source_records(company)
            erp_url = f"sqlite:///{(company / 'erp.sqlite').resolve()}"
            environment = emulator_environment(emulator.state_dir, work, erp_url, company / "inbound")
            env_file = work / "sfsync.env"
            write_env_file(environment, env_file)
            prepare_dagster_home(environment)
            os.environ["DAGSTER_HOME"] = environment["DAGSTER_HOME"]
            # The worker reads its settings from the env file alone, not from this shell's SFSYNC_*.
            child_environment = {k: v for k, v in os.environ.items() if not k.startswith("SFSYNC_")}

            rows = measured_cycle(FULL, env_file, child_environment, emulator)
            if not args.quick:  # the smoke run keeps to the two cycles it compares
                rows += measured_cycle(UNCHANGED, env_file, child_environment, emulator)
            target = people_target(emulator.state_dir)
            day = mutate_company(company, CHANGED_PERCENT, seed=args.seed + 1, erp_url=erp_url, target=target)
            rows += measured_cycle(CHANGED, env_file, child_environment, emulator)
            emulator_peak = peak_rss_mb_of(emulator.process.pid)

    whole = {row["cycle"]: row for row in rows if row["stage"] == WHOLE_CYCLE}
    measures = (
        ("wall_s", "wall s", "s"),
        ("cpu_s", "worker CPU s", "s"),
        ("api_calls", "API calls", "calls"),
    )
    comparisons = [
        comparison(
            f"{records:,} records, {kind} cycle, {what}",
            whole[kind][key],
            whole[FULL][key],
            unit,
            baseline_name="full cycle, same company",
        )
        for kind in (CHANGED, UNCHANGED)
        if kind in whole
        for key, what, unit in measures
    ]
    notes = {
        "quick": args.quick,
        "scale": scale,
        "source_records": records,
        "seed": args.seed,
        "generated_s": generated_s,
        "benchmark_wall_s": round(time.perf_counter() - benchmark_started, 1),
        "changed_percent": CHANGED_PERCENT,
        "day_of_business": day,
        "emulator_peak_rss_mb": emulator_peak,
        "sample_seconds": SAMPLE_SECONDS,
        "baseline": (
            "the full cycle of the same company, measured in the same run; the unchanged cycle shows the fixed "
            "cost of a cycle, the 1 % changed one what a daily cycle costs"
        ),
        "method": (
            "stages are the runs' Dagster steps grouped by asset key prefix; per-stage CPU, API calls and "
            f"emulator CPU are interpolated from samples every {SAMPLE_SECONDS} s, per-stage peak RSS is the "
            "highest sample inside the stage; whole-cycle figures are exact (wait4, counters before and after)"
        ),
    }
    path = write_results(f"cycle_{scale_label(scale)}", rows, notes, comparisons)
    print(
        markdown_table(
            rows,
            [
                "name",
                "steps",
                "wall_s",
                "cpu_s",
                "peak_rss_mb",
                "api_calls",
                "emulator_cpu_s",
                "load_average_5m",
            ],
        )
    )
    print()
    print(markdown_table(comparisons, ["what", "ours", "baseline", "unit", "times_better"]))
    print(f"\nresults in {path}")


if __name__ == "__main__":
    main()
