"""The secret every fake is derived from, read from the environment and never written anywhere.

Masking is keyed HMAC-SHA256: with the key, a value always maps to the same fake (copies made on different days
join); without it, the mapping cannot be recomputed, so a fake cannot be reversed by re-running the tool.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass, field

from .errors import MaskKeyError

DEFAULT_KEY_VARIABLE = "SFSYNC_MASK_KEY"
MIN_KEY_LENGTH = 16


@dataclass(frozen=True)
class MaskKey:
    secret: bytes = field(repr=False)

    @classmethod
    def from_environment(cls, variable: str = DEFAULT_KEY_VARIABLE) -> MaskKey:
        value = os.environ.get(variable, "")
        if len(value) < MIN_KEY_LENGTH:
            raise MaskKeyError(
                f"environment variable {variable} must hold the masking key, at least {MIN_KEY_LENGTH} "
                f"characters (it is {'unset' if not value else f'{len(value)} characters'}); generate one with "
                "`python -c 'import secrets; print(secrets.token_urlsafe(32))'` and keep it out of the repository"
            )
        return cls(value.encode("utf-8"))

    def digest(self, *parts: str | bytes) -> bytes:
        """HMAC of the parts, unambiguous however they split (each is length-prefixed)."""
        message = b"".join(
            len(encoded).to_bytes(4, "big") + encoded
            for encoded in (part if isinstance(part, bytes) else part.encode("utf-8") for part in parts)
        )
        return hmac.new(self.secret, message, hashlib.sha256).digest()

    def number(self, *parts: str | bytes) -> int:
        return int.from_bytes(self.digest(*parts), "big")
