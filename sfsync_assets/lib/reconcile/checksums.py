"""Per-record checksums of key fields: comparing two hashes is enough to know whether a record drifted."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..outbound.wire import fields_hash

WireValues = Mapping[str, str | None]


def record_checksum(values: WireValues, fields: Sequence[str]) -> str:
    """A hash of the record's wire-spelled values of `fields` (a missing field counts as null)."""
    return fields_hash({field: values.get(field) for field in fields})
