"""The Salesforce connection as a Dagster resource: settings from the environment, a governed session per run."""

from __future__ import annotations

import dagster as dg
from simple_salesforce import Salesforce

from ..lib.salesforce.budget import ApiGovernor
from ..lib.salesforce.connection import ConnectionSettings, connect


class SalesforceResource(dg.ConfigurableResource):
    """Where and as whom to log in. Empty consumer key/secret mean SOAP login; empty CA bundle, the system's."""

    domain: str = "login"
    username: str = ""
    password: str = ""
    security_token: str = ""
    consumer_key: str = ""
    consumer_secret: str = ""
    ca_bundle: str = ""
    client_id: str = "sfsync"
    api_version: str = "59.0"

    def settings(self) -> ConnectionSettings:
        return ConnectionSettings(
            domain=self.domain,
            username=self.username or None,
            password=self.password or None,
            security_token=self.security_token or None,
            consumer_key=self.consumer_key or None,
            consumer_secret=self.consumer_secret or None,
            ca_bundle=self.ca_bundle or None,
            client_id=self.client_id,
            api_version=self.api_version,
        )

    def connect(self, governor: ApiGovernor | None = None) -> Salesforce:
        return connect(self.settings(), governor)
