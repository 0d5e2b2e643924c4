"""Fixtures of the identity tests: the session's generated company, staged and resolved (see prepared.py)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from .generated_company import truth_entities
from .prepared import company_dir, resolved_database, staged_database


@pytest.fixture(scope="session")
def company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return company_dir(tmp_path_factory)


@pytest.fixture(scope="session")
def staged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return staged_database(tmp_path_factory)


@pytest.fixture(scope="session")
def resolved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return resolved_database(tmp_path_factory)


@pytest.fixture(scope="session")
def truth(company: Path, staged: Path) -> dict[str, pd.Series]:
    """Per entity type: source_key → true entity id, for every staged record (shipping addresses are not)."""
    rows = truth_entities(company)
    truth = {}
    with duckdb.connect(str(staged), read_only=True) as connection:
        for entity_type in ("person", "organization"):
            keys = connection.sql(f"SELECT source_key FROM staged.{entity_type}").df()["source_key"]
            truth[entity_type] = pd.Series({key: rows[(entity_type, key)] for key in keys})
    return truth
