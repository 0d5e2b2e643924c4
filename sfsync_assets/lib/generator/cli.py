"""`generate`: write a messy enterprise (Salesforce org, ERP database, legacy drop folder) with its ground
truth,
or apply a day of business to one (`--mutate PCT`). Mounted by the product CLI as `sfsync generate`.
"""

from __future__ import annotations

from pathlib import Path

import click

from .clock import DEFAULT_AS_OF
from .errors import GeneratorError
from .rates import load_rates


@click.command("generate")
@click.option("--scale", type=click.IntRange(min=100), help="Total source records to generate (about).")
@click.option(
    "--mutate",
    "mutate_pct",
    type=click.FloatRange(min=0, max=100, min_open=True),
    default=None,
    metavar="PCT",
    help="Instead of generating: change about PCT % of the company in --out (one day).",
)
@click.option("--seed", type=int, default=42, show_default=True, help="Same seed, same bytes.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Directory of the company: salesforce/, inbound/, truth/, erp.sqlite.",
)
@click.option(
    "--salesforce",
    "salesforce_url",
    metavar="URL",
    default=None,
    help="Emulator base URL to load the org into (default: the emulator serving --emulator-state-dir).",
)
@click.option("--no-salesforce", is_flag=True, help="Only write salesforce/*.jsonl; touch no emulator.")
@click.option(
    "--emulator-state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data/emulator"),
    show_default=True,
    help="State directory of the emulator: its admin key, credentials and CA file are read from here.",
)
@click.option(
    "--erp-url",
    metavar="SQLALCHEMY_URL",
    default=None,
    help="ERP database (default: SQLite file DIR/erp.sqlite). Tables are dropped and recreated.",
)
@click.option("--erp-schema", default=None, help="Database schema for the ERP tables (e.g. on PostgreSQL).")
@click.option(
    "--rates",
    "rates_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="YAML mapping of rate name to probability, overriding the defaults.",
)
@click.option(
    "--bad-row-rate",
    type=click.FloatRange(min=0, max=1),
    default=None,
    metavar="SHARE",
    help="Most share of an object's records with a data-losing planted problem (default 0.002; the quality "
    "layer alerts above 0.01). Overrides those kinds in --rates.",
)
@click.option(
    "--as-of",
    default=DEFAULT_AS_OF,
    show_default=True,
    help="The company's 'now': every timestamp derives from it, never from the wall clock.",
)
@click.option("--overwrite", is_flag=True, help="Replace a company already in --out.")
def generate(
    scale: int | None,
    mutate_pct: float | None,
    seed: int,
    out_dir: Path,
    salesforce_url: str | None,
    no_salesforce: bool,
    emulator_state_dir: Path,
    erp_url: str | None,
    erp_schema: str | None,
    rates_file: Path | None,
    bad_row_rate: float | None,
    as_of: str,
    overwrite: bool,
) -> None:
    """Generate a company at --scale, or --mutate one, printing a line per stage."""
    if (scale is None) == (mutate_pct is None):
        raise click.UsageError("give exactly one of --scale N (generate) or --mutate PCT (a day of business)")
    if no_salesforce and salesforce_url:
        raise click.UsageError("--salesforce and --no-salesforce exclude each other")
    try:
        if mutate_pct is not None:
            _mutate(
                out_dir,
                mutate_pct,
                seed,
                None if no_salesforce else (salesforce_url, emulator_state_dir),
                erp_url,
                erp_schema,
            )
        else:
            _generate(
                out_dir,
                scale,
                seed,
                None if no_salesforce else (salesforce_url, emulator_state_dir),
                erp_url,
                erp_schema,
                rates_file,
                bad_row_rate,
                as_of,
                overwrite,
            )
    except GeneratorError as error:
        raise click.ClickException(str(error)) from error


def _generate(
    out_dir: Path,
    scale: int,
    seed: int,
    emulator: tuple[str | None, Path] | None,
    erp_url: str | None,
    erp_schema: str | None,
    rates_file: Path | None,
    bad_row_rate: float | None,
    as_of: str,
    overwrite: bool,
) -> None:
    from .pipeline import GenerateConfig, generate_company, org_schema

    rates = load_rates(rates_file)
    config = GenerateConfig(
        out_dir=out_dir,
        scale=scale,
        seed=seed,
        rates=rates if bad_row_rate is None else rates.with_bad_row_rate(bad_row_rate),
        erp_url=erp_url,
        erp_schema=erp_schema,
        as_of=as_of,
        overwrite=overwrite,
    )
    admin = None
    if emulator is not None:  # find the emulator before spending minutes generating
        from .seed_loader import admin_for, seed_org

        admin = admin_for(*emulator)
    generate_company(config, click.echo)
    if admin is not None:
        seed_org(out_dir, admin, org_schema(), click.echo)


def _mutate(
    out_dir: Path,
    pct: float,
    seed: int,
    emulator: tuple[str | None, Path] | None,
    erp_url: str | None,
    erp_schema: str | None,
) -> None:
    from .mutate import mutate_company

    target = None
    if emulator is not None:
        from .salesforce_session import people_target

        url, state_dir = emulator
        target = people_target(state_dir, url)
    mutate_company(
        out_dir, pct, seed, erp_url=erp_url, erp_schema=erp_schema, target=target, progress=click.echo
    )
