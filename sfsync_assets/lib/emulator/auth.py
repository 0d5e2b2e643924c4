"""The org's credentials and sessions: SOAP and OAuth logins, bearer tokens that expire.

Credentials are created at random the first time an org starts and kept in the state directory
(`credentials.json`, readable only by its owner); nothing about them is in code. Clients read them from there
(or from the environment) exactly as they would read a real org's integration-user secrets.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path

from .errors import SalesforceApiError
from .store import OrgStore

CREDENTIALS_FILE = "credentials.json"
SESSION_LIFETIME = timedelta(hours=2)


@dataclass
class OrgCredentials:
    username: str
    password: str
    security_token: str
    consumer_key: str
    consumer_secret: str
    admin_key: str
    organization_id: str = ""
    user_id: str = ""

    @classmethod
    def load(cls, state_dir: Path) -> OrgCredentials:
        return cls(**json.loads((Path(state_dir) / CREDENTIALS_FILE).read_text(encoding="utf-8")))

    @classmethod
    def load_or_create(cls, state_dir: Path) -> OrgCredentials:
        path = Path(state_dir) / CREDENTIALS_FILE
        if path.exists():
            return cls.load(state_dir)
        credentials = cls(
            username="integration@sfsync.example",
            password=secrets.token_urlsafe(12),
            security_token=secrets.token_hex(12),
            consumer_key="3MVG9" + secrets.token_hex(20),
            consumer_secret=secrets.token_hex(32),
            admin_key=secrets.token_urlsafe(24),
        )
        credentials.save(state_dir)
        return credentials

    def save(self, state_dir: Path) -> None:
        path = Path(state_dir) / CREDENTIALS_FILE
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(asdict(self), handle, indent=2)


class SessionAuthority:
    """Issues and checks bearer tokens; tokens survive a restart, like a real org's sessions."""

    def __init__(self, store: OrgStore, credentials: OrgCredentials) -> None:
        self.store = store
        self.credentials = credentials
        self.store.connection.execute(
            "CREATE TABLE IF NOT EXISTS _sessions (token TEXT PRIMARY KEY, user_id TEXT NOT NULL, "
            "expires_at REAL NOT NULL)"
        )

    def issue(self, user_id: str | None = None) -> str:
        """A new session of `user_id` (by default the integration user, the one whose password logs in)."""
        token = f"{self.credentials.organization_id[:15]}!AQ{secrets.token_urlsafe(72)}"
        expires = (self.store.clock() + SESSION_LIFETIME).timestamp()
        with self.store.lock:
            self.store.connection.execute(
                "INSERT INTO _sessions (token, user_id, expires_at) VALUES (?, ?, ?)",
                (token, user_id or self.credentials.user_id, expires),
            )
        return token

    def user_for(self, authorization: str | None) -> str:
        """The user id behind `Authorization: Bearer <token>` (or a Bulk 1.0 session header)."""
        token = (authorization or "").removeprefix("Bearer ").removeprefix("OAuth ").strip()
        rows = self.store.connection.execute(
            "SELECT user_id, expires_at FROM _sessions WHERE token = ?", (token,)
        ).fetchall()
        if not token or not rows or rows[0][1] < self.store.clock().timestamp():
            raise SalesforceApiError(401, "INVALID_SESSION_ID", "Session expired or invalid")
        return rows[0][0]

    def expire_all(self) -> int:
        with self.store.lock:
            return self.store.connection.execute("DELETE FROM _sessions").rowcount

    def check_password(self, username: str, password: str, *, token_required: bool) -> bool:
        if username.lower() != self.credentials.username.lower():
            return False
        with_token = self.credentials.password + self.credentials.security_token
        if secrets.compare_digest(password, with_token):
            return True
        return not token_required and secrets.compare_digest(password, self.credentials.password)

    def check_client(self, consumer_key: str, consumer_secret: str) -> bool:
        return secrets.compare_digest(consumer_key, self.credentials.consumer_key) and secrets.compare_digest(
            consumer_secret, self.credentials.consumer_secret
        )
