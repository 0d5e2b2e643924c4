"""Looking for people in Dagster's own storage: every event of every run (materialization and check metadata,
log messages, failures) and every run record, as the instance stores them.

What counts as a person's value: any email, phone number or first-and-last-name pair of the people the warehouse
holds (every source's own variant, as staged). Independent of the product's notion of personal columns, so it
catches a preview that notion misses.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import phonenumbers

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_DIGITS = re.compile(r"\+?\d[\d ()./-]{5,}\d")
_WORD = re.compile(r"\w+")
_COUNTRY_CODE_DIGITS = 3


@dataclass(frozen=True)
class People:
    emails: frozenset[str]
    phones: frozenset[str]  # national significant numbers
    names: dict[str, frozenset[str]]  # first name → last names it goes with

    @classmethod
    def in_warehouse(cls, warehouse: Path) -> People:
        with duckdb.connect(str(warehouse), read_only=True) as connection:
            rows = connection.execute(
                "SELECT lower(Email), Phone, MobilePhone, lower(FirstName), lower(LastName) FROM staged.person"
            ).fetchall()
        names: dict[str, set[str]] = {}
        for _, _, _, first, last in rows:
            if first and last:
                names.setdefault(first, set()).add(last)
        phones = {
            str(phonenumbers.parse(phone, None).national_number)
            for row in rows
            for phone in row[1:3]
            if phone
        }
        return cls(
            frozenset(row[0] for row in rows if row[0]),
            frozenset(phones),
            {first: frozenset(lasts) for first, lasts in names.items()},
        )

    def in_text(self, text: str) -> Iterator[str]:
        """What of anyone the text shows: `email`, `phone` or `name` with the value found."""
        lowered = text.lower()
        for email in _EMAIL.findall(lowered):
            if email in self.emails:
                yield f"email {email}"
        for number in _DIGITS.findall(text):
            digits = re.sub(r"\D", "", number)
            for cut in range(_COUNTRY_CODE_DIGITS + 1):
                if digits[cut:] in self.phones:
                    yield f"phone {number}"
                    break
        for line in lowered.splitlines():
            words = set(_WORD.findall(line))
            for first in words & self.names.keys():
                for last in words & self.names[first]:
                    yield f"name {first} {last}"


def stored_texts(instance: dg.DagsterInstance) -> Iterator[tuple[str, str]]:
    """(where, text) for every run record and every event of every run, serialized as the instance stores it."""
    for run in instance.get_runs():
        yield f"run {run.job_name} {run.run_id}", dg.serialize_value(run)
        for entry in instance.all_logs(run.run_id):
            where = f"{run.job_name} {entry.step_key or ''} {entry.dagster_event_type or 'log'}"
            yield where, dg.serialize_value(entry)


def dagster_traces(home: Path, people: People) -> list[str]:
    with dg.DagsterInstance.from_config(str(home)) as instance:
        return [
            f"{where}: {found}" for where, text in stored_texts(instance) for found in people.in_text(text)
        ]
