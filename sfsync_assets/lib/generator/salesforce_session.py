"""Sessions of the emulator for `--mutate`: the org's people, editing through the normal API.

`--mutate` changes Salesforce through the normal API (validation, duplicate rules, SystemModstamp), never
through the admin endpoints, because that is how the changes the product must notice are made in a real org.
The changes are made as one of the org's people, not as its integration user: sfsync takes a change made as the
user it logs in as for its own write, which is no edit.
"""

from __future__ import annotations

from pathlib import Path

from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceError

from sfsync_assets.lib.emulator.auth import OrgCredentials
from sfsync_assets.lib.emulator.server import ServerInfo
from sfsync_assets.lib.salesforce.connection import (
    DEFAULT_API_VERSION,
    ConnectionSettings,
    connect,
    http_session,
)

from .errors import SalesforceLoadError
from .mutate import SalesforceTarget
from .seed_loader import admin_for


def emulator_session(state_dir: Path, base_url: str | None = None) -> Salesforce:
    """A logged-in simple-salesforce client for the emulator serving `state_dir` (SOAP/OAuth login)."""
    try:
        info = ServerInfo.load(state_dir)
        credentials = OrgCredentials.load(state_dir)
    except (FileNotFoundError, OSError) as error:
        raise SalesforceLoadError(f"cannot reach the emulator of {state_dir}: {error}") from error
    url = (base_url or info.base_url).rstrip("/")
    settings = ConnectionSettings(
        domain=url.removeprefix("https://") + "/login",
        username=credentials.username,
        password=credentials.password,
        security_token=credentials.security_token,
        consumer_key=credentials.consumer_key,
        consumer_secret=credentials.consumer_secret,
        ca_bundle=info.ca_file,
        client_id="sfsync-generator",
    )
    try:
        return connect(settings)
    except SalesforceError as error:
        raise SalesforceLoadError(f"login to the emulator at {url} failed: {error}") from error


def people_target(state_dir: Path, base_url: str | None = None) -> SalesforceTarget:
    """Where a day of business goes: the API as one of the org's people (the first user who is not the
    integration user), and the admin API for formulas."""
    integration = emulator_session(state_dir, base_url)
    own_id = OrgCredentials.load(state_dir).user_id
    people = integration.query(f"SELECT Id FROM User WHERE Id != '{own_id}' ORDER BY Id LIMIT 1")["records"]
    if not people:
        raise SalesforceLoadError(
            f"the emulator of {state_dir} has no user besides the integration user: load the company's Users first"
        )
    return SalesforceTarget(
        api=session_of(people[0]["Id"], state_dir, base_url), admin=admin_for(base_url, state_dir)
    )


def session_of(user_id: str, state_dir: Path, base_url: str | None = None) -> Salesforce:
    """A simple-salesforce client logged in as the org's user `user_id` (a session the emulator's admin API
    issues: what that person's own login would give)."""
    info = ServerInfo.load(state_dir)
    return Salesforce(
        instance_url=(base_url or info.base_url).rstrip("/"),
        session_id=admin_for(base_url, state_dir).session_for(user_id),
        session=http_session(info.ca_file, client_id="sfsync-generator"),
        version=DEFAULT_API_VERSION,
    )
