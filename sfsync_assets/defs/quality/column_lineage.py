"""Which raw columns each staged column is made from, as its mapping file declares (`dagster/column_lineage`).

A canonical field reads its `from` column of the source record; a record column is a column of the source's raw
table, a column a join brings in from another raw table, or a `derived` SQL expression over the source table
(parsed by DuckDB, not by hand, to find the columns it reads). Phones also read the columns their country comes
from, and currency conversions the record's currency and date columns. Lineage columns come from the source's id,
change time and deletion flag. Defaults and constants read nothing, so they have no upstream columns.
"""

import json
from collections.abc import Iterator

import dagster as dg
from duckdb import DuckDBPyConnection

from ...lib.mapping.raw_records import RATES_TABLE
from ...lib.mapping.spec import FieldMapping, SourceSpec, TargetSpec, raw_asset_path

RawColumn = tuple[str, str]  # (raw table, column)


def _column_refs(node: object) -> Iterator[list[str]]:
    if isinstance(node, dict):
        if node.get("class") == "COLUMN_REF":
            yield node["column_names"]
        for child in node.values():
            yield from _column_refs(child)
    elif isinstance(node, list):
        for child in node:
            yield from _column_refs(child)


def derived_columns(connection: DuckDBPyConnection, source: SourceSpec, expression: str) -> list[RawColumn]:
    """The source-table columns a `derived` expression reads (`src.x` or a bare `x`)."""
    [(tree,)] = connection.execute(
        "SELECT json_serialize_sql(?)", [f"SELECT {expression} FROM {source.table} AS src"]
    ).fetchall()
    names = [ref[-1] for ref in _column_refs(json.loads(tree)) if len(ref) == 1 or ref[0] == "src"]
    return [(source.table, name) for name in dict.fromkeys(names)]


def record_columns(connection: DuckDBPyConnection, source: SourceSpec) -> dict[str, list[RawColumn]]:
    """The record columns that are not simply the source table's own: joined and derived ones."""
    found: dict[str, list[RawColumn]] = {
        name: [(join.table, column)] for join in source.joins for column, name in join.columns.items()
    }
    for name, expression in source.derived.items():
        found[name] = derived_columns(connection, source, expression)
    return found


def _reads(field: FieldMapping, source: SourceSpec) -> list[str]:
    """The record columns a field mapping reads: its `from`, and what its transforms look up in the record."""
    names = [field.source_field] if field.source_field else []
    for step in field.transforms:
        if step.name == "phone_e164":
            names += source.phone_region_from
        if step.name == "to_usd":
            names += [step.argument["currency_from"], step.argument["date_from"]]
    return names


def staged_lineage(
    connection: DuckDBPyConnection, source: SourceSpec, target: TargetSpec
) -> dict[str, list[RawColumn]]:
    """Staged column → the raw columns it is made from."""
    extra = record_columns(connection, source)

    def raw(names: list[str]) -> list[RawColumn]:
        found = [column for name in names for column in extra.get(name, [(source.table, name)])]
        return list(dict.fromkeys(found))

    lineage = {
        "source_id": raw([source.id]),
        "source_key": raw([source.id]),
        "source_updated_at": raw(_reads(source.updated_at, source)),
        **({"is_deleted": raw([source.deleted])} if source.deleted else {}),
    }
    for name, field in target.fields.items():
        columns = raw(_reads(field, source))
        if any(step.name == "to_usd" for step in field.transforms):
            columns.append((RATES_TABLE, "rate_to_usd"))
        if columns:
            lineage[name] = columns
    return lineage


def column_lineage(lineage: dict[str, list[RawColumn]]) -> dg.TableColumnLineage:
    return dg.TableColumnLineage(
        {
            column: [
                dg.TableColumnDep(asset_key=dg.AssetKey(raw_asset_path(table)), column_name=name)
                for table, name in sources
            ]
            for column, sources in lineage.items()
        }
    )
