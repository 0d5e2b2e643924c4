"""`sfsync mask`: a masked copy of a production extract, for development, tests and demos."""

from __future__ import annotations

from pathlib import Path

import click

from .directory import mask_extract
from .errors import MaskingError
from .key import DEFAULT_KEY_VARIABLE, MIN_KEY_LENGTH, MaskKey
from .values import Masker


@click.command("mask")
@click.option(
    "--in",
    "source",
    required=True,
    type=click.Path(exists=True, path_type=Path),
    help="The extract to mask: a directory like `sfsync generate` writes (salesforce/*.jsonl, an ERP SQLite "
    "file, inbound/ files with their .profile.yaml, truth/), or a DuckDB warehouse file.",
)
@click.option(
    "--out",
    "target",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="New (or empty) directory for the masked copy; every file keeps its relative path and format.",
)
@click.option(
    "--key-env",
    default=DEFAULT_KEY_VARIABLE,
    show_default=True,
    metavar="NAME",
    help=f"Environment variable holding the secret masking key (at least {MIN_KEY_LENGTH} characters). The "
    "same key gives the same fakes, so copies made with it join; the key itself is never written.",
)
@click.option(
    "--erp-url",
    default=None,
    metavar="URL",
    help="Also mask this ERP database (any SQLAlchemy URL, e.g. postgresql://...) into OUT/erp.sqlite.",
)
@click.option(
    "--erp-schema", default=None, metavar="NAME", help="Database schema of the ERP tables (with --erp-url)."
)
def mask(source: Path, target: Path, key_env: str, erp_url: str | None, erp_schema: str | None) -> None:
    """Write a masked copy of a production extract for non-production use.

    Names, company names, emails, phones, street addresses, postal codes, tax ids and free-text notes are
    replaced consistently: the same value always becomes the same fake under the same key, emails stay emails,
    phones stay valid numbers of their country, nicknames and typos stay related, so identity resolution on
    the copy finds the same clusters. Ids, keys, amounts, dates and codes are kept. Files of an unknown format
    are left out. Prints one line per file; exits 1 if any file could not be masked.
    """
    try:
        masker = Masker(MaskKey.from_environment(key_env))
        report = mask_extract(masker, source, target, click.echo, erp_url, erp_schema)
    except MaskingError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"done: {len(report.masked)} masked, {len(report.copied)} copied, {len(report.left_out)} left out, "
        f"{len(report.failed)} failed → {target}"
    )
    if report.failed:
        raise SystemExit(1)
