"""Helpers shared by the copybook tests: tiny copybooks and one-call decoding."""

from __future__ import annotations

from sfsync_assets.lib.copybook import CopybookDecoder, DecodedBatch, DecodeOptions, parse_copybook


def copybook_text(*entries: str) -> str:
    """A fixed-format copybook: `01 REC.` then each entry at level 05, code starting in column 8."""
    return "\n".join(["       01  REC.", *(f"           05  {entry}" for entry in entries)]) + "\n"


def decode(entries: list[str], records: list[bytes], **options: object) -> DecodedBatch:
    decoder = CopybookDecoder(parse_copybook(copybook_text(*entries)), DecodeOptions(**options))
    return decoder.decode_records(records)


def decode_one(entry: str, raw: bytes, **options: object) -> tuple[object, list]:
    """Decode one field (named F) of one record: (value, issues)."""
    batch = decode([f"F {entry}"], [raw], **options)
    return batch.table.column("REC.F")[0].as_py(), batch.issues
