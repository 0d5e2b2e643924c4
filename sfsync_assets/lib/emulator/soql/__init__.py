"""The emulator's SOQL engine: SOQL text → one SQLite SELECT over the org tables, plus REST/CSV row renderers."""

from .compiler import CompiledQuery, SelectedColumn, compile_soql

__all__ = ["CompiledQuery", "SelectedColumn", "compile_soql"]
