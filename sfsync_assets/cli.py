"""`sfsync`: the one command line of the product."""

from __future__ import annotations

from pathlib import Path

import click

from .lib.copybook.cli import legacy
from .lib.emulator.org import DEFAULT_SCHEMA_FILE
from .lib.generator.cli import generate
from .lib.masking.cli import mask

STATE_DIR_OPTION = click.option(
    "--state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data/emulator"),
    show_default=True,
    help="Directory holding the org's database, TLS files, credentials and server.json.",
)

ENV_FILE_OPTION = click.option(
    "--env-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path(".env"),
    show_default=True,
    help="Settings and secrets (SFSYNC_*) to run with; see the README.",
)


@click.group()
def main() -> None:
    """sfsync keeps Salesforce consistent with your ERP database and legacy exports."""


@main.group()
def emulator() -> None:
    """A local Salesforce org: REST, SOQL, limits and validation, served over HTTPS to unmodified clients."""


@emulator.command()
@click.option("--port", type=int, default=8443, show_default=True, help="TCP port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback by default).")
@STATE_DIR_OPTION
@click.option(
    "--schema",
    "schema_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=DEFAULT_SCHEMA_FILE,
    show_default=True,
    help="Org schema file: custom fields, custom objects and duplicate rules added to the standard objects.",
)
@click.option(
    "--daily-api-limit",
    type=int,
    default=None,
    help="Maximum of DailyApiRequests (default 100,000, or what the org last had); requests beyond it "
    "are refused with 403 REQUEST_LIMIT_EXCEEDED.",
)
@click.option(
    "--faults",
    "fault_spec",
    default="",
    metavar="SPEC",
    help="Faults to inject, e.g. 'http_503=0.05,latency_ms=200,drop=0.01,api_limit_at=5000,"
    "lock_rows=0.02,fail_job_after=6500,seed=7' (see the README); changeable at runtime through "
    "PUT /__admin__/faults.",
)
@click.option(
    "--seed-if-empty",
    "seed_scale",
    type=int,
    default=None,
    metavar="SCALE",
    help="Once serving, if the org has no Accounts, generate a company of about SCALE source records "
    "into STATE_DIR/company and load it (the same generator as `sfsync generate`).",
)
def serve(
    port: int,
    host: str,
    state_dir: Path,
    schema_file: Path,
    daily_api_limit: int | None,
    fault_spec: str,
    seed_scale: int | None,
) -> None:
    """Serve the org in STATE_DIR (created on first start) until interrupted.

    Prints the CA certificate clients must trust and how to point simple-salesforce at it. A restart keeps
    records, limits usage and sessions.
    """
    from .lib.emulator.faults import FaultPlan, FaultSpecError
    from .lib.emulator.server import serve as run_server

    try:
        plan = FaultPlan.parse(fault_spec)
    except FaultSpecError as error:
        raise click.BadParameter(str(error), param_hint="--faults") from error
    if seed_scale:
        import threading

        from .lib.runtime.seeding import seed_when_serving

        threading.Thread(target=seed_when_serving, args=(state_dir, seed_scale), daemon=True).start()
    run_server(state_dir, port, host, schema_file, daily_api_limit, plan)


@emulator.command()
@STATE_DIR_OPTION
def reset(state_dir: Path) -> None:
    """Delete every record of the running org (keeping its integration user) and zero its API usage."""
    from .lib.emulator.admin_client import EmulatorAdmin

    removed = EmulatorAdmin.from_state_dir(state_dir).reset()
    click.echo(f"removed {removed} records")


@emulator.command()
@STATE_DIR_OPTION
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="File to write the SQLite copy of the org to.",
)
def snapshot(state_dir: Path, out: Path) -> None:
    """Copy the org's database to OUT, consistently, even while the emulator is serving."""
    from .lib.emulator.snapshot import snapshot as take_snapshot

    size = take_snapshot(state_dir, out)
    click.echo(f"wrote {out} ({size:,} bytes)")


@main.command()
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data"),
    show_default=True,
    help="Where the emulator's org, the demo company, the warehouse and Dagster's history live.",
)
@click.option("--port", type=int, default=8443, show_default=True, help="The emulator's HTTPS port.")
@click.option(
    "--scale",
    type=int,
    default=10_000,
    show_default=True,
    help="About how many source records the demo company has (all systems together).",
)
@click.option("--seed", type=int, default=42, show_default=True, help="The demo company's seed.")
@click.option(
    "--ui/--no-ui",
    default=True,
    show_default=True,
    help="Serve the Dagster UI after the first cycle (Ctrl-C stops everything).",
)
@click.option("--ui-port", type=int, default=3000, show_default=True, help="The Dagster UI's port.")
def demo(data_dir: Path, port: int, scale: int, seed: int, ui: bool, ui_port: int) -> None:
    """Start the emulator, load the demo company, run a full sync cycle, then serve the UI.

    The first run generates the company into the org; later runs reuse it (delete DATA_DIR to start over).
    """
    from .demo import DemoSettings, run_demo

    try:
        run_demo(DemoSettings(data_dir, port, scale, seed, ui, ui_port), click.echo)
    except KeyboardInterrupt:
        click.echo("demo stopped")


@main.command()
@ENV_FILE_OPTION
def sync(env_file: Path) -> None:
    """Run one headless sync cycle (every asset, in dependency order) and print what landed where."""
    import os

    from .cycle import run_cycle
    from .lib.runtime.environment import prepare_dagster_home, process_environment, read_env_file
    from .lib.runtime.summary import summary

    os.environ.update(process_environment(read_env_file(env_file)))
    prepare_dagster_home(os.environ)
    run_cycle(click.echo)
    for table, rows in summary(Path(os.environ["SFSYNC_DUCKDB_PATH"])):
        click.echo(f"{table:50} {rows:>12,}")


@main.command()
@click.option("--email", help="An email address of the person.")
@click.option("--golden-id", help="The person's golden id.")
@ENV_FILE_OPTION
@click.option(
    "--queue-only",
    is_flag=True,
    help="Only file the request; the next sync cycle (or `privacy_forget` job) carries it out.",
)
def forget(email: str | None, golden_id: str | None, env_file: Path, queue_only: bool) -> None:
    """Erase a person from Salesforce, the ERP and the warehouse, and print the proof of what was erased.

    Name the person by exactly one of --email or --golden-id. The proof (table privacy.proof) and the tombstone
    that keeps the person from coming back hold only hashes of their identifiers.
    """
    import os

    import duckdb

    from .lib.privacy.hashing import IdentifierHasher, PrivacyKeyError
    from .lib.privacy.register import EMAIL, GOLDEN_ID, ForgetRequestError, file_request
    from .lib.runtime.environment import prepare_dagster_home, process_environment, read_env_file

    if (email is None) == (golden_id is None):
        raise click.UsageError("name the person by exactly one of --email or --golden-id")
    os.environ.update(process_environment(read_env_file(env_file)))
    warehouse = os.environ["SFSYNC_DUCKDB_PATH"]
    try:
        hasher = IdentifierHasher.from_environment()
    except PrivacyKeyError as error:
        raise click.ClickException(str(error)) from error
    try:
        with duckdb.connect(warehouse) as connection:
            request_id = file_request(
                connection, EMAIL if email else GOLDEN_ID, email or golden_id or "", hasher
            )
    except ForgetRequestError as error:
        raise click.BadParameter(str(error)) from error
    except duckdb.IOException as error:
        raise click.ClickException(
            f"{warehouse} is in use by a running job; try again when it ends ({error})"
        ) from error
    click.echo(f"filed {request_id}")
    if queue_only:
        return
    import dagster as dg

    from .definitions import defs
    from .lib.privacy.register import proof_of

    prepare_dagster_home(os.environ)
    result = (
        defs()
        .resolve_job_def("privacy_forget")
        .execute_in_process(instance=dg.DagsterInstance.get(), raise_on_error=False)
    )
    if not result.success:
        raise click.ClickException(
            f"the privacy_forget run {result.run_id} failed; see its run page in the UI"
        )
    with duckdb.connect(warehouse, read_only=True) as connection:
        entries = proof_of(connection, request_id)
    if not entries:
        raise click.ClickException(f"{request_id} is still pending; see the run {result.run_id}")
    for entry in entries:
        click.echo(f"  {entry.system:12} {entry.location:40} {entry.action:14} {entry.rows:>8,}")


@main.command(context_settings={"ignore_unknown_options": True})
@click.argument("name", default="all")
@click.option(
    "--quick", is_flag=True, help="Small sizes (about 10,000 records): the smoke run `make test` does."
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def bench(name: str, quick: bool, args: tuple[str, ...]) -> None:
    """Run benchmark NAME (bench/bench_NAME.py), `all` of them, or `report` to rewrite the README table.

    Results go to bench/results/NAME.json; each compares our figure with a baseline measured in the same run.
    Extra ARGS are passed to the script, e.g. `sfsync bench emulator --accounts 100000`.
    """
    import os
    import subprocess
    import sys

    bench_dir = Path(__file__).resolve().parents[1] / "bench"
    if name == "report":
        subprocess.run([sys.executable, str(bench_dir / "report.py")], check=True)
        return
    scripts = sorted(bench_dir.glob("bench_*.py")) if name == "all" else [bench_dir / f"bench_{name}.py"]
    if not all(script.exists() for script in scripts):
        available = ", ".join(s.stem.removeprefix("bench_") for s in sorted(bench_dir.glob("bench_*.py")))
        raise click.BadParameter(
            f"no benchmark {name!r}; available: {available}, all, report", param_hint="NAME"
        )
    environment = dict(os.environ)
    if quick:
        environment["SFSYNC_BENCH_RESULTS"] = str(bench_dir / "results" / "quick")
    for script in scripts:
        click.echo(f"== {script.stem.removeprefix('bench_')} ==")
        subprocess.run(
            [sys.executable, str(script), *(["--quick"] if quick else []), *args], check=True, env=environment
        )


main.add_command(legacy)
main.add_command(generate)
main.add_command(mask)

if __name__ == "__main__":
    main()
