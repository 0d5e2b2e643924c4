"""raw/erp/*: configuration and run options fail with messages that name what is wrong; the assets load."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa

from sfsync_assets.definitions import defs
from sfsync_assets.defs.ingest import erp as ingest
from sfsync_assets.lib.config.files import ConfigError, config_version
from sfsync_assets.lib.erp.backfill import BackfillWindowError, backfill_window
from sfsync_assets.lib.erp.settings import ERP_INGEST_FILE, ErpIngestSettings, load_erp_ingest_settings
from sfsync_assets.lib.erp.source import ErpTableMismatchError, erp_pipeline, erp_source
from sfsync_assets.lib.generator.erp import TABLES, erp_metadata


def test_bad_config_names_the_file_and_each_key(tmp_path: Path) -> None:
    path = tmp_path / "erp_ingest.yaml"
    path.write_text(
        "schedule: '17 * * *'\n"
        "lookback_seconds: 0\n"
        "tables:\n"
        "  customers: {description: Customers, primary_key: []}\n"
        "  orders: {description: Orders, primary_key: [order_id], cursor_colum: updated_at}\n"
        "  Invoices: {description: Invoices, primary_key: [invoice_id]}\n"
    )
    with pytest.raises(ConfigError) as raised:
        load_erp_ingest_settings(path)
    message = str(raised.value)
    assert message.startswith(str(path))
    for key in (
        "schedule",
        "lookback_seconds",
        "tables.customers.primary_key",
        "tables.orders.cursor_colum",
        "tables.Invoices",
    ):
        assert key in message


def test_a_cursor_kept_as_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "erp_ingest.yaml"
    path.write_text(
        "schedule: '17 * * * *'\nlookback_seconds: 60\ntables:\n"
        "  orders: {description: Orders, primary_key: [order_id], text_columns: [updated_at]}\n"
    )
    with pytest.raises(
        ConfigError, match=r"tables\.orders: cursor_column 'updated_at' cannot also be in text_columns"
    ):
        load_erp_ingest_settings(path)


def test_the_default_config_covers_every_generated_erp_table() -> None:
    settings = load_erp_ingest_settings()
    assert set(settings.tables) == set(TABLES)
    for name, table in settings.tables.items():
        erp_table = erp_metadata().tables[name]
        assert table.columns <= {column.name for column in erp_table.columns}, (
            f"tables.{name}: unknown column"
        )
        assert table.primary_key == [column.name for column in erp_table.primary_key]


def test_a_column_the_erp_table_lacks_is_named_before_anything_is_read(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'erp.sqlite3'}"
    erp_metadata().create_all(sa.create_engine(url))
    settings = ErpIngestSettings.model_validate(
        {
            "schedule": "17 * * * *",
            "lookback_seconds": 60,
            "tables": {
                "customers": {
                    "description": "Customers",
                    "primary_key": ["customer_id"],
                    "text_columns": ["phone", "fax"],
                }
            },
        }
    )
    with pytest.raises(ErpTableMismatchError, match=r"ERP table 'customers' has no column\(s\) \['fax'\]"):
        erp_source(settings, url)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (None, "2024-02-01", r"backfill_to='2024-02-01' needs a backfill_from"),
        (
            "2024-02-01",
            "2024-01-01",
            r"backfill_to='2024-01-01' must be later than backfill_from='2024-02-01'",
        ),
        ("last tuesday", None, r"backfill_from='last tuesday' is not an ISO date"),
        ("2024-01-01T00:00:00+02:00", None, r"backfill_from='2024-01-01T00:00:00\+02:00' has a time zone"),
    ],
)
def test_bad_backfill_options_name_the_option(start: str | None, end: str | None, message: str) -> None:
    with pytest.raises(BackfillWindowError, match=message):
        backfill_window(start, end)


def test_a_duckdb_file_held_by_another_process_asks_dagster_to_retry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DLT_DATA_DIR", str(tmp_path / "dlt"))
    database = tmp_path / "warehouse.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, sys; c = duckdb.connect({str(database)!r}); print(1, flush=True); "
            "sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "1"
        with pytest.raises(dg.RetryRequested), ingest.retry_transient_failures():
            erp_pipeline(str(database)).run([{"id": 1}], table_name="probe")
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
    with pytest.raises(ValueError, match="not a lock"), ingest.retry_transient_failures():
        raise ValueError("not a lock")


def test_the_code_location_loads_with_the_erp_assets() -> None:
    definitions = defs()
    dg.Definitions.validate_loadable(definitions)
    keys = {dg.AssetKey(["raw", "erp", name]) for name in TABLES}
    assert keys <= definitions.resolve_asset_graph().get_all_asset_keys()
    assets = definitions.resolve_assets_def(dg.AssetKey(["raw", "erp", "customers"]))
    assert assets.op.pool == "duckdb_writer"
    for spec in (spec for spec in assets.specs if spec.key in keys):
        assert spec.group_name == "raw"
        assert spec.kinds == {"dlt", "duckdb", "sql"}
        assert spec.code_version == config_version(ERP_INGEST_FILE)
        assert spec.automation_condition.get_label() == f"on_cron({ingest.SETTINGS.schedule}, UTC)"
        assert spec.description and "\n" not in spec.description
