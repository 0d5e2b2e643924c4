"""Connecting to a Salesforce org with simple-salesforce, the same way for a real org and for the emulator.

Only configuration differs between the two: the login domain (`login`, `test`, `mycompany.my`, or
`127.0.0.1:8443/x` for a local org) and an optional CA bundle (for the emulator's own CA, or a TLS-inspecting
proxy). Every request carries `Sforce-Call-Options: client=<client_id>` so the change feed can tell our own writes
from other people's.
"""

from __future__ import annotations

from dataclasses import dataclass

import requests
from requests.adapters import HTTPAdapter
from simple_salesforce import Salesforce

from .budget import ApiGovernor

DEFAULT_API_VERSION = "59.0"
DEFAULT_CLIENT_ID = "sfsync"


class CaBundleAdapter(HTTPAdapter):
    """Verify TLS against one CA bundle, whatever REQUESTS_CA_BUNDLE says.

    requests lets that environment variable override `session.verify`; an adapter is the one place that decides
    last, so a connection configured with a bundle keeps it.
    """

    def __init__(self, ca_bundle: str) -> None:
        super().__init__()
        self.ca_bundle = ca_bundle

    def send(self, request, **kwargs):  # type: ignore[override]
        kwargs["verify"] = self.ca_bundle
        return super().send(request, **kwargs)


class GovernedAdapter(HTTPAdapter):
    """Every API call passes the budget governor before it is sent and reports the org's usage after.

    Sitting in the adapter, it sees REST, Bulk and streaming calls alike, including the ones simple-salesforce
    makes internally (job polls, result pages). Logins are not API calls and are not counted.
    """

    def __init__(self, governor: ApiGovernor, ca_bundle: str | None = None) -> None:
        super().__init__()
        self.governor = governor
        self.ca_bundle = ca_bundle

    def send(self, request, **kwargs):  # type: ignore[override]
        counted = "/services/data/" in request.url or "/cometd/" in request.url
        if counted:
            self.governor.before_call(request.method, request.url.split("?")[0])
        if self.ca_bundle:
            kwargs["verify"] = self.ca_bundle
        response = super().send(request, **kwargs)
        if counted:
            self.governor.observe(response.headers.get("Sforce-Limit-Info"))
        return response


@dataclass(frozen=True)
class ConnectionSettings:
    """How to reach and log in to an org. Secrets come from the environment, never from files in the repo."""

    domain: str = "login"
    username: str | None = None
    password: str | None = None
    security_token: str | None = None
    consumer_key: str | None = None
    consumer_secret: str | None = None
    ca_bundle: str | None = None
    client_id: str = DEFAULT_CLIENT_ID
    api_version: str = DEFAULT_API_VERSION


def http_session(
    ca_bundle: str | None, client_id: str = DEFAULT_CLIENT_ID, governor: ApiGovernor | None = None
) -> requests.Session:
    session = requests.Session()
    if governor is not None:
        session.mount("https://", GovernedAdapter(governor, ca_bundle))
    elif ca_bundle:
        session.mount("https://", CaBundleAdapter(ca_bundle))
    session.headers["Sforce-Call-Options"] = f"client={client_id}"
    return session


def connect(settings: ConnectionSettings, governor: ApiGovernor | None = None) -> Salesforce:
    """Log in with the strongest flow the settings allow: OAuth password, OAuth client credentials, or SOAP."""
    session = http_session(settings.ca_bundle, settings.client_id, governor)
    common = {"session": session, "version": settings.api_version, "domain": settings.domain}
    if settings.consumer_key and settings.consumer_secret and settings.username and settings.password:
        return Salesforce(
            username=settings.username,
            password=settings.password,
            consumer_key=settings.consumer_key,
            consumer_secret=settings.consumer_secret,
            **common,
        )
    if settings.consumer_key and settings.consumer_secret:
        return Salesforce(
            consumer_key=settings.consumer_key, consumer_secret=settings.consumer_secret, **common
        )
    if settings.username and settings.password:
        return Salesforce(
            username=settings.username,
            password=settings.password,
            security_token=settings.security_token or "",
            **common,
        )
    raise ValueError(
        "Salesforce credentials are incomplete: set a username and password (and security token), "
        "or a connected app's consumer key and secret"
    )
