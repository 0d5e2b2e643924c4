"""Identity resolution of person records: sfsync's full and incremental runs against plain Splink, same data.

For each size a generated company is staged (`identity_staging.py`: straight from its files), then each step runs
in its own process (so peak RSS is its own; a run shorter than 30 s is made five times and the median reported):
- sfsync full: deterministic rules + the shipped model over every record, clustering with stable ids;
- sfsync incremental: the same warehouse after a day of business (`--mutate 2`): only new and changed records;
- sfsync train: retraining the person model on the same records (done by hand, not per run);
- plain Splink: library comparisons on the canonical columns, simple blocking on names / email / phone, trained
  on the same records (no saved model exists for it), Splink's own clustering.
F1 is measured against the generator's truth. Results: bench/results/identity.json and a Markdown table.

    python bench/bench_identity.py [--persons 100000 1000000] [--baseline-limit-s 180] [--keep DIR] [--quick]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import duckdb
import pandas as pd
from common import comparison, cpu_seconds_of, markdown_table, peak_rss_mb_of, rss_mb_of, write_results
from identity_staging import stage_company

from sfsync_assets.lib.generator.mutate import mutate_company
from sfsync_assets.lib.generator.pipeline import GenerateConfig, generate_company
from sfsync_assets.lib.matching.clustering import update_clusters
from sfsync_assets.lib.matching.features import compute_features
from sfsync_assets.lib.matching.links import update_links
from sfsync_assets.lib.matching.quality import cluster_level, pairwise
from sfsync_assets.lib.matching.settings import NICKNAMES_FILE, load_matching_settings
from sfsync_assets.lib.matching.training import train_model
from sfsync_assets_tests.lib.matching.generated_company import truth_entities

PERSONS_PER_SCALE_UNIT = 0.252  # persons in a generated company per unit of its scale (source records)
SEED = 5
# Retraining is done by hand, not per run: its cost is shown at the sizes up to this one.
TRAIN_MAX_PERSONS = 200_000
SHORT_RUN_S, REPEATS = 30, 5
COLUMNS = [
    "step",
    "persons",
    "wall_s",
    "cpu_s",
    "peak_rss_mb",
    "pairwise_f1",
    "cluster_f1",
    "precision",
    "recall",
]


def _scores(clusters: pd.Series, company: Path) -> dict[str, float]:
    truth = truth_entities(company)
    expected = pd.Series({key: truth[("person", key)] for key in clusters.index})
    pairs, entities = pairwise(clusters, expected), cluster_level(clusters, expected)
    return {
        "pairwise_f1": pairs.f1,
        "cluster_f1": entities.f1,
        "precision": pairs.precision,
        "recall": pairs.recall,
    }


def _xref(connection: duckdb.DuckDBPyConnection) -> pd.Series:
    frame = connection.sql(
        "SELECT source_key, golden_id FROM identity.xref WHERE entity_type = 'person' AND is_active"
    ).df()
    return frame.set_index("source_key")["golden_id"]


def _sfsync_run(database: Path, run_id: str) -> dict[str, Any]:
    settings = load_matching_settings()
    with duckdb.connect(str(database)) as connection:
        links = update_links(connection, "person", settings, run_id)
        update_clusters(connection, "person", settings, run_id)
    return {"mode": links.mode, "scored_records": links.new_records + links.changed_records}


def _sfsync_train(database: Path) -> dict[str, Any]:
    settings = load_matching_settings()
    with duckdb.connect(str(database)) as connection:
        features = compute_features(connection, "person", settings, NICKNAMES_FILE)
        records = connection.sql(f"SELECT * FROM {features.relation}").to_arrow_table()
    train_model(records, "person", settings.training)
    return {}


def _plain_splink(database: Path) -> pd.Series:
    """Splink as its tutorials use it: library comparisons, blocking on exact names / email / phone."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    with duckdb.connect(str(database), read_only=True) as connection:
        records = connection.sql(
            """
            SELECT source_key AS unique_id, lower(FirstName) AS first_name, lower(LastName) AS last_name,
                   lower(Email) AS email, Phone AS phone, MailingPostalCode AS postcode, MailingCity AS city
            FROM staged.person
            """
        ).to_arrow_table()
    db_api = DuckDBAPI()
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("last_name"),
            cl.EmailComparison("email"),
            cl.ExactMatch("phone"),
            cl.ExactMatch("postcode"),
            cl.ExactMatch("city"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "last_name"),
            block_on("email"),
            block_on("phone"),
        ],
    )
    linker = Linker(db_api.register(records), settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match([block_on("email")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=SEED)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("first_name", "last_name"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("email"))
    predictions = linker.inference.predict(threshold_match_probability=0.9)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, 0.9)
    frame = clusters.as_pandas_dataframe()
    return frame.set_index("unique_id")["cluster_id"]


def child(step: str, database: Path, company: Path) -> None:
    """Run one step in this process and print its measurements as JSON."""
    wall, cpu = time.perf_counter(), time.process_time()
    if step == "plain Splink":
        clusters = _plain_splink(database)
        extra: dict[str, Any] = {}
    elif step == "sfsync train":
        extra = _sfsync_train(database)
        clusters = None
    else:
        extra = _sfsync_run(database, step)
        clusters = None
    result = {
        "wall_s": round(time.perf_counter() - wall, 2),
        "cpu_s": round(time.process_time() - cpu, 2),
        # VmHWM, not ru_maxrss: Linux carries the parent's peak across fork and exec into ru_maxrss.
        "peak_rss_mb": peak_rss_mb_of(os.getpid()),
        **extra,
    }
    if step.startswith("sfsync") and step != "sfsync train":
        with duckdb.connect(str(database), read_only=True) as connection:
            clusters = _xref(connection)
    if clusters is not None:
        result.update(_scores(clusters, company))
    print(json.dumps(result))


def _in_child(step: str, database: Path, company: Path, limits: Limits | None = None) -> dict[str, Any]:
    """Run `step` in its own process; with `limits`, stop it once it passes either and report where it stood."""
    command = [sys.executable, __file__, "--child", step, str(database), str(company)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        stopped = _watch(process, limits) if limits else None
        output = process.communicate()[0]
    if stopped:
        return stopped
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command)
    return {**json.loads(output.strip().splitlines()[-1]), "finished": True}


@dataclass(frozen=True)
class Limits:
    """Where an unbounded baseline is stopped: plain Splink at a million persons outgrew 17 GB before finishing."""

    wall_s: float
    rss_mb: float


def _watch(process: subprocess.Popen, limits: Limits) -> dict[str, Any] | None:
    """Poll the child's memory; kill it past a limit and return its figures so far (lower bounds of the real ones)."""
    started = time.perf_counter()
    while process.poll() is None:
        elapsed = time.perf_counter() - started
        try:
            rss, cpu = rss_mb_of(process.pid), cpu_seconds_of(process.pid)
        except (FileNotFoundError, ProcessLookupError):  # exited between poll and read
            break
        if rss > limits.rss_mb or elapsed > limits.wall_s:
            peak = peak_rss_mb_of(process.pid)
            process.kill()
            reason = f"{rss:,.0f} MiB resident" if rss > limits.rss_mb else f"{elapsed:,.0f} s"
            return {
                "wall_s": round(elapsed, 2),
                "cpu_s": cpu,
                "peak_rss_mb": peak,
                "finished": False,
                "stopped": f"stopped unfinished at {reason}",
            }
        time.sleep(0.5)
    return None


def _stage(company: Path, database: Path) -> None:
    with duckdb.connect(str(database)) as connection:
        stage_company(company, connection)


def _restage(database: Path, staged: Path) -> None:
    """Replace the staged tables of `database` with those of `staged` (the company after a day of business)."""
    with duckdb.connect(str(database)) as connection:
        connection.execute(f"ATTACH '{staged}' AS mutated (READ_ONLY)")
        for table in ("person", "organization"):
            connection.execute(
                f"CREATE OR REPLACE TABLE staged.{table} AS SELECT * FROM mutated.staged.{table}"
            )
        connection.execute("DETACH mutated")


def _prepare(persons: int, work: Path) -> None:
    """Generate and stage the company (its parties only: orders and invoices play no part in matching), then the
    same company after a day of business; kept when `work` already holds both. The company is staged while its
    copy goes through the day of business, then the copy is staged."""
    mutated_staged = work / "after.duckdb"
    if mutated_staged.exists():
        return
    company, mutated = work / "company", work / "mutated"
    shutil.rmtree(company, ignore_errors=True)
    shutil.rmtree(mutated, ignore_errors=True)
    scale = round(persons / PERSONS_PER_SCALE_UNIT)
    generate_company(GenerateConfig(out_dir=company, scale=scale, seed=SEED, parties_only=True))
    shutil.copytree(company, mutated)
    with ProcessPoolExecutor(max_workers=2) as pool:
        staging_before = pool.submit(_stage, company, work / "before.duckdb")
        mutate_company(mutated, 2.0, seed=1)
        staging_after = pool.submit(_stage, mutated, work / "after.tmp.duckdb")
        staging_before.result()
        staging_after.result()
    (work / "after.tmp.duckdb").rename(mutated_staged)


def _median_of_short(run: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The run's figures; a run shorter than SHORT_RUN_S is made REPEATS times and the one with the median wall
    time is reported (a second's run varies by a fifth from one try to the next on a shared machine)."""
    first = run()
    if first["wall_s"] >= SHORT_RUN_S:
        return first
    tries = sorted([first, *(run() for _ in range(REPEATS - 1))], key=lambda result: result["wall_s"])
    return {**tries[len(tries) // 2], "tries": REPEATS}


def bench_size(persons: int, work: Path, baseline_limits: Limits) -> list[dict[str, Any]]:
    _prepare(persons, work)
    company, mutated = work / "company", work / "mutated"
    staged, mutated_staged = work / "before.duckdb", work / "after.duckdb"
    with duckdb.connect(str(staged), read_only=True) as connection:
        staged_persons = connection.execute("SELECT count(*) FROM staged.person").fetchall()[0][0]

    rows = []
    warehouse, before_incremental = work / "warehouse.duckdb", work / "before-incremental.duckdb"

    def full() -> dict[str, Any]:
        shutil.copy(staged, warehouse)
        return _in_child("sfsync full", warehouse, company)

    def incremental() -> dict[str, Any]:
        shutil.copy(before_incremental, warehouse)
        return _in_child("sfsync incremental", warehouse, mutated)

    rows.append({"step": "sfsync full", **_median_of_short(full)})
    _restage(warehouse, mutated_staged)
    shutil.copy(warehouse, before_incremental)
    rows.append({"step": "sfsync incremental", **_median_of_short(incremental)})
    if persons <= TRAIN_MAX_PERSONS:
        rows.append({"step": "sfsync train", **_in_child("sfsync train", staged, company)})
    rows.append({"step": "plain Splink", **_in_child("plain Splink", staged, company, baseline_limits)})
    for row in rows:
        row["persons"] = staged_persons
    return rows


MEASURES = {"wall_s": ("wall s", "s"), "cpu_s": ("CPU s", "s"), "peak_rss_mb": ("peak RSS", "MiB")}


def comparisons_of(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per size: the full run against plain Splink (wall and CPU time, peak memory, F1) and the incremental run
    against the full one. CPU seconds are reported beside wall seconds: on a shared machine they vary less."""
    comparisons = []
    for persons in sorted({row["persons"] for row in rows}):
        by_step = {row["step"]: row for row in rows if row["persons"] == persons}
        full, incremental = by_step["sfsync full"], by_step["sfsync incremental"]
        baseline = by_step["plain Splink"]
        unfinished = not baseline["finished"]
        for measure, (label, unit) in MEASURES.items():
            comparisons.append(
                comparison(
                    f"{persons:,} persons, full run, {label}",
                    full[measure],
                    baseline[measure],
                    unit,
                    baseline_name="plain Splink (trained in the run"
                    + (f"; {baseline['stopped']})" if unfinished else ")"),
                    baseline_unfinished=unfinished,
                )
            )
        if not unfinished:
            comparisons.append(
                comparison(
                    f"{persons:,} persons, pairwise F1",
                    full["pairwise_f1"],
                    baseline["pairwise_f1"],
                    "",
                    higher_is_better=True,
                    baseline_name="plain Splink",
                )
            )
        changed = incremental["scored_records"] / persons
        for measure in ("wall_s", "cpu_s"):
            comparisons.append(
                comparison(
                    f"{persons:,} persons, {changed:.1%} new or changed, {MEASURES[measure][0]}",
                    incremental[measure],
                    full[measure],
                    "s",
                    baseline_name="sfsync full run",
                )
            )
    return comparisons


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument(
        "--baseline-limit-s",
        type=float,
        default=180,
        help="stop plain Splink after this many seconds and report its figures as lower bounds",
    )
    parser.add_argument(
        "--baseline-limit-mb",
        type=float,
        default=12_288,
        help="stop plain Splink once it holds this much memory (at a million persons it outgrew 17 GB on a "
        "24 GB machine before it finished)",
    )
    parser.add_argument("--quick", action="store_true", help="10,000 persons: a smoke run")
    parser.add_argument(
        "--keep",
        type=Path,
        help="prepare each size's companies under KEEP/<persons> and reuse them in later runs (at a million "
        "persons, generating and staging take longer than the benchmark)",
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        step, database, company = arguments.child
        child(step, Path(database), Path(company))
        return
    rows = []
    for persons in [10_000] if arguments.quick else arguments.persons:
        limits = Limits(arguments.baseline_limit_s, arguments.baseline_limit_mb)
        if arguments.keep:
            (arguments.keep / str(persons)).mkdir(parents=True, exist_ok=True)
            rows += bench_size(persons, arguments.keep / str(persons), limits)
            continue
        with tempfile.TemporaryDirectory(prefix=f"bench-identity-{persons}-") as work:
            rows += bench_size(persons, Path(work), limits)
    comparisons = comparisons_of(rows)
    path = write_results("identity", rows, {"quick": arguments.quick, "seed": SEED}, comparisons)
    print(markdown_table(rows, COLUMNS))
    print(f"\nwritten to {path}")


if __name__ == "__main__":
    main()
