"""Masking a whole extract: each file of the input directory is masked by its format into the same place under
the output directory, or left out when masking cannot vouch for it.

Formats: `*.jsonl` (Salesforce records), SQLite files (the ERP; any other database through `--erp-url`),
`*.duckdb` (a warehouse), legacy files beside their `<stem>.profile.yaml` (CSV, fixed-width, EBCDIC), plain
`*.csv` tables and `*.json` documents; profiles and copybooks are copied. A file of any other kind is not copied:
an unknown format may hold personal data that masking cannot see.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..legacy.profiles import CsvProfile, EbcdicProfile, FixedWidthProfile, load_profile
from ..legacy.settings import PROFILE_SUFFIX
from .csv_files import mask_csv
from .ebcdic_files import mask_ebcdic
from .errors import MaskingError
from .fixed_files import mask_fixed
from .jsonl_files import mask_jsonl
from .records import mask_json_text
from .sql_database import mask_database
from .table_files import mask_table_csv
from .values import Masker
from .warehouse import mask_warehouse

_SQLITE_MAGIC = b"SQLite format 3\x00"
_COPIED_SUFFIXES = (PROFILE_SUFFIX, ".cpy")


@dataclass
class MaskReport:
    masked: list[str] = field(default_factory=list)
    copied: list[str] = field(default_factory=list)
    left_out: list[tuple[str, str]] = field(default_factory=list)  # (file, why)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file, error)


def mask_extract(
    masker: Masker,
    source: Path,
    target: Path,
    progress: Callable[[str], None] = print,
    erp_url: str | None = None,
    erp_schema: str | None = None,
) -> MaskReport:
    """Mask `source` (an extract directory, or one DuckDB file) into the new directory `target`."""
    if target.exists() and any(target.iterdir()):
        raise MaskingError(f"{target} is not empty; masking writes into a new or empty directory")
    if source.resolve() == target.resolve() or target.resolve().is_relative_to(source.resolve()):
        raise MaskingError(f"{target} lies inside {source}; write the masked copy elsewhere")
    target.mkdir(parents=True, exist_ok=True)
    report = MaskReport()
    files = [source] if source.is_file() else sorted(p for p in source.rglob("*") if p.is_file())
    for path in files:
        relative = Path(path.name) if source.is_file() else path.relative_to(source)
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            outcome = _mask_file(masker, path, destination, progress)
        except (MaskingError, OSError, ValueError) as error:
            destination.unlink(missing_ok=True)
            report.failed.append((str(relative), str(error)))
            progress(f"failed  {relative}: {error}")
            continue
        if outcome is None:
            report.copied.append(str(relative))
            progress(f"copied  {relative}")
        elif outcome.startswith("left out"):
            report.left_out.append((str(relative), outcome))
            progress(f"skipped {relative}: {outcome}")
        else:
            report.masked.append(str(relative))
            progress(f"masked  {relative}: {outcome}")
    if erp_url:
        counts = mask_database(masker, erp_url, target / "erp.sqlite", progress, erp_schema)
        report.masked.append("erp.sqlite")
        progress(f"masked  {erp_url.split('@')[-1]} → erp.sqlite: {sum(counts.values()):,} rows")
    return report


def _mask_file(masker: Masker, path: Path, destination: Path, progress: Callable[[str], None]) -> str | None:
    """What was done to one file: a summary when masked, None when copied, `left out: …` when not written."""
    name = path.name
    if name.endswith(_COPIED_SUFFIXES):
        shutil.copyfile(path, destination)
        return None
    profile_path = path.with_name(path.stem + PROFILE_SUFFIX)
    if profile_path.exists():
        return _mask_profiled(masker, path, load_profile(profile_path), destination)
    if name.endswith(".jsonl"):
        return f"{mask_jsonl(masker, path, destination):,} records"
    if name.endswith(".duckdb"):
        counts = mask_warehouse(masker, path, destination, progress)
        return f"{sum(counts.values())} columns in {len(counts)} tables"
    if _is_sqlite(path):
        counts = mask_database(masker, f"sqlite:///{path}", destination, progress)
        return f"{sum(counts.values()):,} rows in {len(counts)} tables"
    if name.endswith(".csv"):
        return f"{mask_table_csv(masker, path, destination):,} rows"
    if name.endswith(".json"):
        destination.write_text(mask_json_text(masker, path.read_text(encoding="utf-8")), encoding="utf-8")
        return "JSON document"
    return "left out: unknown format (it might hold personal data masking cannot see)"


def _mask_profiled(
    masker: Masker, path: Path, profile: CsvProfile | FixedWidthProfile | EbcdicProfile, destination: Path
) -> str:
    if isinstance(profile, CsvProfile):
        return f"{mask_csv(masker, path, profile, destination):,} records"
    if isinstance(profile, FixedWidthProfile):
        return f"{mask_fixed(masker, path, profile, destination):,} records"
    if profile.copybook is None:
        raise MaskingError(f"{path.name}: the profile names no copybook, so its fields are unknown")
    records = mask_ebcdic(masker, path, profile, path.parent / profile.copybook, destination)
    return f"{records:,} records" if records else "no personal fields; copied"


def _is_sqlite(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC
