"""Keyed hashes of identifiers: what the proof, the tombstones and a closed request keep instead of an email or id.

A plain hash of an email can be confirmed by anyone who guesses the email: hash the guess and compare. An HMAC
under a secret key cannot be recomputed without the key, so the privacy tables reveal nothing to whoever reads
them alone. The key comes from the environment (`SFSYNC_PRIVACY_KEY`, never from a file in the repository) and
must stay the same for the life of the deployment: a returning person is recognised by hashing an email seen
again and finding it among the tombstones.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets

PRIVACY_KEY_VARIABLE = "SFSYNC_PRIVACY_KEY"
MIN_KEY_LENGTH = 16
_DOMAIN = b"sfsync-forget:"


class PrivacyKeyError(ValueError):
    """The key of the privacy hashes is missing or too short to keep them unguessable."""


def new_privacy_key() -> str:
    """A fresh random key, for a new deployment's environment."""
    return secrets.token_urlsafe(32)


class IdentifierHasher:
    """Hashes identifiers (trimmed, lower case) with HMAC-SHA256 under the deployment's privacy key."""

    def __init__(self, key: str, variable: str = PRIVACY_KEY_VARIABLE) -> None:
        if len(key) < MIN_KEY_LENGTH:
            state = "unset" if not key else f"{len(key)} characters"
            raise PrivacyKeyError(
                f"environment variable {variable} must hold the key of the erasure proof's hashes, at least "
                f"{MIN_KEY_LENGTH} characters (it is {state}); generate one with "
                "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`, keep it secret and never "
                "change it, or tombstones stop recognising erased people"
            )
        self._key = key.encode("utf-8")

    @classmethod
    def from_environment(cls, variable: str = PRIVACY_KEY_VARIABLE) -> IdentifierHasher:
        return cls(os.environ.get(variable, ""), variable)

    def __call__(self, value: str) -> str:
        normalised = value.strip().lower().encode("utf-8")
        return hmac.new(self._key, _DOMAIN + normalised, hashlib.sha256).hexdigest()
