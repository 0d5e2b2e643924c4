"""One emulated org: its schema, records, limits, credentials and sessions, all under one state directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .auth import OrgCredentials, SessionAuthority
from .ids import make_id
from .limits import DAILY_API_REQUESTS, OrgLimits
from .schema import FieldDef, ObjectDef, load_schema
from .store import OrgStore, WriteContext
from .values import to_json

DATABASE_FILE = "org.sqlite3"
DEFAULT_SCHEMA_FILE = Path(__file__).resolve().parents[2] / "config" / "org_schema.yaml"


class Org:
    """Everything a request handler needs, opened from (or created in) `state_dir`."""

    def __init__(
        self,
        state_dir: Path,
        schema_file: Path | None = DEFAULT_SCHEMA_FILE,
        daily_api_limit: int | None = None,
    ) -> None:
        self.state_dir = Path(state_dir)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.schema = load_schema(schema_file)
        self.store = OrgStore(self.state_dir / DATABASE_FILE, self.schema)
        self.limits = OrgLimits(self.store)
        self.credentials = OrgCredentials.load_or_create(self.state_dir)
        self._bootstrap()
        self.sessions = SessionAuthority(self.store, self.credentials)
        if daily_api_limit is not None:
            self.limits.set_maximum(DAILY_API_REQUESTS, daily_api_limit)

    def _bootstrap(self) -> None:
        """Create the Organization and the integration user the first time the org starts."""
        if self.credentials.user_id:
            return
        user = self.schema.object("User")
        # The first user creates itself, so its own Id is its creator's.
        ctx = WriteContext(user_id=make_id(user.key_prefix, 1), api="admin")
        user_id = self.store.create(
            user,
            {
                "Username": self.credentials.username,
                "FirstName": "Integration",
                "LastName": "User",
                "Email": self.credentials.username,
                "Alias": "integ",
            },
            ctx,
        )
        organization = self.store.create(
            self.schema.object("Organization"),
            {"Name": "sfsync Emulated Org", "OrganizationType": "Enterprise"},
            WriteContext(user_id=user_id, api="admin"),
        )
        self.credentials.user_id = user_id
        self.credentials.organization_id = organization
        self.credentials.save(self.state_dir)

    def close(self) -> None:
        self.store.close()


def record_json(
    obj: ObjectDef, record: dict[str, Any], version: str, fields: list[FieldDef] | None = None
) -> dict[str, Any]:
    """A record as REST returns it: `attributes` first, then the fields in describe order."""
    result: dict[str, Any] = {
        "attributes": {
            "type": obj.name,
            "url": f"/services/data/v{version}/sobjects/{obj.name}/{record['Id']}",
        }
    }
    for field in fields or obj.fields.values():
        result[field.name] = to_json(field, record.get(field.name))
    return result
