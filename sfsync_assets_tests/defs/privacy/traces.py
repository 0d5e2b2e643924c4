"""Looking for a person everywhere: every table of the warehouse, of the ERP and of the emulator's org database,
and every file of the org's Bulk jobs. Independent of the product's own search, so it can catch what that misses.

A trace is a cell holding one of the person's emails, a cell whose digits hold one of their phone numbers, or a
row holding both their first and last name.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import phonenumbers

CHANGE_EVENT_LOG = "_change_events"  # Salesforce keeps change events 72 hours and offers no way to erase them


@dataclass(frozen=True)
class Looks:
    emails: frozenset[str]
    phones: frozenset[str]  # national significant numbers
    first_names: frozenset[str]
    last_names: frozenset[str]

    @classmethod
    def of(
        cls, emails: Iterable[str], phones: Iterable[str], firsts: Iterable[str], lasts: Iterable[str]
    ) -> Looks:
        national = {str(phonenumbers.parse(phone, None).national_number) for phone in phones}
        return cls(
            frozenset(e.lower() for e in emails),
            frozenset(national),
            frozenset(f.lower() for f in firsts),
            frozenset(n.lower() for n in lasts),
        )

    def in_row(self, cells: Iterable[object]) -> str | None:
        """What of the person the row holds, if anything."""
        texts = [str(cell).lower() for cell in cells if cell is not None]
        for text in texts:
            if any(email in text for email in self.emails):
                return "email"
            digits = re.sub(r"\D", "", text)
            if len(digits) >= 7 and any(phone in digits for phone in self.phones):
                return "phone"
        words = {word for text in texts for word in re.split(r"[^\w]+", text) if word}
        if words & self.first_names and words & self.last_names:
            return "name"
        return None


def _rows_with(rows: Iterable[tuple], looks: Looks, where: str) -> Iterator[str]:
    for row in rows:
        found = looks.in_row(row)
        if found:
            yield f"{where}: {found}"


def warehouse_traces(path: Path, looks: Looks) -> list[str]:
    with duckdb.connect(str(path), read_only=True) as connection:
        tables = connection.execute(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
        ).fetchall()
        return [
            trace
            for schema, name in tables
            for trace in _rows_with(
                connection.execute(f'SELECT * FROM "{schema}"."{name}"').fetchall(), looks, f"{schema}.{name}"
            )
        ]


def sqlite_traces(path: Path, looks: Looks, skip: tuple[str, ...] = ()) -> list[str]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return [
            trace
            for name in tables
            if name not in skip
            for trace in _rows_with(
                connection.execute(f'SELECT * FROM "{name}"'), looks, f"{path.name}:{name}"
            )
        ]
    finally:
        connection.close()


def file_traces(directory: Path, looks: Looks) -> list[str]:
    return [
        trace
        for path in sorted(directory.rglob("*"))
        if path.is_file()
        for trace in _rows_with(
            [line.split(",") for line in path.read_text(encoding="utf-8", errors="replace").splitlines()],
            looks,
            str(path.relative_to(directory)),
        )
    ]
