"""Which user sfsync writes as, asked of the emulator's UserInfo endpoint over HTTPS for every login flow."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from simple_salesforce import Salesforce

from sfsync_assets.lib.emulator.process import EmulatorProcess
from sfsync_assets.lib.salesforce.connection import ConnectionSettings, connect, http_session
from sfsync_assets.lib.salesforce.integration_user import (
    INTEGRATION_USERS_TABLE,
    IntegrationUser,
    IntegrationUserUnknown,
    integration_user,
    record_integration_user,
)


def _settings(emulator: EmulatorProcess, **login: str) -> ConnectionSettings:
    return ConnectionSettings(domain=emulator.info.login_domain, ca_bundle=emulator.info.ca_file, **login)


@pytest.mark.parametrize("flow", ["soap", "oauth_password", "client_credentials"])
def test_every_login_flow_names_the_integration_user(emulator: EmulatorProcess, flow: str) -> None:
    credentials = emulator.credentials
    login = {
        "soap": {
            "username": credentials.username,
            "password": credentials.password,
            "security_token": credentials.security_token,
        },
        "oauth_password": {
            "username": credentials.username,
            "password": credentials.password,
            "consumer_key": credentials.consumer_key,
            "consumer_secret": credentials.consumer_secret,
        },
        "client_credentials": {
            "consumer_key": credentials.consumer_key,
            "consumer_secret": credentials.consumer_secret,
        },
    }[flow]
    assert integration_user(connect(_settings(emulator, **login))) == IntegrationUser(
        credentials.user_id, credentials.organization_id, credentials.username
    )


def test_a_given_session_of_another_user_names_that_user(emulator: EmulatorProcess) -> None:
    (person,) = emulator.admin.seed(
        "User", [{"Username": "pat.userinfo@acme.example", "LastName": "Pat", "Email": "pat@acme.example"}]
    )
    sf = Salesforce(
        instance_url=emulator.base_url,
        session_id=emulator.admin.session_for(person),
        session=http_session(emulator.info.ca_file),
    )
    assert integration_user(sf).user_id == person


def test_userinfo_answers_a_bad_or_missing_token_as_salesforce_does(emulator: EmulatorProcess) -> None:
    session = http_session(emulator.info.ca_file)
    url = f"{emulator.base_url}/services/oauth2/userinfo"
    bad = session.get(url, headers={"Authorization": "Bearer not-a-session"})
    assert (bad.status_code, bad.text) == (403, "Bad_OAuth_Token")
    missing = session.get(url)
    assert (missing.status_code, missing.text) == (403, "Missing_OAuth_Token")


def test_an_expired_session_is_a_clear_error(fresh_emulator: EmulatorProcess) -> None:
    sf = fresh_emulator.salesforce()
    fresh_emulator.admin.expire_sessions()
    with pytest.raises(IntegrationUserUnknown, match=r"403.*Bad_OAuth_Token"):
        integration_user(sf)


def test_userinfo_uses_no_api_request(emulator: EmulatorProcess) -> None:
    sf = emulator.salesforce()
    used = emulator.admin.limits()["DailyApiRequests"]["Remaining"]
    integration_user(sf)
    assert emulator.admin.limits()["DailyApiRequests"]["Remaining"] == used


def test_every_user_sfsync_ran_as_is_kept(tmp_path: Path) -> None:
    first, rotated = IntegrationUser("005A", "00DA", "a@x"), IntegrationUser("005B", "00DA", "b@x")
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as connection:
        record_integration_user(connection, first, "run-1")
        record_integration_user(connection, first, "run-2")
        record_integration_user(connection, rotated, "run-3")
        rows = connection.execute(
            f"SELECT user_id, last_seen_run_id FROM {INTEGRATION_USERS_TABLE} ORDER BY 1"
        ).fetchall()
    assert rows == [("005A", "run-2"), ("005B", "run-3")]
