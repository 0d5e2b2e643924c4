"""Helpers shared by the legacy-file tests: hand-written feeds, and one generated company per module."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml

from sfsync_assets.lib.generator.pipeline import GenerateConfig, generate_company
from sfsync_assets.lib.generator.rates import Rates
from sfsync_assets.lib.legacy.readers import open_reader
from sfsync_assets.lib.legacy.records import RecordCounts, Rejection
from sfsync_assets.lib.legacy.settings import Feed, load_legacy_feeds

FEEDS = load_legacy_feeds().feeds
# Raised from 1 % so a small company has impossible dates in every feed that can hold one.
IMPOSSIBLE_DATE_RATE = 0.25


def generate(out_dir: Path, seed: int = 7) -> Path:
    """A company of about 2,000 records with its drop folder; returns `out_dir`."""
    rates = dataclasses.replace(Rates(), impossible_date=IMPOSSIBLE_DATE_RATE)
    generate_company(GenerateConfig(out_dir=out_dir, scale=2000, seed=seed, rates=rates), lambda _: None)
    return out_dir


def planted_invalid_dates(company: Path) -> list[dict[str, str]]:
    with (company / "truth" / "planted_problems.csv").open(encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if row["expected_error"] == "INVALID_DATE"]


def feed(kind: str = "csv", **settings: Any) -> Feed:
    """A feed as legacy_feeds.yaml would declare it, for hand-written test files."""
    system = {"csv": "legacy_csv", "fixed": "legacy_fixed", "ebcdic": "legacy_ebcdic"}[kind]
    return Feed(description="test feed", pattern=r"TEST_\d+\.dat", system=system, kind=kind, **settings)


def write_feed_file(folder: Path, name: str, content: bytes, profile: dict[str, Any]) -> Path:
    """A data file and its `<stem>.profile.yaml` beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content)
    path.with_name(f"{path.stem}.profile.yaml").write_text(
        yaml.safe_dump(profile, allow_unicode=True), "utf-8"
    )
    return path


@dataclasses.dataclass
class FileRead:
    table: pa.Table
    rejections: list[Rejection]
    counts: RecordCounts

    def rows(self) -> list[dict[str, Any]]:
        return self.table.to_pylist()


def read(path: Path, feed_name: str, settings: Feed) -> FileRead:
    reader, _ = open_reader(feed_name, settings, path)
    batches = list(reader.batches())
    table = pa.concat_tables([batch.table for batch in batches])
    return FileRead(table, [r for batch in batches for r in batch.rejections], reader.counts)


def read_generated(inbound: Path, feed_name: str) -> FileRead:
    (path,) = [p for p in inbound.iterdir() if FEEDS[feed_name].matches(p.name)]
    return read(path, feed_name, FEEDS[feed_name])
