"""Which Salesforce user sfsync is, so staging can tell sfsync's own writes from people's edits.

Every write sfsync makes moves the record's LastModifiedDate and sets LastModifiedById to the user it logged in
as. The ingest asks Salesforce who that is (the OpenID Connect UserInfo endpoint, which answers for every login
flow: SOAP, OAuth password, client credentials, a given session) and keeps every user id it has run as in
`raw_salesforce.integration_users`, so a rotated integration user's past writes still count as sfsync's.
UserInfo is an `/services/oauth2/` call, not a REST API request: it does not use the daily API allocation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import requests
from simple_salesforce import Salesforce

INTEGRATION_USERS_TABLE = "raw_salesforce.integration_users"


class IntegrationUserUnknown(RuntimeError):
    """Salesforce did not say who the session belongs to; the message carries its answer."""


@dataclass(frozen=True)
class IntegrationUser:
    user_id: str
    organization_id: str
    username: str


def integration_user(sf: Salesforce) -> IntegrationUser:
    """The user sfsync's session belongs to, read through the session simple-salesforce logged in with."""
    url = f"https://{sf.sf_instance}/services/oauth2/userinfo"
    try:
        response = sf.session.get(url, headers=sf.headers, timeout=60)
    except requests.RequestException as error:
        raise IntegrationUserUnknown(f"GET {url} failed: {error}") from error
    if response.status_code != 200:
        raise IntegrationUserUnknown(
            f"GET {url} answered {response.status_code}: {response.text[:300]!r}; "
            "the session cannot say which user sfsync writes as"
        )
    claims = response.json()
    if not claims.get("user_id"):
        raise IntegrationUserUnknown(f"GET {url} answered without a user_id: {claims!r}")
    return IntegrationUser(
        claims["user_id"], claims.get("organization_id", ""), claims.get("preferred_username", "")
    )


def record_integration_user(
    connection: duckdb.DuckDBPyConnection, user: IntegrationUser, run_id: str
) -> None:
    """Add the user (or note that this run saw it again); users seen before are kept."""
    connection.execute("CREATE SCHEMA IF NOT EXISTS raw_salesforce")
    connection.execute(
        f"CREATE TABLE IF NOT EXISTS {INTEGRATION_USERS_TABLE} (user_id VARCHAR PRIMARY KEY, "
        "organization_id VARCHAR, username VARCHAR, first_seen_at TIMESTAMPTZ NOT NULL, "
        "last_seen_at TIMESTAMPTZ NOT NULL, last_seen_run_id VARCHAR)"
    )
    now = datetime.now(UTC)
    connection.execute(
        f"INSERT INTO {INTEGRATION_USERS_TABLE} VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET "
        "organization_id = excluded.organization_id, username = excluded.username, "
        "last_seen_at = excluded.last_seen_at, last_seen_run_id = excluded.last_seen_run_id",
        [user.user_id, user.organization_id, user.username, now, now, run_id],
    )
