"""A short coverage-guided fuzz pass over the input parsers, outside the test suite:

    python -m sfsync_assets_tests.fuzz.run --seconds 60 [--target csv --target soql ...] [--work-dir data/fuzz]

Uses atheris (libFuzzer for Python; `pip install atheris`, a dev-only tool). The time is shared among the
targets of `targets.py`; each runs in its own process (libFuzzer runs once per process) with its corpus kept in
WORK_DIR/corpus/<target>, so the next run starts from what this one learned. A crashing input is written to
WORK_DIR/crashes/<target>/ and the command exits 1; replay one with `--target NAME --replay FILE`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click

_TARGET_NAMES = ("csv", "copybook", "framing", "soql", "mapping")


def _fuzz_one(name: str, seconds: int, work_dir: Path) -> None:
    """In this process: instrument the product's modules, then let libFuzzer drive one target."""
    import atheris

    with atheris.instrument_imports(include=["sfsync_assets"]):
        from .targets import TARGETS
    corpus = work_dir / "corpus" / name
    crashes = work_dir / "crashes" / name
    corpus.mkdir(parents=True, exist_ok=True)
    crashes.mkdir(parents=True, exist_ok=True)
    arguments = [
        sys.argv[0],
        str(corpus),
        f"-max_total_time={seconds}",
        f"-artifact_prefix={crashes}/",
        "-rss_limit_mb=2048",
        "-timeout=10",
        "-max_len=4096",
        "-print_final_stats=1",
    ]
    atheris.Setup(arguments, TARGETS[name])
    atheris.Fuzz()


@click.command()
@click.option(
    "--seconds", type=int, default=60, show_default=True, help="Total time, shared among the targets."
)
@click.option(
    "--target",
    "targets",
    multiple=True,
    type=click.Choice(_TARGET_NAMES),
    help="Fuzz only these targets (repeatable; default: all).",
)
@click.option(
    "--work-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data/fuzz"),
    show_default=True,
    help="Where corpora and crashing inputs are kept.",
)
@click.option(
    "--replay",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Run one saved input through the (first) --target, e.g. a file from WORK_DIR/crashes/.",
)
@click.option("--in-process", is_flag=True, hidden=True)
def main(
    seconds: int, targets: tuple[str, ...], work_dir: Path, replay: Path | None, in_process: bool
) -> None:
    """Coverage-guided fuzzing (atheris) of the CSV reader, copybook parser and decoder, record framing, the
    emulator's SOQL engine and the mapping engine; exits 1 when an input breaks a parser's contract."""
    names = targets or _TARGET_NAMES
    if replay is not None:
        from .targets import TARGETS

        TARGETS[names[0]](replay.read_bytes())
        click.echo(f"{names[0]}: {replay} ran without a defect")
        return
    if in_process:
        _fuzz_one(names[0], seconds, work_dir)
        return
    share = max(seconds // len(names), 1)
    failed = []
    for name in names:
        click.echo(f"== {name}: {share} s")
        command = [
            sys.executable,
            "-m",
            __spec__.name,
            "--in-process",
            "--target",
            name,
            "--seconds",
            str(share),
        ]
        result = subprocess.run([*command, "--work-dir", str(work_dir)], check=False)
        if result.returncode != 0:
            failed.append(name)
    if failed:
        click.echo(f"defects found in {', '.join(failed)}: inputs in {work_dir}/crashes/")
        raise SystemExit(1)
    click.echo(f"no defect found in {', '.join(names)} ({seconds} s)")


if __name__ == "__main__":
    main()
