"""The `privacy` schema: forget requests, tombstones and the proof; once a request is done, no identifier in clear.

| table | one row per |
|---|---|
| `privacy.forget_requests` | request: how it names the person (kind, hash), when filed and processed, outcome |
| `privacy.tombstones` | email hash of an erased person: a person who comes back is erased again |
| `privacy.proof` | place a request erased from: system, table or object, action, rows, hashes, time, run |

A request keeps the identifier it was filed with (an email or a golden id) only while it is pending: the run
that carries it out replaces it with nothing, in the same transaction that writes the proof.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from .hashing import IdentifierHasher

EMAIL = "email"
GOLDEN_ID = "golden_id"
PENDING = "pending"
ERASED = "erased"
DELETED, CLEARED, HARD_DELETED = "deleted", "cleared", "hard_deleted"  # the proof's actions
FILED_BY_OPERATOR = "operator"
FILED_ON_RETURN = "returned"

_DDL = """
CREATE SCHEMA IF NOT EXISTS privacy;
CREATE TABLE IF NOT EXISTS privacy.forget_requests (
    request_id VARCHAR PRIMARY KEY, identifier_kind VARCHAR NOT NULL, identifier VARCHAR,
    identifier_hash VARCHAR NOT NULL, filed_by VARCHAR NOT NULL, filed_at TIMESTAMPTZ NOT NULL,
    status VARCHAR NOT NULL, processed_at TIMESTAMPTZ, run_id VARCHAR
);
CREATE TABLE IF NOT EXISTS privacy.tombstones (
    identifier_hash VARCHAR PRIMARY KEY, request_id VARCHAR NOT NULL, created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS privacy.proof (
    request_id VARCHAR NOT NULL, system VARCHAR NOT NULL, location VARCHAR NOT NULL, action VARCHAR NOT NULL,
    rows BIGINT NOT NULL, identifier_hashes JSON NOT NULL, erased_at TIMESTAMPTZ NOT NULL, run_id VARCHAR
);
"""


class ForgetRequestError(ValueError):
    """A forget request that cannot be filed: no identifier, or an identifier of the wrong shape."""


@dataclass(frozen=True)
class ForgetRequest:
    request_id: str
    kind: str
    identifier: str


@dataclass(frozen=True)
class ProofEntry:
    system: str
    location: str
    action: str
    rows: int


def ensure_tables(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(_DDL)


def file_request(
    connection: duckdb.DuckDBPyConnection,
    kind: str,
    identifier: str,
    hasher: IdentifierHasher,
    filed_by: str = FILED_BY_OPERATOR,
) -> str:
    """File a request to forget the person an email or golden id names; returns its id."""
    value = identifier.strip()
    if kind not in (EMAIL, GOLDEN_ID):
        raise ForgetRequestError(f"unknown identifier kind {kind!r}; expected {EMAIL} or {GOLDEN_ID}")
    if not value or (kind == EMAIL and "@" not in value):
        raise ForgetRequestError(f"{kind} {value!r} cannot name a person")
    ensure_tables(connection)
    request_id = f"forget-{uuid.uuid4().hex[:12]}"
    connection.execute(
        "INSERT INTO privacy.forget_requests VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
        [request_id, kind, value, hasher(value), filed_by, datetime.now(UTC), PENDING],
    )
    return request_id


def pending_requests(connection: duckdb.DuckDBPyConnection) -> list[ForgetRequest]:
    ensure_tables(connection)
    rows = connection.execute(
        "SELECT request_id, identifier_kind, identifier FROM privacy.forget_requests WHERE status = ? "
        "ORDER BY filed_at",
        [PENDING],
    ).fetchall()
    return [ForgetRequest(*row) for row in rows]


def record_erasure(
    connection: duckdb.DuckDBPyConnection,
    request: ForgetRequest,
    entries: Sequence[ProofEntry],
    hashes: Sequence[str],
    tombstones: Sequence[str],
    run_id: str | None,
    at: datetime,
) -> None:
    """Write the proof and tombstones and close the request (dropping its identifier). Call inside the
    transaction that erased the warehouse rows."""
    identifiers = json.dumps(sorted(hashes))
    connection.executemany(
        "INSERT INTO privacy.proof VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [request.request_id, e.system, e.location, e.action, e.rows, identifiers, at, run_id]
            for e in entries
        ],
    )
    connection.executemany(
        "INSERT INTO privacy.tombstones VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        [[value, request.request_id, at] for value in sorted(set(tombstones))],
    )
    connection.execute(
        "UPDATE privacy.forget_requests SET identifier = NULL, status = ?, processed_at = ?, run_id = ? "
        "WHERE request_id = ?",
        [ERASED, at, run_id, request.request_id],
    )


def proof_of(connection: duckdb.DuckDBPyConnection, request_id: str) -> list[ProofEntry]:
    """What a request erased, where (empty while it is pending)."""
    rows = connection.execute(
        "SELECT system, location, action, rows FROM privacy.proof WHERE request_id = ? ORDER BY system, location",
        [request_id],
    ).fetchall()
    return [ProofEntry(*row) for row in rows]
