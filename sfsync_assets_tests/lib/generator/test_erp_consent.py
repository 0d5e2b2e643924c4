"""ERP contacts carry an email opt-out, planted at its rate and recorded in the truth: the golden person of every
contact that opted out expects the opt-out, whatever Salesforce says, and nobody else expects one."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path
from typing import Any

from .conftest import RATES
from .test_rates import within_binomial


def test_opt_outs_are_planted_at_their_rate_and_expected_in_the_golden_person(
    company: Path, manifest: dict[str, Any]
) -> None:
    with sqlite3.connect(company / "erp.sqlite") as connection:
        flags = dict(connection.execute("SELECT contact_id, email_opt_out FROM customer_contacts").fetchall())
    with open(company / "truth" / "entities.csv", encoding="utf-8", newline="") as handle:
        person_of = {
            row["source_id"]: row["entity_id"]
            for row in csv.DictReader(handle)
            if row["object"] == "customer_contacts"
        }
    with open(company / "truth" / "golden_expected.jsonl", encoding="utf-8") as handle:
        expected = {
            record["entity_id"]
            for record in map(json.loads, handle)
            if record["values"].get("HasOptedOutOfEmail") is True
        }
    tally = manifest["planted_rates"]["erp_email_opt_out"]

    assert set(flags.values()) == {0, 1}  # never empty
    assert (tally["eligible"], tally["hits"]) == (len(flags), sum(flags.values()))
    assert within_binomial(tally["hits"], tally["eligible"], RATES.erp_email_opt_out)
    assert expected == {person_of[str(contact_id)] for contact_id, flag in flags.items() if flag}
