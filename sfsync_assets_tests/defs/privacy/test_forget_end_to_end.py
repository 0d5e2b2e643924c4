"""Privacy over a full sync: an ERP opt-out reaches the golden person and Salesforce; a forget request leaves no
trace of the person outside the proof record, and the person stays gone; Dagster's storage holds no one.

A generated company is synced in full (Salesforce, a SQLite ERP, legacy files; ingest to push and
reconciliation), a person known to all three sources is forgotten with `sfsync forget`, and then the warehouse,
the ERP and the org's database and Bulk job files are searched for their emails, phones and name. A legacy file
carrying the person again then arrives and the next cycle runs: they must still be nowhere. Dagster's own storage,
which no erasure reaches, must never have held anyone's personal values: every event of every run (previews,
check samples, log messages) is searched for every person of the company.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
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
from sfsync_assets_tests.defs.privacy.dagster_storage import People, dagster_traces
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


@dataclass(frozen=True)
class SyncedCompany:
    """A generated company after one full sync cycle, with the people it held then."""

    emulator: EmulatorProcess
    root: Path
    environment: dict[str, str]
    everyone: People

    @property
    def warehouse(self) -> Path:
        return Path(self.environment["SFSYNC_DUCKDB_PATH"])

    @property
    def company(self) -> Path:
        return self.root / "company"


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncedCompany]:
    """One org, company and cycle for the module: the tests read it in order, the forget test last but one."""
    root = tmp_path_factory.mktemp("synced")
    with EmulatorProcess(root / "org") as emulator, pytest.MonkeyPatch.context() as monkeypatch:
        company, data = root / "company", root / "data"
        data.mkdir()
        ensure_company(company, emulator.state_dir, SCALE, 11, lambda line: None)
        environment = emulator_environment(
            emulator.state_dir, data, f"sqlite:///{company / 'erp.sqlite'}", company / "inbound"
        )
        write_env_file(environment, root / ".env")
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        prepare_dagster_home(os.environ)
        time.sleep(sf_ingest.SETTINGS.window.settle_seconds + 0.5)
        run_cycle(lambda line: None)
        warehouse = Path(environment["SFSYNC_DUCKDB_PATH"])
        yield SyncedCompany(emulator, root, environment, People.in_warehouse(warehouse))


@pytest.mark.slow
def test_an_erp_opt_out_wins_in_the_golden_person_and_reaches_salesforce(synced: SyncedCompany) -> None:
    with sqlite3.connect(synced.company / "erp.sqlite") as erp:
        opted_out = [
            row[0] for row in erp.execute("SELECT contact_id FROM customer_contacts WHERE email_opt_out")
        ]
    with duckdb.connect(str(synced.warehouse), read_only=True) as connection:
        golden = dict(
            connection.execute(
                "SELECT x.source_key, g.golden_id FROM identity.xref AS x JOIN golden.person AS g USING (golden_id) "
                "WHERE x.source_key IN (SELECT unnest(?::VARCHAR[]))",
                [[f"erp:customer_contacts:{contact_id}" for contact_id in opted_out]],
            ).fetchall()
        )
        consent = dict(
            connection.execute("SELECT golden_id, HasOptedOutOfEmail FROM golden.person").fetchall()
        )
    in_salesforce = {
        record["Golden_Id__c"]: record["HasOptedOutOfEmail"]
        for record in synced.emulator.salesforce().query_all(
            "SELECT Golden_Id__c, HasOptedOutOfEmail FROM Contact WHERE Golden_Id__c != null"
        )["records"]
    }

    assert opted_out and len(golden) == len(opted_out)
    assert {consent[golden_id] for golden_id in golden.values()} == {True}
    assert {in_salesforce[golden_id] for golden_id in golden.values()} == {True}
    assert sum(consent.values()) < len(consent) / 2  # only the people who opted out somewhere


@pytest.mark.slow
def test_a_forgotten_person_leaves_no_trace_and_stays_gone(synced: SyncedCompany) -> None:
    emulator, tmp_path, company, warehouse = synced.emulator, synced.root, synced.company, synced.warehouse
    erp = company / "erp.sqlite"
    email, looks = _person_in_every_source(warehouse)
    before = _everywhere(emulator, warehouse, erp, looks)
    assert {trace.split(":")[0] for trace in before} >= {"raw_erp.customer_contacts", "golden.person"}
    assert any(trace.startswith("org.sqlite3:obj_contact") for trace in before)
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        people_before = connection.execute("SELECT count(*) FROM golden.person").fetchall()[0][0]

    forgotten = CliRunner().invoke(
        main, ["forget", "--email", email.upper(), "--env-file", str(tmp_path / ".env")]
    )

    assert forgotten.exit_code == 0, forgotten.output
    assert _everywhere(emulator, warehouse, erp, looks) == []
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

    assert _everywhere(emulator, warehouse, erp, looks) == []
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        refiled = connection.execute(
            "SELECT filed_by, status FROM privacy.forget_requests ORDER BY filed_at"
        ).fetchall()
        people_after = connection.execute("SELECT count(*) FROM golden.person").fetchall()[0][0]
    assert refiled == [("operator", "erased"), ("returned", "erased")]
    assert people_after == people_before - 1


@pytest.mark.slow
def test_dagster_storage_never_held_anyones_personal_values(synced: SyncedCompany) -> None:
    """Every run so far (the cycles, the loads of each dropped file, the forget run when the module runs whole):
    no preview, check sample or log message shows an email, phone or name of anyone in the company."""
    assert len(synced.everyone.emails) > 30 and len(synced.everyone.names) > 20

    assert dagster_traces(Path(synced.environment["DAGSTER_HOME"]), synced.everyone) == []
