"""`sfsync legacy ...`: decode mainframe exports and show copybook layouts from the command line.

Mounted by the main CLI as `sfsync legacy`; `legacy` is a plain click group so it can be tested alone.
"""

from __future__ import annotations

import time
from pathlib import Path

import click

from .decoder import CopybookDecoder
from .errors import CopybookError
from .fields import DecodeOptions, FloatFormat, TextTrim
from .framing import FramingSpec, RecordFormat
from .layout import Layout, LayoutRow
from .output import IssueWriter, open_table_writer
from .parser import SourceFormat, load_copybook

_PROGRESS_SECONDS = 2.0

_copybook_option = click.option(
    "--copybook",
    "copybook_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="COBOL copybook describing one record (several 01 levels = alternative record types).",
)
_copybook_format_option = click.option(
    "--copybook-format",
    type=click.Choice(["fixed", "free"]),
    default="fixed",
    show_default=True,
    help="fixed: IBM columns (1-6 sequence number, 7 indicator with * or / for comments, 8-72 code, "
    "73-80 ignored); free: whole lines are code, *> starts a comment.",
)


@click.group(name="legacy")
def legacy() -> None:
    """Read mainframe (EBCDIC) exports described by COBOL copybooks."""


@legacy.command()
@_copybook_option
@_copybook_format_option
@click.option(
    "--data",
    "data_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Data file exported from the mainframe (binary transfer, no EBCDIC→ASCII conversion).",
)
@click.option(
    "--record-format",
    required=True,
    type=click.Choice([f.value for f in RecordFormat], case_sensitive=False),
    help="F/FB: fixed-length records; V: each record preceded by a 4-byte RDW; VB: blocks preceded "
    "by a 4-byte BDW holding RDW records; TEXT: one record per line (LF or CRLF).",
)
@click.option(
    "--record-length",
    type=click.IntRange(min=1),
    help="F/FB record length in bytes. Default: the copybook's record length.",
)
@click.option(
    "--rdw-big-endian/--rdw-little-endian",
    default=True,
    show_default=True,
    help="Byte order of the 2-byte length in RDWs and BDWs (mainframes write big-endian).",
)
@click.option(
    "--rdw-includes-header",
    is_flag=True,
    help="RDW/BDW lengths count their own 4 header bytes (as IBM writes them). Default: the length "
    "is the payload only (Cobrix's default).",
)
@click.option(
    "--encoding",
    default=None,
    help="Code page of text and zoned digits: cp037 (default for binary formats), cp500, cp1047, "
    "cp273, cp1140, ...; latin-1 (default for TEXT) or ascii for ASCII exports.",
)
@click.option(
    "--file-start-offset",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Bytes to skip at the start of the file (a file header).",
)
@click.option(
    "--file-end-offset",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Bytes to skip at the end of the file (a file trailer).",
)
@click.option(
    "--trim",
    type=click.Choice([t.value for t in TextTrim]),
    default=TextTrim.BOTH.value,
    show_default=True,
    help="Spaces removed from text fields.",
)
@click.option(
    "--float-format",
    type=click.Choice([f.value for f in FloatFormat]),
    default=FloatFormat.IBM.value,
    show_default=True,
    help="Encoding of COMP-1/COMP-2: IBM hexadecimal float or IEEE 754 big-endian.",
)
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output file, .parquet or .jsonl. Undecodable fields are null here and listed in "
    "<out>.errors.jsonl (file, record number, byte offset, field, raw hex, reason).",
)
def decode(
    copybook_path: Path,
    copybook_format: SourceFormat,
    data_path: Path,
    record_format: str,
    record_length: int | None,
    rdw_big_endian: bool,
    rdw_includes_header: bool,
    encoding: str | None,
    file_start_offset: int,
    file_end_offset: int,
    trim: str,
    float_format: str,
    out_path: Path,
) -> None:
    """Decode a mainframe data file into Parquet or JSON Lines.

    A field whose bytes do not fit its PICTURE (bad packed nibble, non-digit in a zoned field, bad sign)
    does not stop the file: it becomes null and is reported in <out>.errors.jsonl.
    """
    record_format_value = RecordFormat(record_format.upper())
    default_encoding = "latin-1" if record_format_value is RecordFormat.TEXT else "cp037"
    try:
        decoder = CopybookDecoder(
            load_copybook(copybook_path, source_format=copybook_format),
            DecodeOptions(
                encoding=encoding or default_encoding,
                trim=TextTrim(trim),
                float_format=FloatFormat(float_format),
            ),
        )
        framing = FramingSpec(
            record_format_value,
            record_length,
            rdw_big_endian,
            rdw_includes_header,
            file_start_offset,
            file_end_offset,
        )
        records_written, error_count, errors_path = _decode_to_files(decoder, data_path, framing, out_path)
    except CopybookError as exc:
        raise click.ClickException(str(exc)) from exc
    region = max(data_path.stat().st_size - file_start_offset - file_end_offset, 0)
    click.echo(f"records: {records_written}")
    click.echo(f"bytes: {region}")
    click.echo(f"errors: {error_count}")
    click.echo(f"output: {out_path}")
    if error_count:
        click.echo(f"errors file: {errors_path}")


def _decode_to_files(
    decoder: CopybookDecoder, data_path: Path, framing: FramingSpec, out_path: Path
) -> tuple[int, int, Path]:
    writer = open_table_writer(out_path, decoder.schema)
    issues = IssueWriter(out_path)
    records = 0
    last_progress = time.monotonic()
    try:
        for batch in decoder.decode_file(data_path, framing):
            writer.write(batch.table)
            issues.write(batch.issues)
            records += batch.table.num_rows
            if time.monotonic() - last_progress >= _PROGRESS_SECONDS:
                last_progress = time.monotonic()
                click.echo(
                    f"... {records} records, {batch.end_offset} bytes, {issues.count} errors", err=True
                )
    finally:
        writer.close()
        issues.close()
    return records, issues.count, issues.path


@legacy.command()
@_copybook_option
@_copybook_format_option
def layout(copybook_path: Path, copybook_format: SourceFormat) -> None:
    """Print every field's byte offset (0-based) and length.

    OCCURS tables are expanded element by element; OCCURS DEPENDING ON tables are shown at their maximum.
    """
    try:
        rows = Layout(load_copybook(copybook_path, source_format=copybook_format)).rows()
    except CopybookError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(format_layout(rows))


def format_layout(rows: list[LayoutRow]) -> str:
    """The layout as an aligned text table."""
    header = ("path", "level", "picture", "usage", "offset", "length", "digits", "scale", "signed", "occurs")
    lines = [header]
    for row in rows:
        lines.append(
            (
                row.path,
                f"{row.level:02d}",
                row.picture or "",
                row.usage,
                str(row.offset),
                str(row.length),
                "" if row.digits is None else str(row.digits),
                "" if row.scale is None else str(row.scale),
                "S" if row.signed else "",
                row.occurs or "",
            )
        )
    widths = [max(len(line[column]) for line in lines) for column in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )
