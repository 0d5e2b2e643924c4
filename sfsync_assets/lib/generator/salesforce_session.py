"""Log in to the emulator as its integration user would: simple-salesforce with the org's own credentials.

`--mutate` changes Salesforce through the normal API (validation, duplicate rules, SystemModstamp), never
through the admin endpoints, because that is how the changes the product must notice are made in a real org.
"""

from __future__ import annotations

from pathlib import Path

from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceError

from sfsync_assets.lib.emulator.auth import OrgCredentials
from sfsync_assets.lib.emulator.server import ServerInfo
from sfsync_assets.lib.salesforce.connection import ConnectionSettings, connect

from .errors import SalesforceLoadError


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
