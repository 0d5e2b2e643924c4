"""Text normalisation shared by matching and survivorship, as DuckDB macros plus one Python function.

Names are compared after folding case and accents (`Jürgen` ~ `Jurgen`, as cp1252 exports write them) and after
undoing mojibake (`JosÃ©` → `José`: UTF-8 read as cp1252), so an encoding accident in one system does not look
like a different person.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata

import duckdb

# A UTF-8 lead byte (U+00C2..U+00DF as cp1252 shows it) followed by a continuation byte rendered by cp1252.
MOJIBAKE_PATTERN = "[Â-ß][\\x{A0}-\\x{BF}€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]"
_REPAIR_FUNCTION = "sfsync_repair_mojibake"
TEXT_MACROS = f"""
    CREATE OR REPLACE TEMP MACRO sfsync_unmangled(t) AS
        CASE WHEN regexp_matches(t, '{MOJIBAKE_PATTERN}') THEN {_REPAIR_FUNCTION}(t) ELSE t END;
    CREATE OR REPLACE TEMP MACRO sfsync_fold(t) AS nullif(trim(regexp_replace(
        strip_accents(replace(replace(replace(replace(replace(replace(lower(sfsync_unmangled(t)),
            'ß', 'ss'), 'æ', 'ae'), 'ø', 'o'), 'ł', 'l'), 'đ', 'd'), '&', ' and ')),
        '[^a-z0-9]+', ' ', 'g')), '');
    CREATE OR REPLACE TEMP MACRO sfsync_alnum(t) AS
        nullif(upper(regexp_replace(t, '[^A-Za-z0-9]+', '', 'g')), '');
"""
_FOLDED = str.maketrans({"ß": "ss", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "&": " and "})


def repair_mojibake(text: str) -> str:
    """`JosÃ©` → `José`; text that is not UTF-8 read as cp1252 is returned unchanged."""
    try:
        return text.encode("cp1252").decode("utf-8")
    except UnicodeError:
        return text


def fold(text: str) -> str:
    """The Python twin of the `sfsync_fold` macro, for configuration values compared with folded columns."""
    lowered = unicodedata.normalize("NFKD", text.lower().translate(_FOLDED))
    plain = "".join(ch for ch in lowered if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def install_text_functions(connection: duckdb.DuckDBPyConnection) -> None:
    """Create the macros (temporary, per connection) and the mojibake repair function the feature SQL uses."""
    # Asking duckdb_functions() first costs a scan of every function (20 ms a run); a second registration on
    # the same connection is refused instead.
    with contextlib.suppress(duckdb.NotImplementedException):
        connection.create_function(
            _REPAIR_FUNCTION, repair_mojibake, ["VARCHAR"], "VARCHAR", side_effects=False
        )
    connection.execute(TEXT_MACROS)
