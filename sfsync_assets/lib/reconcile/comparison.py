"""Two sets of records, keyed alike, compared by count and by per-record checksum of their key fields."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .checksums import WireValues, record_checksum


@dataclass(frozen=True)
class Difference:
    key: str
    field: str
    expected: str | None
    actual: str | None


@dataclass
class Comparison:
    expected_records: int
    actual_records: int
    matching: int = 0
    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)

    @property
    def differing(self) -> int:
        return len({difference.key for difference in self.differences})

    @property
    def agrees(self) -> bool:
        return not (self.differences or self.missing or self.unexpected)

    def counts(self) -> dict[str, int]:
        return {
            "expected": self.expected_records,
            "actual": self.actual_records,
            "checksums_match": self.matching,
            "checksums_differ": self.differing,
            "missing": len(self.missing),
            "unexpected": len(self.unexpected),
        }


def compare(
    expected: Mapping[str, WireValues], actual: Mapping[str, WireValues], fields: Sequence[str]
) -> Comparison:
    """Checksums first; fields are compared one by one only for records whose checksums differ."""
    result = Comparison(len(expected), len(actual))
    result.missing = sorted(set(expected) - set(actual))
    result.unexpected = sorted(set(actual) - set(expected))
    for key in sorted(set(expected) & set(actual)):
        want, have = expected[key], actual[key]
        if record_checksum(want, fields) == record_checksum(have, fields):
            result.matching += 1
            continue
        result.differences += [
            Difference(key, name, want.get(name), have.get(name))
            for name in fields
            if want.get(name) != have.get(name)
        ]
    return result
