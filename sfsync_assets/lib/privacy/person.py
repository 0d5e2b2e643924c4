"""Who is to be forgotten: every identifier of one person that sfsync holds, found from an email or a golden id.

From the seed, identity (`identity.xref`) gives the person's golden ids and source records, the staged rows of
those records give every email they were known by, and the ledger gives the Salesforce records pushes created.
Rows are found by these identifiers; phones and names are not used to find rows (a switchboard number or a
common name is not one person's), they go with the rows the identifiers find. A source record an organization
shares (an ERP customer row with its primary contact inside) is kept apart: its key names the organization too,
so it never marks a row as the person's on its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import duckdb

from ..golden.survivorship import GOLDEN_TABLES
from ..mapping.raw_records import table_exists
from ..matching.store import GOLDEN_IDS, XREF
from ..outbound.erp_push import ERP_TARGET_PREFIX
from .hashing import IdentifierHasher

STAGED_PERSON = "staged.person"
STAGED_ORGANIZATION = "staged.organization"
LEDGER = "outbound.ledger"


@dataclass(frozen=True)
class SourceRecord:
    system: str
    object: str
    id: str
    key: str


@dataclass
class Person:
    """Everything that identifies one person. `records` are theirs alone; `shared_records` an organization's too."""

    emails: set[str] = field(default_factory=set)
    golden_ids: set[str] = field(default_factory=set)
    records: set[SourceRecord] = field(default_factory=set)
    shared_records: set[SourceRecord] = field(default_factory=set)
    salesforce_ids: set[str] = field(default_factory=set)

    def row_identifiers(self) -> set[str]:
        """Values that mark a row as this person's wherever they appear."""
        return self.emails | self.golden_ids | self.salesforce_ids | {record.key for record in self.records}

    def hashes(self, hasher: IdentifierHasher) -> list[str]:
        """Hashes of the identifiers the proof record keeps: emails, golden ids, Salesforce ids, record keys."""
        return sorted(hasher(value) for value in self.row_identifiers())


def _where_in(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    columns: str,
    column: str,
    values: set[str],
    extra: str = "",
) -> list[tuple]:
    """Rows of `table` whose `column` is one of `values` (none if the table does not exist yet)."""
    if not values or not table_exists(connection, table):
        return []
    return connection.execute(
        f"SELECT DISTINCT {columns} FROM {table} WHERE {column} IN (SELECT unnest(?::VARCHAR[])) {extra}",
        [sorted(values)],
    ).fetchall()


def find_person(
    connection: duckdb.DuckDBPyConnection, emails: Iterable[str] = (), golden_ids: Iterable[str] = ()
) -> Person:
    """The person the seeds name, as far as the warehouse knows them (the seeds themselves always included)."""
    person = Person(golden_ids={g.strip() for g in golden_ids if g.strip()})
    _add_emails(person, emails)
    golden, person_links = GOLDEN_TABLES["person"], "AND entity_type = 'person'"
    frontier = set(person.golden_ids)
    while frontier:  # an id merged into another lives on under the surviving one
        surviving = _where_in(connection, GOLDEN_IDS, "merged_into", "golden_id", frontier)
        frontier = {row[0] for row in surviving if row[0]} - person.golden_ids
        person.golden_ids |= frontier
    person.golden_ids |= {
        row[0] for row in _where_in(connection, golden, "golden_id", "lower(Email)", person.emails)
    }
    keys = {
        row[0] for row in _where_in(connection, STAGED_PERSON, "source_key", "lower(Email)", person.emails)
    }
    person.golden_ids |= {
        row[0] for row in _where_in(connection, XREF, "golden_id", "source_key", keys, person_links)
    }
    keys |= {
        row[0]
        for row in _where_in(connection, XREF, "source_key", "golden_id", person.golden_ids, person_links)
    }
    shared = {row[0] for row in _where_in(connection, STAGED_ORGANIZATION, "source_key", "source_key", keys)}
    columns = "source_system, source_object, source_id, source_key, Email"
    for system, object_name, source_id, key, email in _where_in(
        connection, STAGED_PERSON, columns, "source_key", keys
    ):
        record = SourceRecord(system, object_name, source_id, key)
        (person.shared_records if key in shared else person.records).add(record)
        if system == "salesforce":
            person.salesforce_ids.add(source_id)
        _add_emails(person, [email])
    _add_emails(
        person, [row[0] for row in _where_in(connection, golden, "Email", "golden_id", person.golden_ids)]
    )
    salesforce_targets = f"AND NOT starts_with(target, '{ERP_TARGET_PREFIX}')"
    person.salesforce_ids |= {
        row[0]
        for row in _where_in(
            connection, LEDGER, "record_id", "golden_id", person.golden_ids, salesforce_targets
        )
    }
    return person


def _add_emails(person: Person, emails: Iterable[str | None]) -> None:
    person.emails |= {email.strip().lower() for email in emails if email and email.strip()}
