"""Every login flow simple-salesforce offers, against the emulator over HTTPS."""

from __future__ import annotations

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceAuthenticationFailed, SalesforceExpiredSession

from sfsync_assets.lib.emulator.process import EmulatorProcess
from sfsync_assets.lib.salesforce.connection import CaBundleAdapter, http_session


def _session(emulator: EmulatorProcess) -> requests.Session:
    session = requests.Session()
    session.mount("https://", CaBundleAdapter(emulator.info.ca_file))
    return session


def test_soap_login_with_security_token(emulator: EmulatorProcess) -> None:
    credentials = emulator.credentials
    sf = Salesforce(
        username=credentials.username,
        password=credentials.password,
        security_token=credentials.security_token,
        domain=emulator.info.login_domain,
        session=_session(emulator),
    )
    assert sf.sf_instance == f"127.0.0.1:{emulator.port}"
    assert sf.query("SELECT COUNT() FROM User")["totalSize"] >= 1


def test_soap_login_with_any_path_prefix(emulator: EmulatorProcess) -> None:
    credentials = emulator.credentials
    sf = Salesforce(
        username=credentials.username,
        password=credentials.password,
        security_token=credentials.security_token,
        domain=f"127.0.0.1:{emulator.port}/x",
        session=_session(emulator),
    )
    assert sf.describe()["sobjects"]


def test_soap_login_rejects_a_wrong_password(emulator: EmulatorProcess) -> None:
    credentials = emulator.credentials
    with pytest.raises(SalesforceAuthenticationFailed) as failure:
        Salesforce(
            username=credentials.username,
            password="wrong",
            security_token=credentials.security_token,
            domain=emulator.info.login_domain,
            session=_session(emulator),
        )
    assert failure.value.code == "INVALID_LOGIN"


def test_soap_login_requires_the_security_token(emulator: EmulatorProcess) -> None:
    credentials = emulator.credentials
    with pytest.raises(SalesforceAuthenticationFailed):
        Salesforce(
            username=credentials.username,
            password=credentials.password,
            security_token="",
            domain=emulator.info.login_domain,
            session=_session(emulator),
        )


def test_oauth_password_flow(emulator: EmulatorProcess) -> None:
    credentials = emulator.credentials
    sf = Salesforce(
        username=credentials.username,
        password=credentials.password,
        consumer_key=credentials.consumer_key,
        consumer_secret=credentials.consumer_secret,
        domain=emulator.info.login_domain,
        session=_session(emulator),
    )
    assert sf.limits()["DailyApiRequests"]["Max"] > 0


def test_oauth_password_flow_with_wrong_secret(emulator: EmulatorProcess) -> None:
    credentials = emulator.credentials
    with pytest.raises(SalesforceAuthenticationFailed) as failure:
        Salesforce(
            username=credentials.username,
            password=credentials.password,
            consumer_key=credentials.consumer_key,
            consumer_secret="nope",
            domain=emulator.info.login_domain,
            session=_session(emulator),
        )
    assert failure.value.code == "invalid_client"


def test_oauth_password_flow_with_wrong_password(emulator: EmulatorProcess) -> None:
    credentials = emulator.credentials
    with pytest.raises(SalesforceAuthenticationFailed) as failure:
        Salesforce(
            username=credentials.username,
            password="nope",
            consumer_key=credentials.consumer_key,
            consumer_secret=credentials.consumer_secret,
            domain=emulator.info.login_domain,
            session=_session(emulator),
        )
    assert failure.value.code == "invalid_grant"


def test_oauth_client_credentials_flow(emulator: EmulatorProcess) -> None:
    credentials = emulator.credentials
    sf = Salesforce(
        consumer_key=credentials.consumer_key,
        consumer_secret=credentials.consumer_secret,
        domain=emulator.info.login_domain,
        session=_session(emulator),
    )
    assert sf.User.get(credentials.user_id)["Username"] == credentials.username


def test_direct_session_id_and_instance_url(emulator: EmulatorProcess) -> None:
    logged_in = emulator.salesforce()
    sf = Salesforce(
        session_id=logged_in.session_id, instance_url=emulator.base_url, session=_session(emulator)
    )
    assert sf.Organization.get(emulator.credentials.organization_id)["Name"]


def test_invalid_session_is_a_401_json_array(emulator: EmulatorProcess) -> None:
    sf = Salesforce(session_id="00Dbogus!AQbogus", instance_url=emulator.base_url, session=_session(emulator))
    with pytest.raises(SalesforceExpiredSession) as failure:
        sf.describe()
    assert failure.value.status == 401
    assert failure.value.content == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
    ]


def test_expired_session_is_refused(fresh_emulator: EmulatorProcess) -> None:
    sf = fresh_emulator.salesforce()
    direct = Salesforce(
        session_id=sf.session_id, instance_url=fresh_emulator.base_url, session=_session(fresh_emulator)
    )
    assert direct.limits()
    assert fresh_emulator.admin.expire_sessions() >= 1
    with pytest.raises(SalesforceExpiredSession):
        direct.limits()


def test_sessions_survive_a_restart(fresh_emulator: EmulatorProcess) -> None:
    sf = fresh_emulator.salesforce()
    record_id = sf.Account.create({"Name": "Survivor"})["id"]
    fresh_emulator.stop()
    fresh_emulator.start()
    direct = Salesforce(
        session_id=sf.session_id, instance_url=fresh_emulator.base_url, session=_session(fresh_emulator)
    )
    assert direct.Account.get(record_id)["Name"] == "Survivor"


def test_ca_file_is_needed_to_talk_to_the_emulator(emulator: EmulatorProcess) -> None:
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(emulator.base_url + "/services/data", verify=True, timeout=5)
    assert http_session(emulator.info.ca_file).get(emulator.base_url + "/services/data", timeout=5).ok
