"""The emulator answers only to sessions it issued: no token, a forged token, another org's token or an expired
one get Salesforce's 401 `INVALID_SESSION_ID` as a JSON array, on every API family; the admin API needs the
admin key."""

from __future__ import annotations

import secrets

import pytest
import requests

from sfsync_assets.lib.emulator.process import EmulatorProcess
from sfsync_assets.lib.emulator.routes.admin import ADMIN_KEY_HEADER
from sfsync_assets.lib.salesforce.connection import CaBundleAdapter

ENDPOINTS = [
    ("GET", "/services/data/v59.0/limits"),
    ("GET", "/services/data/v59.0/query?q=SELECT+Id+FROM+Account"),
    ("GET", "/services/data/v59.0/sobjects/Account/describe"),
    ("POST", "/services/data/v59.0/sobjects/Account"),
    ("POST", "/services/data/v59.0/jobs/ingest"),
    ("POST", "/cometd/59.0"),
]


def _session(emulator: EmulatorProcess) -> requests.Session:
    session = requests.Session()
    session.mount("https://", CaBundleAdapter(emulator.info.ca_file))
    return session


def _assert_invalid_session(response: requests.Response) -> None:
    assert response.status_code == 401, response.text
    body = response.json()
    assert isinstance(body, list) and body[0]["errorCode"] == "INVALID_SESSION_ID"


def _forged(emulator: EmulatorProcess) -> str:
    """A token of the right shape (org id, `!AQ`, random) that the org never issued."""
    return f"{emulator.credentials.organization_id[:15]}!AQ{secrets.token_urlsafe(72)}"


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@pytest.mark.parametrize("token", ["none", "empty", "forged", "garbage"])
def test_requests_without_an_issued_session_are_refused(
    emulator: EmulatorProcess, method: str, path: str, token: str
) -> None:
    headers = {
        "none": {},
        "empty": {"Authorization": "Bearer "},
        "forged": {"Authorization": f"Bearer {_forged(emulator)}"},
        "garbage": {"Authorization": "Bearer ' OR 1=1 --"},
    }[token]
    response = _session(emulator).request(
        method, emulator.base_url + path, headers=headers, json={"Name": "x"}
    )
    _assert_invalid_session(response)


def test_another_orgs_session_is_refused(emulator: EmulatorProcess, fresh_emulator: EmulatorProcess) -> None:
    other = fresh_emulator.salesforce().session_id
    response = _session(emulator).get(
        emulator.base_url + "/services/data/v59.0/limits", headers={"Authorization": f"Bearer {other}"}
    )
    _assert_invalid_session(response)


def test_an_expired_session_is_refused(fresh_emulator: EmulatorProcess) -> None:
    session_id = fresh_emulator.salesforce().session_id
    url = fresh_emulator.base_url + "/services/data/v59.0/limits"
    headers = {"Authorization": f"Bearer {session_id}"}
    assert _session(fresh_emulator).get(url, headers=headers).status_code == 200
    fresh_emulator.admin.expire_sessions()
    _assert_invalid_session(_session(fresh_emulator).get(url, headers=headers))


@pytest.mark.parametrize("key", [None, "", "wrong-admin-key"])
def test_the_admin_api_needs_the_admin_key(emulator: EmulatorProcess, key: str | None) -> None:
    headers = {} if key is None else {ADMIN_KEY_HEADER: key}
    response = _session(emulator).put(
        emulator.base_url + "/__admin__/faults", headers=headers, json={"http_503": 1}
    )
    assert response.status_code == 401
    assert "admin key" in response.text
