"""Nicknames: `Bob` and `Robert` are one first name for matching.

The table (`config/matching/nicknames.csv`, columns `name,nickname`) is turned into name groups: names linked by
any nickname row share one group key, so `Alex` joins `Alexander` and `Alejandro`, and `Tony` joins `Anthony` and
`Antonio`. A first name outside the table is its own group.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from .errors import MatchingConfigError
from .text import fold

NICKNAME_TABLE = "sfsync_nickname_groups"


def nickname_groups(path: Path) -> dict[str, str]:
    """Folded first name → group key (the alphabetically first name of its group)."""
    parent: dict[str, str] = {}

    def root(name: str) -> str:
        while parent.setdefault(name, name) != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != ["name", "nickname"]:
            raise MatchingConfigError(f"{path}: header must be 'name,nickname', found {reader.fieldnames}")
        for line, row in enumerate(reader, start=2):
            name, nickname = fold(row["name"] or ""), fold(row["nickname"] or "")
            if not name or not nickname:
                raise MatchingConfigError(f"{path}: line {line}: both name and nickname are required")
            first, second = sorted((root(name), root(nickname)))
            parent[second] = first
    return {name: root(name) for name in parent}


def install_nickname_groups(connection: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Load the groups into a temporary table `sfsync_nickname_groups(name, name_group)`."""
    rows = sorted(nickname_groups(path).items())
    connection.execute(
        f"CREATE OR REPLACE TEMP TABLE {NICKNAME_TABLE} (name VARCHAR PRIMARY KEY, name_group VARCHAR)"
    )
    if rows:
        connection.executemany(f"INSERT INTO {NICKNAME_TABLE} VALUES (?, ?)", rows)
