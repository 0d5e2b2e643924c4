"""A forget request leaves no trace of the person outside the proof record, and the person stays gone.

A generated company is synced in full (Salesforce, a SQLite ERP, legacy files; ingest to push and
reconciliation), a person known to all three sources is forgotten with `sfsync forget`, and then the warehouse,
the ERP and the org's database and Bulk job files are searched for their emails, phones and name. A legacy file
carrying the person again then arrives and the next cycle runs: they must still be nowhere.
"""

from __future__ import annotations

import csv
import io
import json
import os
import time
from pathlib import Path

import duckdb
import pytest
import yaml
from click.testing import CliRunner

from sfsync_assets.cli import main
from sfsync_assets.cycle import run_cycle
from sfsync_assets.defs.ingest import salesforce as sf_ingest
from sfsync_assets.lib.emulator.process import EmulatorProcess
from sfsync_assets.lib.runtime.environment import emulator_environment, prepare_dagster_home, write_env_file
from sfsync_assets.lib.runtime.seeding import ensure_company
from sfsync_assets_tests.defs.privacy.traces import (
    CHANGE_EVENT_LOG,
    Looks,
    file_traces,
    sqlite_traces,
    warehouse_traces,
)

SCALE = 300


def _everywhere(emulator: EmulatorProcess, warehouse: Path, erp: Path, looks: Looks) -> list[str]:
    return [
        *warehouse_traces(warehouse, looks),
        *sqlite_traces(erp, looks),
        *sqlite_traces(emulator.state_dir / "org.sqlite3", looks, skip=(CHANGE_EVENT_LOG,)),
        *file_traces(emulator.state_dir / "bulk", looks),
    ]


def _person_in_every_source(warehouse: Path) -> tuple[str, Looks]:
    """A pushed person with records in Salesforce, the ERP and the legacy CRM whose name nobody else shares."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        golden_id, email = connection.execute(
            """
            SELECT g.golden_id, g.Email FROM golden.person AS g JOIN outbound.ledger AS l USING (golden_id)
            WHERE list_has_all(g.source_systems, ['salesforce', 'erp', 'legacy_csv']) AND g.Email IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM staged.person AS o JOIN identity.xref AS x USING (source_key)
                              WHERE x.golden_id <> g.golden_id AND lower(o.LastName) = lower(g.LastName))
              AND NOT EXISTS (SELECT 1 FROM staged.organization AS o WHERE contains(lower(o.Name), lower(g.LastName)))
            ORDER BY g.golden_id LIMIT 1
            """
        ).fetchall()[0]
        rows = connection.execute(
            "SELECT p.Email, p.Phone, p.MobilePhone, p.FirstName, p.LastName FROM staged.person AS p "
            "JOIN identity.xref AS x USING (source_key) WHERE x.entity_type = 'person' AND x.golden_id = ?",
            [golden_id],
        ).fetchall()
    values = [[row[i] for row in rows if row[i]] for i in range(5)]
    return email, Looks.of(values[0], values[1] + values[2], values[3], values[4])


def _send_again(inbound: Path, email: str) -> None:
    """A newer legacy CRM export that still has the person (sources we do not control can do that)."""
    data = next(inbound.glob("CONTACTS_*.csv"))
    header, *records = csv.reader(io.StringIO(data.read_text(encoding="utf-8-sig"), newline=""))
    record = next(record for record in records if email in ",".join(record).lower())
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([header, record])
    name = "CONTACTS_20301231.csv"
    profile = yaml.safe_load(data.with_name(f"{data.stem}.profile.yaml").read_text(encoding="utf-8"))
    (inbound / f"{Path(name).stem}.profile.yaml").write_text(
        yaml.safe_dump({**profile, "file": name, "records": 1}), encoding="utf-8"
    )
    (inbound / name).write_text("\ufeff" + text.getvalue(), encoding="utf-8")


@pytest.mark.slow
def test_a_forgotten_person_leaves_no_trace_and_stays_gone(
    fresh_emulator: EmulatorProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    company, data = tmp_path / "company", tmp_path / "data"
    data.mkdir()
    ensure_company(company, fresh_emulator.state_dir, SCALE, 11, lambda line: None)
    erp = company / "erp.sqlite"
    environment = emulator_environment(
        fresh_emulator.state_dir, data, f"sqlite:///{erp}", company / "inbound"
    )
    write_env_file(environment, tmp_path / ".env")
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    prepare_dagster_home(os.environ)
    warehouse = Path(environment["SFSYNC_DUCKDB_PATH"])
    time.sleep(sf_ingest.SETTINGS.window.settle_seconds + 0.5)
    run_cycle(lambda line: None)
    email, looks = _person_in_every_source(warehouse)
    before = _everywhere(fresh_emulator, warehouse, erp, looks)
    assert {trace.split(":")[0] for trace in before} >= {"raw_erp.customer_contacts", "golden.person"}
    assert any(trace.startswith("org.sqlite3:obj_contact") for trace in before)
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        people_before = connection.execute("SELECT count(*) FROM golden.person").fetchall()[0][0]

    forgotten = CliRunner().invoke(
        main, ["forget", "--email", email.upper(), "--env-file", str(tmp_path / ".env")]
    )

    assert forgotten.exit_code == 0, forgotten.output
    assert _everywhere(fresh_emulator, warehouse, erp, looks) == []
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        proof = connection.execute(
            "SELECT system, location, action, rows, identifier_hashes FROM privacy.proof"
        ).fetchall()
        requests = connection.execute("SELECT identifier, status FROM privacy.forget_requests").fetchall()
    erased = {(system, location, action): rows for system, location, action, rows, _ in proof}
    assert erased[("salesforce", "Contact", "hard_deleted")] >= 1
    assert erased[("erp", "customer_contacts", "deleted")] >= 1
    assert erased[("warehouse", "golden.person", "deleted")] == 1
    assert all(len(json.loads(row[4])) >= 3 for row in proof)
    assert requests == [(None, "erased")]

    _send_again(company / "inbound", email)
    time.sleep(sf_ingest.SETTINGS.window.settle_seconds + 0.5)
    run_cycle(lambda line: None)

    assert _everywhere(fresh_emulator, warehouse, erp, looks) == []
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        refiled = connection.execute(
            "SELECT filed_by, status FROM privacy.forget_requests ORDER BY filed_at"
        ).fetchall()
        people_after = connection.execute("SELECT count(*) FROM golden.person").fetchall()[0][0]
    assert refiled == [("operator", "erased"), ("returned", "erased")]
    assert people_after == people_before - 1
