"""TLS is verified on every connection the product makes: the emulator's certificate is refused by the system's
trust store unless its CA bundle is configured, the product's own connection does not fall back to an
unverified one, and no product code switches verification off."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import requests

import sfsync_assets
from sfsync_assets.lib.emulator.process import EmulatorProcess
from sfsync_assets.lib.salesforce.connection import CaBundleAdapter, ConnectionSettings, connect

PRODUCT = Path(sfsync_assets.__file__).parent


@pytest.fixture(autouse=True)
def _system_trust_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """requests would otherwise honour a CA bundle from the environment (see the README)."""
    for variable in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
        monkeypatch.delenv(variable, raising=False)


def test_the_system_trust_store_refuses_the_emulator(emulator: EmulatorProcess) -> None:
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(emulator.base_url + "/services/data", timeout=10)


def test_the_configured_ca_bundle_is_what_makes_it_trusted(emulator: EmulatorProcess) -> None:
    session = requests.Session()
    session.mount("https://", CaBundleAdapter(emulator.info.ca_file))
    assert session.get(emulator.base_url + "/services/data", timeout=10).status_code == 200


def test_the_product_connection_without_a_ca_bundle_fails_on_tls(emulator: EmulatorProcess) -> None:
    settings = emulator.connection_settings()
    unconfigured = ConnectionSettings(
        domain=settings.domain,
        username=settings.username,
        password=settings.password,
        security_token=settings.security_token,
        ca_bundle=None,
    )
    with pytest.raises(requests.exceptions.SSLError):
        connect(unconfigured)


def _disabling_verification(tree: ast.AST) -> list[str]:
    """`verify=False`, `ssl.CERT_NONE`, `check_hostname = False`, unverified contexts, silenced TLS warnings."""
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.keyword)
            and node.arg == "verify"
            and getattr(node.value, "value", None) is False
        ):
            found.append(f"line {node.value.lineno}: verify=False")
        elif isinstance(node, ast.Attribute) and node.attr in (
            "CERT_NONE",
            "_create_unverified_context",
            "disable_warnings",
        ):
            found.append(f"line {node.lineno}: {node.attr}")
        elif (
            isinstance(node, ast.Assign)
            and any(
                isinstance(t, ast.Attribute) and t.attr in ("verify", "check_hostname") for t in node.targets
            )
            and getattr(node.value, "value", None) is False
        ):
            found.append(f"line {node.lineno}: verification assigned False")
    return found


def test_no_product_code_disables_certificate_verification() -> None:
    offenders = {
        str(path.relative_to(PRODUCT)): found
        for path in sorted(PRODUCT.rglob("*.py"))
        if (found := _disabling_verification(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert offenders == {}


def test_the_check_finds_what_it_looks_for() -> None:
    sample = "import ssl, requests\nrequests.get(u, verify=False)\nc.check_hostname = False\nssl.CERT_NONE\n"
    assert len(_disabling_verification(ast.parse(sample))) == 3
