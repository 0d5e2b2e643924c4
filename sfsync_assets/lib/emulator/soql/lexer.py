"""SOQL text → tokens that remember their offset, so every later error can point at the offending token.

SOQL has no arithmetic, so `-5` is always a negative number, and its date and datetime literals are unquoted
(`2026-01-01`, `2026-01-01T00:00:00.000+01:00`), so they are tokens of their own. A dotted field path
(`Account.Owner.Name`) is one NAME token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

from ..errors import SalesforceApiError
from .query_errors import malformed_at, unexpected_token


class TokenKind(Enum):
    NAME = "name"
    STRING = "string"
    NUMBER = "number"
    DATE = "date"
    DATETIME = "datetime"
    PUNCT = "punct"
    END = "end"


@dataclass(frozen=True, slots=True)
class Token:
    kind: TokenKind
    text: str  # as written; `<EOF>` for the end
    offset: int
    value: Any = None  # decoded string, int/float, `date`; datetime tokens keep their text
    like_pattern: str | None = None

    def is_word(self, word: str) -> bool:
        return self.kind is TokenKind.NAME and self.text.upper() == word

    def is_punct(self, punct: str) -> bool:
        return self.kind is TokenKind.PUNCT and self.text == punct


_WHITESPACE = re.compile(r"\s+")
_DATETIME_LIKE = re.compile(r"\d{4}-\d{2}-\d{2}T[0-9:.+\-Z]*")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_PUNCTUATION = ("!=", "<>", "<=", ">=", "=", "<", ">", "(", ")", ",", ":")
# Backslash escapes of quoted strings, besides `\%` and `\_` (a literal % or _ in LIKE) and `\uXXXX`.
_ESCAPES = {
    "n": "\n",
    "N": "\n",
    "r": "\r",
    "R": "\r",
    "t": "\t",
    "T": "\t",
    "b": "\b",
    "B": "\b",
    "f": "\f",
    "F": "\f",
    '"': '"',
    "'": "'",
    "\\": "\\",
}
_LIKE_SPECIAL = "%_\\"


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while True:
        blank = _WHITESPACE.match(source, position)
        if blank:
            position = blank.end()
        if position >= len(source):
            tokens.append(Token(TokenKind.END, "<EOF>", len(source)))
            return tokens
        token = _next_token(source, position)
        tokens.append(token)
        position = token.offset + len(token.text)


def _next_token(source: str, position: int) -> Token:
    char = source[position]
    if char == "'":
        return _string(source, position)
    if char.isdigit():
        datetime_like = _DATETIME_LIKE.match(source, position)
        if datetime_like:
            if not _DATETIME.fullmatch(datetime_like.group()):
                raise unexpected_token(source, position, datetime_like.group())
            _calendar_date(source, position, datetime_like.group()[:10])
            return Token(TokenKind.DATETIME, datetime_like.group(), position, datetime_like.group())
        day = _DATE.match(source, position)
        if day:
            return Token(TokenKind.DATE, day.group(), position, _calendar_date(source, position, day.group()))
    number = _NUMBER.match(source, position)
    if number:
        text = number.group()
        return Token(TokenKind.NUMBER, text, position, float(text) if "." in text else int(text))
    name = _NAME.match(source, position)
    if name:
        return Token(TokenKind.NAME, name.group(), position)
    for punct in _PUNCTUATION:
        if source.startswith(punct, position):
            return Token(TokenKind.PUNCT, punct, position)
    raise unexpected_token(source, position, char)


def _calendar_date(source: str, position: int, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise unexpected_token(source, position, text) from None


def _string(source: str, start: int) -> Token:
    """A quoted string: its decoded value, and the same as a LIKE pattern (`%`/`_` wild unless escaped)."""
    value: list[str] = []
    pattern: list[str] = []
    position = start + 1
    while position < len(source):
        char = source[position]
        if char == "'":
            text = source[start : position + 1]
            return Token(TokenKind.STRING, text, start, "".join(value), "".join(pattern))
        if char != "\\":
            value.append(char)
            pattern.append(char)
            position += 1
            continue
        decoded, width = _escape(source, start, position)
        value.append(decoded)
        pattern.append("\\" + decoded if decoded in _LIKE_SPECIAL else decoded)
        position += width
    raise malformed_at(source, len(source), "mismatched character '<EOF>' expecting '''")


def _escape(source: str, start: int, position: int) -> tuple[str, int]:
    """The character a backslash sequence at `position` stands for, and the sequence's length."""
    code = source[position + 1 : position + 2]
    if code in _ESCAPES:
        return _ESCAPES[code], 2
    if code in ("%", "_"):
        return code, 2
    if code == "u" and re.fullmatch(r"[0-9A-Fa-f]{4}", source[position + 2 : position + 6]):
        return chr(int(source[position + 2 : position + 6], 16)), 6
    raise _illegal_escape(source, start, "\\" + code)


def _illegal_escape(source: str, start: int, sequence: str) -> SalesforceApiError:
    end = source.find("'", start + 1)
    literal = source[start : len(source) if end == -1 else end + 1]
    return malformed_at(
        source,
        start,
        f"Invalid string literal {literal}. Illegal character sequence '{sequence}' in string literal.",
    )
