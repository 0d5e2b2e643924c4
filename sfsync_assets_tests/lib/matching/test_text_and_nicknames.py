"""Name normalisation and nickname groups: the variations systems produce must compare equal."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from sfsync_assets.lib.matching.errors import MatchingConfigError
from sfsync_assets.lib.matching.nicknames import nickname_groups
from sfsync_assets.lib.matching.settings import NICKNAMES_FILE
from sfsync_assets.lib.matching.text import fold, install_text_functions, repair_mojibake


def test_mojibake_is_undone_and_clean_text_left_alone() -> None:
    assert repair_mojibake("JosÃ©") == "José"
    assert repair_mojibake("SÃ¶ren") == "Sören"
    assert repair_mojibake("São Paulo") == "São Paulo"


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("Jürgen", "jurgen"),
        ("O'Brien", "o brien"),
        ("Weiß", "weiss"),
        ("Sapphire & Scott", "sapphire and scott"),
    ],
)
def test_sql_fold_matches_python_fold(written: str, folded: str) -> None:
    with duckdb.connect() as connection:
        install_text_functions(connection)
        assert connection.execute("SELECT sfsync_fold(?)", [written]).fetchall()[0][0] == folded
    assert fold(written) == folded


def test_sql_fold_repairs_mojibake_before_folding() -> None:
    with duckdb.connect() as connection:
        install_text_functions(connection)
        assert connection.execute("SELECT sfsync_fold('RodrÃ­guez')").fetchall()[0][0] == "rodriguez"


def test_nicknames_and_their_names_share_a_group() -> None:
    groups = nickname_groups(NICKNAMES_FILE)
    assert groups["bob"] == groups["robert"] == groups["bobby"]
    assert groups["alex"] == groups["alexander"] == groups["alejandro"]
    assert groups["robert"] != groups["william"]


def test_a_nickname_file_without_the_expected_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "nicknames.csv"
    path.write_text("first,short\nrobert,bob\n", encoding="utf-8")
    with pytest.raises(MatchingConfigError, match="header must be 'name,nickname'"):
        nickname_groups(path)
