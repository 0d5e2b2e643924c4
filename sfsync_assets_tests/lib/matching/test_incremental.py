"""Golden ids survive later runs; new records join existing entities incrementally; merges, splits and
retirements are recorded with their evidence."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from sfsync_assets.lib.matching.quality import pairwise
from sfsync_assets.lib.matching.resolve import resolve_identities
from sfsync_assets.lib.matching.settings import load_matching_settings

from .generated_company import truth_entities
from .prepared import a_day_later, copy_of, stage_rows

ANN = {"FirstName": "Ann", "LastName": "Lee", "Email": "ann@acme.com"}
PERSONS = [
    {"source_key": "salesforce:Contact:1", **ANN},
    {"source_key": "erp:customer_contacts:1", **ANN},
    {"source_key": "salesforce:Contact:2", "FirstName": "Bo", "LastName": "Kim", "Email": "bo@beta.com"},
    {
        "source_key": "salesforce:Lead:3",
        "FirstName": "Cy",
        "LastName": "Fox",
        "Email": "cy@gamma.com",
        "Phone": "+12125550100",
    },
]
# Links Bo (same email) and Cy (same phone and name): the two entities become one.
BRIDGE = {
    "source_key": "legacy_csv:CONTACTS:2",
    "FirstName": "Cy",
    "LastName": "Fox",
    "Email": "bo@beta.com",
    "Phone": "+12125550100",
}


def xref(connection: duckdb.DuckDBPyConnection, entity_type: str = "person") -> dict[str, str]:
    rows = connection.execute(
        "SELECT source_key, golden_id FROM identity.xref WHERE entity_type = ? AND is_active", [entity_type]
    ).fetchall()
    return dict(rows)


def events(connection: duckdb.DuckDBPyConnection, run_id: str) -> list[tuple]:
    return connection.execute(
        "SELECT event, golden_id, other_golden_id, source_keys, evidence FROM identity.id_history "
        "WHERE run_id = ? ORDER BY event, golden_id",
        [run_id],
    ).fetchall()


def run(connection: duckdb.DuckDBPyConnection, persons: list[dict], run_id: str):
    stage_rows(connection, "person", persons)
    return resolve_identities(connection, load_matching_settings(), run_id)


@pytest.fixture
def connection(tmp_path: Path):
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as connection:
        stage_rows(connection, "organization", [])
        yield connection


def test_merge_split_and_retirement_are_recorded(connection: duckdb.DuckDBPyConnection) -> None:
    first = run(connection, PERSONS, "run-1")
    ids = xref(connection)
    assert first.links["person"].mode == "full"
    assert ids["salesforce:Contact:1"] == ids["erp:customer_contacts:1"]
    assert len(set(ids.values())) == 3 and all(golden_id.startswith("GP-") for golden_id in ids.values())

    joined = {"source_key": "legacy_csv:CONTACTS:1", **ANN}
    second = run(connection, [*PERSONS, joined, BRIDGE], "run-2")
    after_merge = xref(connection)
    assert second.links["person"].mode == "incremental" and second.links["person"].new_records == 2
    assert after_merge["legacy_csv:CONTACTS:1"] == ids["salesforce:Contact:1"], "joins the existing entity"
    survivor = min(ids["salesforce:Contact:2"], ids["salesforce:Lead:3"])
    absorbed = max(ids["salesforce:Contact:2"], ids["salesforce:Lead:3"])
    assert after_merge["salesforce:Contact:2"] == after_merge["salesforce:Lead:3"] == survivor
    [(event, golden_id, other, _, evidence)] = events(connection, "run-2")
    assert (event, golden_id, other) == ("merged", absorbed, survivor)
    linked = {
        key for link in json.loads(evidence)["links"] for key in (link["source_key_l"], link["source_key_r"])
    }
    assert BRIDGE["source_key"] in linked

    run(connection, [*PERSONS, joined], "run-3")
    after_split = xref(connection)
    assert after_split["salesforce:Contact:1"] == ids["salesforce:Contact:1"], "untouched entities keep ids"
    assert after_split["salesforce:Contact:2"] != after_split["salesforce:Lead:3"]
    kinds = [row[0] for row in events(connection, "run-3")]
    assert sorted(kinds) == ["issued", "split"]

    lone = after_split["salesforce:Lead:3"]
    run(connection, [*PERSONS[:3], joined], "run-4")
    assert [row[:2] for row in events(connection, "run-4")] == [("retired", lone)]
    status = connection.execute(
        "SELECT status FROM identity.golden_ids WHERE golden_id = ?", [lone]
    ).fetchall()
    assert status == [("retired",)]


def test_a_second_run_without_changes_changes_nothing(resolved: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(copy_of(resolved, tmp_path))) as connection:
        before = {entity_type: xref(connection, entity_type) for entity_type in ("person", "organization")}
        report = resolve_identities(connection, load_matching_settings(), "run-2")
        after = {entity_type: xref(connection, entity_type) for entity_type in ("person", "organization")}
        assert after == before
        assert all(links.mode == "incremental" and links.links_added == 0 for links in report.links.values())
        assert events(connection, "run-2") == []


def test_a_day_of_business_keeps_ids_and_links_new_records(
    company: Path, resolved: Path, tmp_path: Path
) -> None:
    warehouse = copy_of(resolved, tmp_path)
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        before = xref(connection)
    mutated = a_day_later(company, warehouse, tmp_path / "later")
    with duckdb.connect(str(warehouse)) as connection:
        report = resolve_identities(connection, load_matching_settings(), "run-2")
        after = xref(connection)
        links = report.links["person"]
        assert links.mode == "incremental" and links.new_records > 0 and links.changed_records > 0
        assert links.new_records + links.changed_records < links.records / 10, "only the change is scored"
        kept = [key for key in before if key in after]
        moved = [key for key in kept if before[key] != after[key]]
        assert len(moved) <= len(kept) * 0.005, f"{len(moved)} of {len(kept)} records changed their golden id"
        truth = truth_entities(mutated)
        person_truth = pd.Series({key: truth[("person", key)] for key in after})
        scores = pairwise(pd.Series(after), person_truth)
        print(f"after a day of business: {scores}")
        assert scores.f1 >= 0.95


def test_an_incremental_run_finds_the_links_a_full_run_finds_for_the_changed_records(
    company: Path, resolved: Path, tmp_path: Path
) -> None:
    """Only the records a blocking rule pairs with a new or changed record go to the model: the links found for
    the change are the very links (rule, probability) a full run finds for the same records."""
    incremental = copy_of(resolved, tmp_path)
    a_day_later(company, incremental, tmp_path / "later")
    full = tmp_path / "full.duckdb"
    shutil.copy(incremental, full)
    linked = "SELECT source_key_l, source_key_r, rule, match_probability FROM identity.person_matches"
    with duckdb.connect(str(incremental)) as connection:
        resolve_identities(connection, load_matching_settings(), "run-2")
        scored = {
            row[0]
            for row in connection.execute(
                "SELECT source_key FROM identity.person_features WHERE matched_run_id = 'run-2'"
            ).fetchall()
        }
        found = set(connection.execute(f"{linked} WHERE matched_run_id = 'run-2'").fetchall())
    with duckdb.connect(str(full)) as connection:
        resolve_identities(connection, load_matching_settings(), "run-2", full=True)
        expected = {row for row in connection.execute(linked).fetchall() if {row[0], row[1]} & scored}
    assert scored and any(row[2] == "model" for row in found)
    assert found == expected
