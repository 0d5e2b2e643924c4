"""A warehouse table's columns as the UI shows them (`dagster/column_schema`), read from DuckDB itself.

Read rather than declared: the assets that write a table through SQL (`CREATE TABLE ... AS`, schemas that grow
with the configuration) would otherwise describe it twice, and the copy would drift from what DuckDB holds.
"""

from typing import Any

import dagster as dg
from duckdb import DuckDBPyConnection

COLUMN_SCHEMA = "dagster/column_schema"


def duckdb_table_schema(connection: DuckDBPyConnection, table: str) -> dg.TableSchema:
    """The columns of `table` (`schema.name`) in DuckDB's order, with their types and whether they take nulls."""
    described = connection.execute(f"DESCRIBE {table}").fetchall()
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name, column_type.lower(), constraints=dg.TableColumnConstraints(nullable=nullable == "YES")
            )
            for name, column_type, nullable, *_ in described
        ]
    )


def column_schema_metadata(connection: DuckDBPyConnection, table: str) -> dict[str, Any]:
    """`dagster/column_schema` of the table an asset writes."""
    return {COLUMN_SCHEMA: duckdb_table_schema(connection, table)}


def table_schemas_metadata(connection: DuckDBPyConnection, tables: dict[str, str]) -> dict[str, Any]:
    """Schemas of the other tables an asset writes besides its own (label → table), shown on its page."""
    return {
        label: dg.MetadataValue.table_schema(duckdb_table_schema(connection, table))
        for label, table in tables.items()
    }
