"""The generated company's ground truth: which true entity every staged record belongs to, and the golden values
the default survivorship rule must produce."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any


def truth_entities(company_dir: Path) -> dict[tuple[str, str], str]:
    """(entity_type 'person'/'organization', staged source_key) → true entity id."""
    kinds = {"person": "person", "company": "organization"}
    truth = {}
    with open(company_dir / "truth" / "entities.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["entity_type"] in kinds:
                key = f"{row['system']}:{row['object']}:{row['source_id']}"
                truth[(kinds[row["entity_type"]], key)] = row["entity_id"]
    return truth


def expected_golden(company_dir: Path) -> dict[str, dict[str, Any]]:
    """entity id → the golden values the default survivorship rule produces (last line per entity wins)."""
    expected = {}
    with open(company_dir / "truth" / "golden_expected.jsonl", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            expected[record["entity_id"]] = record
    return expected
