"""The golden adapter reads live golden records and names what is missing; the matrix decides ownership."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from sfsync_assets.lib.config.files import ConfigError
from sfsync_assets.lib.outbound.errors import GoldenSourceError
from sfsync_assets.lib.outbound.golden_source import GoldenSource

from .support import PARENT_COLUMN, GoldenWorld, record_salesforce_sources, write_system_of_record


@pytest.fixture
def connection(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    with duckdb.connect(str(tmp_path / "w.duckdb")) as connection:
        yield connection


def test_live_golden_records_come_with_their_parent(
    connection: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    world = GoldenWorld.create(connection, organizations=2, persons=3)
    connection.execute("UPDATE golden.person SET is_deleted = true WHERE golden_id = ?", [world.person_id(2)])
    source = GoldenSource(connection, write_system_of_record(tmp_path))

    read = source.records("person", ["LastName", "DoNotCall", "Birthdate"])

    assert [(r.golden_id, r.parent_golden_id, r.values) for r in read.records] == [
        (world.person_id(0), world.organization_id(0), {"LastName": "Last0", "DoNotCall": True}),
        (world.person_id(1), world.organization_id(1), {"LastName": "Last1", "DoNotCall": False}),
    ]
    assert read.unavailable == ["Birthdate"]
    assert source.parent_column("person") == PARENT_COLUMN


def test_a_missing_golden_table_is_named(connection: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    source = GoldenSource(connection, write_system_of_record(tmp_path))

    with pytest.raises(
        GoldenSourceError, match=r"golden.organization does not exist yet.*golden/organization"
    ):
        source.records("organization", ["Name"])


def test_a_field_is_owned_by_the_system_its_class_ranks_first(
    connection: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    source = GoldenSource(connection, write_system_of_record(tmp_path))

    assert source.owned_by("salesforce", "organization") == {"Website"}
    assert source.owned_by("erp", "organization") == {"Name", "Credit_Limit__c"}
    assert source.owned_by("salesforce", "person") == {"Title"}


def test_salesforce_sources_of_an_entity_are_found_in_identity(
    connection: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    source = GoldenSource(connection, write_system_of_record(tmp_path))
    assert source.salesforce_ids("organization", "Account") == {}

    record_salesforce_sources(connection, "organization", {"g1": "001A", "g2": "001B"})

    assert source.salesforce_ids("organization", "Account") == {"g1": "001A", "g2": "001B"}
    assert source.salesforce_ids("person", "Contact") == {}


def test_no_matrix_means_no_push(connection: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        GoldenSource(connection, tmp_path / "missing.yaml")
