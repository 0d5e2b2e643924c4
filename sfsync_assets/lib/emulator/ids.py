"""Salesforce record ids: 15 case-sensitive base62 characters plus the 3-character case-insensitive suffix.

Clients (and our own product) rely on the suffix being right: they accept 15- or 18-character ids and compare the
18-character forms, so the emulator computes the real checksum instead of making ids up.
"""

from __future__ import annotations

import re

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_ID_PATTERN = re.compile(r"^[0-9A-Za-z]{15}(?:[0-9A-Z]{3})?$")
# The 12 characters after the key prefix: 3 for the instance/pod, 9 for the sequence number.
_POD = "8Z0"
_SEQUENCE_WIDTH = 9


def checksum_suffix(id15: str) -> str:
    """The three characters Salesforce appends to a 15-character id (one per 5-character group)."""
    suffix = []
    for start in (0, 5, 10):
        bits = 0
        for position, char in enumerate(id15[start : start + 5]):
            if "A" <= char <= "Z":
                bits |= 1 << position
        suffix.append(_SUFFIX_ALPHABET[bits])
    return "".join(suffix)


def make_id(key_prefix: str, sequence: int) -> str:
    """The 18-character id of the `sequence`-th record of an object with `key_prefix`."""
    digits = []
    for _ in range(_SEQUENCE_WIDTH):
        sequence, remainder = divmod(sequence, 62)
        digits.append(_BASE62[remainder])
    if sequence:
        raise OverflowError("record sequence exhausted for key prefix " + key_prefix)
    id15 = key_prefix + _POD + "".join(reversed(digits))
    return id15 + checksum_suffix(id15)


def normalize_id(value: str) -> str | None:
    """The 18-character form of a 15- or 18-character id, or None when `value` is not shaped like an id."""
    if not isinstance(value, str) or not _ID_PATTERN.match(value):
        return None
    id15 = value[:15]
    return id15 + checksum_suffix(id15)
