"""The golden checks on a resolved generated company: they pass as built, and name what is broken when the
warehouse is damaged the ways they guard against."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from sfsync_assets.defs.golden.checks import CHECKS, GOLDEN_CHECKS
from sfsync_assets.defs.golden.records import GOLDEN_ASSETS
from sfsync_assets.lib.golden.matrix import load_system_of_record
from sfsync_assets_tests.lib.matching.prepared import copy_of, resolved_database


@pytest.fixture
def warehouse(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Path:
    return copy_of(resolved_database(tmp_path_factory), tmp_path)


def evaluations(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {f"{e.asset_key.path[-1]}.{e.check_name}": e for e in result.get_asset_check_evaluations()}


def test_every_golden_asset_has_the_checks() -> None:
    declared = {
        (check.asset_key.to_user_string(), check.name) for c in GOLDEN_CHECKS for check in c.check_keys
    }
    assert declared == {(f"golden/{t}", name) for t in GOLDEN_ASSETS for name in CHECKS}


def test_checks_pass_on_golden_records_as_built(warehouse: Path) -> None:
    result = dg.materialize(
        [*GOLDEN_ASSETS.values(), *GOLDEN_CHECKS],
        resources={"duckdb": DuckDBResource(database=str(warehouse))},
    )
    assert result.success
    found = evaluations(result)
    assert set(found) == {f"{t}.{name}" for t in GOLDEN_ASSETS for name in CHECKS}
    assert all(e.passed for e in found.values()), {k: e.description for k, e in found.items() if not e.passed}
    # The page of a golden asset also shows its columns and where each comes from.
    [person] = result.asset_materializations_for_node("golden__person")
    fields = load_system_of_record().fields["person"]
    columns = {column.name for column in person.metadata["dagster/column_schema"].value.columns}
    assert {"golden_id", *fields} <= columns
    lineage = person.metadata["dagster/column_lineage"].value.deps_by_column
    assert set(lineage) == {"golden_id", *fields}
    assert lineage["Email"] == [
        dg.TableColumnDep(asset_key=dg.AssetKey(["staged", "person"]), column_name="Email")
    ]
    assert lineage["account_golden_id"][0].asset_key == dg.AssetKey(["identity", "xref"])


def test_checks_name_the_duplicate_the_value_without_provenance_and_the_lost_id(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse)) as connection:
        duplicate = connection.execute(
            "SELECT golden_id FROM golden.person ORDER BY golden_id LIMIT 1"
        ).fetchall()
        connection.execute(
            "INSERT INTO golden.person SELECT * FROM golden.person WHERE golden_id = ?", duplicate[0]
        )
        golden_id, field = connection.execute(
            "SELECT golden_id, field FROM golden.provenance WHERE entity_type = 'person' "
            "ORDER BY golden_id DESC, field LIMIT 1"
        ).fetchall()[0]
        connection.execute(
            "DELETE FROM golden.provenance WHERE entity_type = 'person' AND golden_id = ? AND field = ?",
            [golden_id, field],
        )
        [(lost,)] = connection.execute(
            "DELETE FROM golden.organization WHERE golden_id = (SELECT max(golden_id) FROM golden.organization) "
            "RETURNING golden_id"
        ).fetchall()

    result = dg.materialize(
        GOLDEN_CHECKS,
        selection=dg.AssetSelection.all_asset_checks(),
        resources={"duckdb": DuckDBResource(database=str(warehouse))},
        raise_on_error=False,
    )
    found = evaluations(result)
    failed = {name for name, e in found.items() if not e.passed}
    assert failed == {
        "person.golden_ids_unique",
        "person.provenance_complete",
        "organization.no_golden_id_lost",
    }
    assert (
        found["person.golden_ids_unique"].description == "golden person ids held by more than one record: 1"
    )
    assert duplicate[0][0] in found["person.golden_ids_unique"].metadata["failure_sample"].value
    sample = found["person.provenance_complete"].metadata["failure_sample"].value
    assert golden_id in sample and field in sample
    assert lost in found["organization.no_golden_id_lost"].metadata["failure_sample"].value
    assert found["organization.no_golden_id_lost"].metadata["num_failures"].value == 1
