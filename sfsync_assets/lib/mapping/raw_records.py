"""A source's raw rows as records: its raw table, plus the columns its joins add, filtered by its `where`.

Also loads what mapping needs besides the records themselves: the keys lookups must point into and, when a
mapping converts currencies, the ERP's rate table.
"""

from __future__ import annotations

from typing import Any

from duckdb import DuckDBPyConnection

from .currency import RateTable
from .spec import SourceMapping, SourceSpec

RATES_TABLE = "raw_erp.currency_rates"


class RawTableMissing(LookupError):
    """A raw table a mapping reads has not been loaded yet; the message names the asset to materialize."""


def table_exists(connection: DuckDBPyConnection, table: str) -> bool:
    schema, _, name = table.partition(".")
    rows = connection.execute(
        "SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", [schema, name]
    ).fetchall()
    return bool(rows)


def _require(connection: DuckDBPyConnection, table: str, needed_by: str) -> None:
    if not table_exists(connection, table):
        raise RawTableMissing(
            f"{needed_by} reads {table}, which does not exist yet; materialize its raw asset first"
        )


def source_sql(source: SourceSpec) -> str:
    """One SELECT: the source table as `src`, each join as a LEFT JOIN on one row per join key."""
    select = ["src.*", *(f'({expression}) AS "{name}"' for name, expression in source.derived.items())]
    joins = []
    for index, join in enumerate(source.joins):
        alias = f"j{index}"
        keys = ", ".join(f'"{column}"' for column in join.match.values())
        where = f"WHERE {join.where}" if join.where else ""
        order = ", ".join(f'"{column}"' for column in join.columns)
        joins.append(
            f"LEFT JOIN (SELECT * FROM {join.table} {where} "
            f"QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY {order}) = 1) AS {alias} ON "
            + " AND ".join(f'src."{mine}" = {alias}."{theirs}"' for mine, theirs in join.match.items())
        )
        select += [f'{alias}."{column}" AS "{name}"' for column, name in join.columns.items()]
    where = f"WHERE {source.where}" if source.where else ""
    latest = (
        f'QUALIFY row_number() OVER (PARTITION BY src."{source.id}" ORDER BY src."{source.latest_by}" DESC) = 1'
        if source.latest_by
        else ""
    )
    return (
        f"SELECT {', '.join(select)} FROM {source.table} AS src {' '.join(joins)} {where} {latest} "
        f'ORDER BY src."{source.id}"'
    )


def read_records(connection: DuckDBPyConnection, mapping: SourceMapping) -> list[dict[str, Any]]:
    source = mapping.spec.source
    for table in (source.table, *(join.table for join in source.joins)):
        _require(connection, table, mapping.path.name)
    cursor = connection.cursor()
    cursor.execute(source_sql(source))
    names = [description[0] for description in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def reference_keys(
    connection: DuckDBPyConnection, mapping: SourceMapping
) -> dict[tuple[str, str], frozenset[str]]:
    """For every `references` of the mapping, the values its column holds, as text."""
    keys: dict[tuple[str, str], frozenset[str]] = {}
    for _, field_mapping in mapping.spec.field_mappings():
        reference = field_mapping.references
        if reference is None or (reference.table, reference.column) in keys:
            continue
        _require(connection, reference.table, mapping.path.name)
        rows = connection.execute(
            f'SELECT DISTINCT CAST("{reference.column}" AS VARCHAR) FROM {reference.table}'
        )
        keys[(reference.table, reference.column)] = frozenset(
            row[0] for row in rows.fetchall() if row[0] is not None
        )
    return keys


def load_rates(connection: DuckDBPyConnection, needed_by: str) -> RateTable:
    _require(connection, RATES_TABLE, needed_by)
    rows = connection.execute(f"SELECT rate_date, currency, rate_to_usd FROM {RATES_TABLE}").fetchall()
    return RateTable(rows)
