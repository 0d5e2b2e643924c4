"""What a reader hands back: typed rows in Arrow batches, rejections for quarantine, and record counts."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

MALFORMED_RECORD = (
    "MALFORMED_RECORD"  # the whole record is quarantined (wrong field count, broken quote, length)
)
CONTROL_RECORD = "CONTROL_RECORD_MISSING"  # a declared header or trailer record is not there
RECORD_COUNT_MISMATCH = "RECORD_COUNT_MISMATCH"  # trailer or profile count differs from the records found
UNDECODABLE_FIELD = "UNDECODABLE_FIELD"  # EBCDIC bytes that do not fit the field's PICTURE


@dataclass(frozen=True)
class Rejection:
    """One field (`field` set; the record loads with it null) or one whole record/file (`field` empty) that
    could not be read, with where it is: line for text files, record number and byte offset for binary."""

    rule: str
    reason: str
    field: str = ""
    value: str | None = None
    line_number: int | None = None
    record_number: int | None = None
    byte_offset: int | None = None
    raw: str | None = None


@dataclass(frozen=True)
class ReadBatch:
    table: pa.Table
    rejections: list[Rejection]


@dataclass
class RecordCounts:
    """Data records found (loaded or quarantined whole) against what the trailer and the profile announce."""

    data_records: int = 0
    rejected_records: int = 0
    trailer_count: int | None = None
    profile_records: int | None = None
    header: str | None = None

    def mismatches(self) -> list[str]:
        found = self.data_records
        return [
            f"the {source} announces {expected} data records, the file has {found}"
            for source, expected in (("trailer", self.trailer_count), ("profile", self.profile_records))
            if expected is not None and expected != found
        ]
