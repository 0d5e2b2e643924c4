"""A forget request that Salesforce cannot finish (the API budget runs out between the search and the hard delete)
stays pending with nothing recorded; the next run finishes it, and only then is the identifier dropped."""

from __future__ import annotations

import uuid
from pathlib import Path

import duckdb

from sfsync_assets.lib.emulator.process import EmulatorProcess
from sfsync_assets.lib.outbound.retry import retrying_caller
from sfsync_assets.lib.outbound.tables import ensure_tables
from sfsync_assets.lib.privacy.forget import Forgetter
from sfsync_assets.lib.privacy.hashing import IdentifierHasher
from sfsync_assets.lib.privacy.register import EMAIL, file_request
from sfsync_assets.lib.privacy.salesforce import SalesforceEraser
from sfsync_assets.lib.privacy.settings import load_privacy_settings
from sfsync_assets.lib.salesforce.budget import ApiGovernor
from sfsync_assets.lib.salesforce.connection import connect
from sfsync_assets_tests.lib.outbound.support import api_usage, fast_settings

DAILY_API_REQUESTS = "DailyApiRequests"
HASHER = IdentifierHasher("a-privacy-key-for-tests-only")


def _forgetter(connection: duckdb.DuckDBPyConnection, emulator: EmulatorProcess) -> Forgetter:
    def salesforce() -> SalesforceEraser:
        sf = connect(emulator.connection_settings(), ApiGovernor())
        return SalesforceEraser(sf, retrying_caller(fast_settings().salesforce))

    return Forgetter(connection, load_privacy_settings(), salesforce, None, HASHER, "run")


def test_a_request_stays_pending_until_salesforce_has_deleted_everything(
    fresh_emulator: EmulatorProcess, tmp_path: Path
) -> None:
    email = f"grace.{uuid.uuid4().hex[:6]}@example.com"
    sf = fresh_emulator.salesforce()
    contact = sf.Contact.create({"LastName": "Hopper", "Email": email})["id"]
    lead = sf.Lead.create({"LastName": "Hopper", "Company": "Navy", "Email": email.upper()})["id"]
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    ensure_tables(connection)
    request_id = file_request(connection, EMAIL, email, HASHER)
    # The org's allocation runs out after the Contact search: the governor stops before the hard delete job.
    fresh_emulator.admin.set_limit(DAILY_API_REQUESTS, maximum=api_usage(fresh_emulator) + 2)

    stopped = _forgetter(connection, fresh_emulator).run()

    assert stopped.erased == {}
    assert "API budget spent" in str(stopped.stopped) and "jobs/ingest" in str(
        stopped.stopped
    )  # no hard delete
    pending = connection.execute("SELECT identifier, status FROM privacy.forget_requests").fetchall()
    assert pending == [(email, "pending")]
    assert connection.execute("SELECT count(*) FROM privacy.proof").fetchall() == [(0,)]

    fresh_emulator.admin.set_limit(DAILY_API_REQUESTS, maximum=100_000)
    finished = _forgetter(connection, fresh_emulator).run()

    proof = {(p.location, p.action): p.rows for p in finished.erased[request_id]}
    assert proof[("Contact", "hard_deleted")] == 1 and proof[("Lead", "hard_deleted")] == 1
    found = sf.query_all(f"SELECT Id FROM Contact WHERE Id = '{contact}'", include_deleted=True)["records"]
    found += sf.query_all(f"SELECT Id FROM Lead WHERE Id = '{lead}'", include_deleted=True)["records"]
    assert found == []
    closed = connection.execute(
        "SELECT identifier, identifier_hash, status FROM privacy.forget_requests"
    ).fetchall()
    assert closed == [(None, HASHER(email), "erased")]
    tombstones = connection.execute("SELECT identifier_hash FROM privacy.tombstones").fetchall()
    assert tombstones == [(HASHER(email),)]
