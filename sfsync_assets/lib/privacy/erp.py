"""Erasing a person from the ERP database through SQLAlchemy (any dialect), in one transaction.

Rows that are a person (`erp.person_tables`) are deleted; rows of an organization that hold a person inside
(`erp.shared_tables`, a customer with its primary contact) keep the organization and lose the person's columns,
with their change time moved to now so every reader of the ERP sees the change. Rows are found by the keys of
the person's ERP records and by email.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from .person import Person, SourceRecord
from .register import CLEARED, DELETED
from .settings import ErpErasureSettings, ErpPersonTable

ERP_SYSTEM = "erp"


@dataclass(frozen=True)
class ErpErasure:
    table: str
    action: str
    rows: int


def _keys(column: sa.Column, records: Iterable[SourceRecord], table: str) -> list:
    """The ids of the person's records of `table`, typed as the key column is (ids are text in the warehouse)."""
    python_type = column.type.python_type
    return [python_type(r.id) for r in records if r.system == ERP_SYSTEM and r.object == table]


def _matching(
    table: sa.Table, spec: ErpPersonTable, person: Person, records: Iterable[SourceRecord]
) -> sa.ColumnElement:
    keys = _keys(table.c[spec.key], records, table.name)
    return sa.or_(table.c[spec.key].in_(keys), sa.func.lower(table.c[spec.email]).in_(sorted(person.emails)))


def erase_from_erp(
    engine: sa.Engine, schema: str | None, person: Person, settings: ErpErasureSettings, now: datetime
) -> list[ErpErasure]:
    """Delete the person's rows and clear their columns in shared rows; `now` (naive, the ERP's clock) is the
    change time of cleared rows."""
    metadata = sa.MetaData(schema=schema)
    metadata.reflect(engine, only=[*settings.person_tables, *settings.shared_tables])
    erased = []
    with engine.begin() as connection:
        for name, spec in settings.person_tables.items():
            table = metadata.tables[f"{schema}.{name}" if schema else name]
            condition = _matching(table, spec, person, person.records)
            result = connection.execute(sa.delete(table).where(condition))
            erased.append(ErpErasure(name, DELETED, result.rowcount))
        for name, spec in settings.shared_tables.items():
            table = metadata.tables[f"{schema}.{name}" if schema else name]
            values = {column: None for column in spec.columns} | ({spec.touch: now} if spec.touch else {})
            condition = _matching(table, spec, person, person.shared_records)
            result = connection.execute(sa.update(table).where(condition).values(values))
            erased.append(ErpErasure(name, CLEARED, result.rowcount))
    return [entry for entry in erased if entry.rows]
