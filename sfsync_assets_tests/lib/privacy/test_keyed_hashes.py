"""The privacy tables' hashes are keyed: a guessed email cannot be confirmed against them without the key, and
a returning person is recognised only under the key their tombstone was written with."""

from __future__ import annotations

import hashlib
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from sfsync_assets.defs.privacy.resources import privacy_resources
from sfsync_assets.demo import _kept_privacy_key
from sfsync_assets.lib.privacy.hashing import PRIVACY_KEY_VARIABLE, IdentifierHasher, PrivacyKeyError
from sfsync_assets.lib.privacy.register import EMAIL, file_request, pending_requests
from sfsync_assets.lib.privacy.tombstones import file_returning

KEY = "a-privacy-key-for-tests-only"
EMAIL_ADDRESS = "ada.lovelace@example.com"


def test_a_guessed_email_cannot_be_confirmed_without_the_key() -> None:
    hashed = IdentifierHasher(KEY)(EMAIL_ADDRESS)
    plain_guesses = {
        hashlib.sha256(guess.encode()).hexdigest()
        for guess in (EMAIL_ADDRESS, "sfsync-forget:" + EMAIL_ADDRESS)
    }

    assert hashed == IdentifierHasher(KEY)(f"  {EMAIL_ADDRESS.upper()} ")  # normalised like every identifier
    assert hashed not in plain_guesses
    assert hashed != IdentifierHasher(KEY + "-other")(EMAIL_ADDRESS)


@pytest.mark.parametrize(("value", "state"), [("", "it is unset"), ("short", "it is 5 characters")])
def test_a_missing_or_short_key_is_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, value: str, state: str
) -> None:
    monkeypatch.setenv(PRIVACY_KEY_VARIABLE, value)

    with pytest.raises(PrivacyKeyError, match=f"{PRIVACY_KEY_VARIABLE} must hold the key") as refused:
        IdentifierHasher.from_environment()

    assert state in str(refused.value)


def _returning(tmp_path: Path, tombstone_key: str, reading_key: str) -> list[str]:
    """A person erased under one key shows up again in a raw table; which requests does a run under another file?"""
    connection = duckdb.connect(str(tmp_path / f"{tombstone_key}-{reading_key}.duckdb"))
    connection.execute("CREATE SCHEMA raw_legacy")
    connection.execute(
        "CREATE TABLE raw_legacy.contacts AS SELECT * FROM (VALUES ('C1', 'Ada.Lovelace@Example.com '), "
        "('C2', 'grace@example.com'), ('C3', '{\"email\":\"ada.lovelace@example.com\"}')) AS t(id, email)"
    )
    file_request(connection, EMAIL, EMAIL_ADDRESS, IdentifierHasher(tombstone_key))
    [request] = pending_requests(connection)
    connection.execute(
        "INSERT INTO privacy.tombstones VALUES (?, ?, now())",
        [IdentifierHasher(tombstone_key)(EMAIL_ADDRESS), request.request_id],
    )
    connection.execute("UPDATE privacy.forget_requests SET identifier = NULL, status = 'erased'")

    file_returning(connection, [], IdentifierHasher(reading_key))

    return [request.identifier for request in pending_requests(connection)]


def test_a_returning_person_is_recognised_only_under_the_key_of_their_tombstone(tmp_path: Path) -> None:
    assert _returning(tmp_path, KEY, KEY) == [EMAIL_ADDRESS]
    assert _returning(tmp_path, KEY, KEY + "-rotated") == []


def test_the_deployment_reads_the_key_from_the_environment_and_the_demo_keeps_its_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deployed = privacy_resources().resources["privacy"].hash_key
    monkeypatch.chdir(tmp_path)
    assert _kept_privacy_key() == {}  # no .env yet: the demo writes the new random key
    Path(".env").write_text(f"SFSYNC_DUCKDB_PATH=x\n{PRIVACY_KEY_VARIABLE}={KEY}\n", encoding="utf-8")

    assert isinstance(deployed, dg.EnvVar) and deployed.env_var_name == PRIVACY_KEY_VARIABLE
    assert _kept_privacy_key() == {PRIVACY_KEY_VARIABLE: KEY}
