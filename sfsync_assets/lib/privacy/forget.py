"""Carrying out forget requests: Salesforce, then the ERP, then the warehouse, then the proof.

The warehouse goes last because it is where the person's identifiers are found: if Salesforce or the ERP cannot
be reached or refuse (budget, circuit breaker, a failed request, a record not deleted), the request stays
pending with everything needed to try again, and every step is harmless to repeat. The warehouse rows, the
tombstones, the proof and the closing of the request are one DuckDB transaction: a request is either pending or
erased with its proof, never in between.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb
import sqlalchemy as sa

from ..outbound.audit import bulk_jobs_that_wrote
from ..outbound.errors import PushStopped, RequestFailed
from .erp import erase_from_erp
from .hashing import IdentifierHasher
from .person import Person, find_person
from .register import (
    DELETED,
    EMAIL,
    HARD_DELETED,
    ForgetRequest,
    ProofEntry,
    pending_requests,
    record_erasure,
)
from .salesforce import ErasureIncomplete, SalesforceEraser
from .settings import PrivacySettings
from .tombstones import file_returning
from .warehouse import erase_from_warehouse

SALESFORCE, ERP, WAREHOUSE = "salesforce", "erp", "warehouse"
BULK_JOBS = "Bulk ingest jobs"


@dataclass(frozen=True)
class ErpTarget:
    engine: sa.Engine
    schema: str | None


@dataclass
class ForgetReport:
    """What one run did: requests erased (with their proof), returning people refiled, and why it stopped."""

    erased: dict[str, list[ProofEntry]] = field(default_factory=dict)
    returned: int = 0
    stopped: str | None = None

    @property
    def rows_erased(self) -> int:
        return sum(entry.rows for entries in self.erased.values() for entry in entries)


class Forgetter:
    def __init__(
        self,
        connection: duckdb.DuckDBPyConnection,
        settings: PrivacySettings,
        salesforce: Callable[[], SalesforceEraser],
        erp: ErpTarget | None,
        hasher: IdentifierHasher,
        run_id: str | None,
    ) -> None:
        self.connection = connection
        self.settings = settings
        self.hasher = hasher
        self.connect_salesforce = salesforce
        self.salesforce: SalesforceEraser | None = None
        self.erp = erp
        self.run_id = run_id

    def run(self) -> ForgetReport:
        """Refile people who came back, then carry out every pending request in filing order."""
        report = ForgetReport(
            returned=file_returning(self.connection, self.settings.warehouse.keep_rows, self.hasher)
        )
        for request in pending_requests(self.connection):
            try:
                report.erased[request.request_id] = self.forget(request)
            except (PushStopped, RequestFailed, ErasureIncomplete, sa.exc.SQLAlchemyError) as stop:
                report.stopped = f"{request.request_id} stays pending: {stop}"
                break
        return report

    def forget(self, request: ForgetRequest) -> list[ProofEntry]:
        """Erase the person the request names everywhere and close it with its proof; returns the proof."""
        seed = request.identifier
        person = find_person(self.connection, **{"emails" if request.kind == EMAIL else "golden_ids": [seed]})
        entries = self._salesforce(person) + self._erp(person)
        now = datetime.now(UTC)
        self.connection.execute("BEGIN TRANSACTION")
        try:
            erased = erase_from_warehouse(self.connection, person, self.settings.warehouse)
            entries += [ProofEntry(WAREHOUSE, e.table, e.action, e.rows) for e in erased]
            hashes = sorted({self.hasher(seed), *person.hashes(self.hasher)})
            tombstones = [self.hasher(email) for email in person.emails]  # how a returning person shows
            record_erasure(self.connection, request, entries, hashes, tombstones, self.run_id, now)
            self.connection.execute("COMMIT")
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        return entries

    def _salesforce(self, person: Person) -> list[ProofEntry]:
        self.salesforce = self.salesforce or self.connect_salesforce()
        entries = [
            ProofEntry(SALESFORCE, e.object, HARD_DELETED, e.hard_deleted)
            for e in self.salesforce.erase(person, self.settings.salesforce.objects)
        ]
        jobs = bulk_jobs_that_wrote(self.connection, sorted(person.golden_ids))
        return [*entries, ProofEntry(SALESFORCE, BULK_JOBS, DELETED, self.salesforce.delete_jobs(jobs))]

    def _erp(self, person: Person) -> list[ProofEntry]:
        if self.erp is None:
            return []
        now = datetime.now(UTC).replace(tzinfo=None)
        erased = erase_from_erp(self.erp.engine, self.erp.schema, person, self.settings.erp, now)
        return [ProofEntry(ERP, e.table, e.action, e.rows) for e in erased]
