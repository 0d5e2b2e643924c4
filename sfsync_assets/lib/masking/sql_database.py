"""An ERP database (any SQLAlchemy URL) copied table by table into a SQLite file, personal columns masked.

The copy keeps each table's columns, types (as their generic SQL type), primary key and indexes, so the ERP
ingest reads it with `SFSYNC_ERP_URL=sqlite:///…` exactly as it read the original. Phones and postal codes stored as
integers are masked as such and stay integers.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from .columns import Kind, column_kind
from .values import NUMERIC_KINDS, Masker

CHUNK_ROWS = 10_000


def _portable(table: sa.Table, metadata: sa.MetaData) -> sa.Table:
    """The table redeclared with generic types, so a PostgreSQL schema can be created in SQLite."""
    columns = []
    for column in table.columns:
        try:
            kind = column.type.as_generic()
        except NotImplementedError:
            kind = sa.Text()
        columns.append(sa.Column(column.name, kind, primary_key=column.primary_key, nullable=column.nullable))
    copy = sa.Table(table.name, metadata, *columns)
    for index in table.indexes:
        sa.Index(index.name, *(copy.c[c.name] for c in index.columns), unique=index.unique)
    return copy


def _kinds(table: sa.Table) -> dict[str, Kind]:
    kinds = {}
    for column in table.columns:
        kind = column_kind(column.name)
        textual = isinstance(column.type, sa.String)
        if kind is not None and (textual or (kind in NUMERIC_KINDS and isinstance(column.type, sa.Integer))):
            kinds[column.name] = kind
    return kinds


def mask_database(
    masker: Masker, url: str, target: Path, progress: Callable[[str], None], schema: str | None = None
) -> dict[str, int]:
    """Mask every table of the database at `url` into the SQLite file `target`; rows per table."""
    source = sa.create_engine(url)
    destination = sa.create_engine(f"sqlite:///{target}")
    counts: dict[str, int] = {}
    try:
        metadata = sa.MetaData()
        metadata.reflect(source, schema=schema)
        copies = sa.MetaData()
        tables = [(table, _portable(table, copies)) for table in metadata.sorted_tables]
        copies.create_all(destination)
        with source.connect() as reading, destination.begin() as writing:
            for table, copy in tables:
                kinds = _kinds(table)
                counts[table.name] = 0
                result = reading.execution_options(yield_per=CHUNK_ROWS).execute(sa.select(table))
                for chunk in result.mappings().partitions():
                    rows = [
                        {
                            name: masker.mask(kinds[name], value) if name in kinds else value
                            for name, value in row.items()
                        }
                        for row in chunk
                    ]
                    writing.execute(sa.insert(copy), rows)
                    counts[table.name] += len(rows)
                masked = ", ".join(sorted(kinds)) or "none"
                progress(f"  erp {table.name}: {counts[table.name]:,} rows (masked: {masked})")
    finally:
        source.dispose()
        destination.dispose()
    return counts
