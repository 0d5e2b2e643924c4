"""One generated company at ~10,000 records, shared by the generator tests (they only read it)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from sfsync_assets.lib.generator.pipeline import GenerateConfig, generate_company
from sfsync_assets.lib.generator.rates import Rates

SCALE = 10_000
SEED = 7
# Far more data-losing problems than the default, so every kind is planted often enough to check.
RATES = Rates().with_bad_row_rate(0.06)


@pytest.fixture(scope="session")
def company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out_dir = tmp_path_factory.mktemp("company") / "demo"
    generate_company(GenerateConfig(out_dir=out_dir, scale=SCALE, seed=SEED, rates=RATES))
    return out_dir


@pytest.fixture(scope="session")
def manifest(company: Path) -> dict[str, Any]:
    return json.loads((company / "truth" / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def problems(company: Path) -> list[dict[str, str]]:
    with open(company / "truth" / "planted_problems.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="session")
def entities(company: Path) -> list[dict[str, str]]:
    with open(company / "truth" / "entities.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]
