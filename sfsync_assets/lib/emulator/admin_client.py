"""A client for the emulator's admin endpoints (seeding, reset, limits, session expiry, silent updates)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import requests

from ..salesforce.connection import http_session
from .auth import OrgCredentials
from .routes.admin import ADMIN_KEY_HEADER, MAX_SEED_RECORDS
from .server import ServerInfo


class EmulatorAdminError(RuntimeError):
    """The emulator refused an admin call; the message carries its answer."""


class EmulatorAdmin:
    def __init__(self, base_url: str, admin_key: str, ca_file: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = http_session(ca_file)
        self.session.headers[ADMIN_KEY_HEADER] = admin_key

    @classmethod
    def from_state_dir(cls, state_dir: Path) -> EmulatorAdmin:
        info = ServerInfo.load(state_dir)
        return cls(info.base_url, OrgCredentials.load(state_dir).admin_key, info.ca_file)

    def _call(self, method: str, path: str, payload: Any = None) -> Any:
        response = self.session.request(method, self.base_url + path, json=payload, timeout=600)
        if response.status_code != 200:
            raise EmulatorAdminError(
                f"{method} {path} answered {response.status_code}: {response.text[:500]}"
            )
        return response.json()

    def seed(self, object_name: str, records: Iterable[dict[str, Any]]) -> list[str]:
        """Insert records with their system fields as given; returns their Ids in order."""
        ids: list[str] = []
        batch: list[dict[str, Any]] = []
        for record in records:
            batch.append(record)
            if len(batch) == MAX_SEED_RECORDS:
                ids += self._call("POST", f"/__admin__/seed/{object_name}", batch)["ids"]
                batch = []
        if batch:
            ids += self._call("POST", f"/__admin__/seed/{object_name}", batch)["ids"]
        return ids

    def count(self, object_name: str) -> int:
        """Live records of an object (not an API call: admin endpoints are outside the org's limits)."""
        return self._call("GET", f"/__admin__/count/{object_name}")["count"]

    def reset(self) -> int:
        return self._call("POST", "/__admin__/reset")["removed"]

    def limits(self) -> dict[str, Any]:
        return self._call("GET", "/__admin__/limits")

    def set_limit(self, name: str, maximum: int | None = None, used: int | None = None) -> dict[str, Any]:
        values = {k: v for k, v in (("max", maximum), ("used", used)) if v is not None}
        return self._call("PUT", "/__admin__/limits", {name: values})

    def set_faults(self, plan: dict[str, Any]) -> dict[str, Any]:
        """Replace the fault plan in force (`{}` clears it); see `faults.py` for the settings."""
        return self._call("PUT", "/__admin__/faults", plan)

    def inject_change_feed_gap(self, count: int) -> dict[str, Any]:
        """Deliver the next `count` changes as header-only GAP_* events."""
        return self._call("POST", "/__admin__/change-feed/gap", {"count": count})

    def age_change_feed(self, hours: float) -> dict[str, Any]:
        """Make every logged change event older, purging what passes the 72-hour retention."""
        return self._call("POST", "/__admin__/change-feed/age", {"hours": hours})

    def expire_sessions(self) -> int:
        return self._call("POST", "/__admin__/sessions/expire")["expired"]

    def session_for(self, user_id: str) -> str:
        """A bearer token of another user of the org: what that person's own login would give."""
        return self._call("POST", "/__admin__/sessions", {"user_id": user_id})["access_token"]

    def silent_update(self, object_name: str, record_id: str, values: dict[str, Any]) -> None:
        """Change fields without moving SystemModstamp, as a formula or roll-up recalculation does."""
        self._call("PATCH", f"/__admin__/records/{object_name}/{record_id}", values)

    def set_picklist_values(self, object_name: str, field_name: str, values: list[str]) -> list[str]:
        """Replace a picklist's values in the running org, as an admin editing its setup would."""
        return self._call("PUT", f"/__admin__/picklists/{object_name}/{field_name}", {"values": values})[
            "values"
        ]


def is_serving(base_url: str, ca_file: str) -> bool:
    try:
        return http_session(ca_file).get(base_url + "/services/data", timeout=2).status_code == 200
    except requests.RequestException:
        return False
