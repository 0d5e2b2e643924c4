"""Copybook text → tree of `CopybookField`.

Reads IBM fixed-format source: columns 1-6 are a sequence area, column 7 an indicator (`*` and `/` mark
comments, `-` continues a literal), columns 8-72 hold code and 73-80 are ignored. Tabs are expanded to
8-column stops first. `source_format="free"` reads whole lines instead, for copybooks that were re-typed
without the columns.

Hand-written because no PyPI COBOL parser handles the clauses mainframe exports use (COMP, OCCURS
DEPENDING ON, REDEFINES inside OCCURS, SIGN SEPARATE) correctly.

Clauses that change storage are honoured; the rest are skipped on purpose: VALUE (initial values are not
data), level 88 (condition names), JUSTIFIED (only affects MOVE), INDEXED BY / KEY IS, GLOBAL/EXTERNAL.
SYNCHRONIZED is accepted and ignored: the reader assumes the export carries no slack bytes, which holds
for copybooks without SYNC and for SYNC on DISPLAY/packed items; binary items declared SYNC inside a
record may be misplaced.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Literal

from .errors import CopybookDefinitionError, CopybookSyntaxError, PictureError, UnsupportedFeatureError
from .picture import Picture, PictureCategory, parse_picture

SourceFormat = Literal["fixed", "free"]

_TOKEN = re.compile(r"""[XNG]?'(?:[^']|'')*'?|[XNG]?"(?:[^"]|"")*"?|[^\s'"]+""", re.IGNORECASE)
_NAME = re.compile(r"[A-Z0-9][A-Z0-9_-]*")
_MAX_DIGITS = 38  # widest decimal Arrow's decimal128 holds; COBOL itself stops at 31
_END = "."  # marks the separator period that closes an entry


class Usage(StrEnum):
    """How a field's bytes encode its value."""

    DISPLAY = "DISPLAY"  # one character per position: text, zoned decimal or edited number
    BINARY = "COMP"  # COMP / COMP-4 / BINARY: big-endian two's complement
    NATIVE_BINARY = "COMP-5"  # binary that may use the full range of its bytes
    PACKED = "COMP-3"  # packed decimal: two digits per byte, sign in the last nibble
    FLOAT_SINGLE = "COMP-1"  # 4-byte floating point
    FLOAT_DOUBLE = "COMP-2"  # 8-byte floating point


_USAGE_WORDS = {
    "DISPLAY": Usage.DISPLAY,
    "COMP": Usage.BINARY,
    "COMPUTATIONAL": Usage.BINARY,
    "COMP-4": Usage.BINARY,
    "COMPUTATIONAL-4": Usage.BINARY,
    "BINARY": Usage.BINARY,
    "COMP-5": Usage.NATIVE_BINARY,
    "COMPUTATIONAL-5": Usage.NATIVE_BINARY,
    "COMP-3": Usage.PACKED,
    "COMPUTATIONAL-3": Usage.PACKED,
    "PACKED-DECIMAL": Usage.PACKED,
    "COMP-1": Usage.FLOAT_SINGLE,
    "COMPUTATIONAL-1": Usage.FLOAT_SINGLE,
    "COMP-2": Usage.FLOAT_DOUBLE,
    "COMPUTATIONAL-2": Usage.FLOAT_DOUBLE,
}
_UNSUPPORTED_USAGES = frozenset(
    {"NATIONAL", "DISPLAY-1", "POINTER", "PROCEDURE-POINTER", "FUNCTION-POINTER", "INDEX", "OBJECT", "UTF-8"}
)
_CLAUSE_WORDS = frozenset(
    {"PIC", "PICTURE", "USAGE", "OCCURS", "REDEFINES", "VALUE", "VALUES", "SIGN", "LEADING", "TRAILING"}
    | {"SYNC", "SYNCHRONIZED", "JUST", "JUSTIFIED", "BLANK", "GLOBAL", "EXTERNAL", "RENAMES", "IS"}
    | set(_USAGE_WORDS)
    | _UNSUPPORTED_USAGES
)
_OCCURS_TAIL_WORDS = frozenset({"ASCENDING", "DESCENDING", "KEY", "IS", "INDEXED", "BY"})


class SignPosition(StrEnum):
    LEADING = "LEADING"
    TRAILING = "TRAILING"


@dataclass(frozen=True)
class SignClause:
    """Where a DISPLAY number keeps its sign; without the clause it is overpunched on the last byte."""

    position: SignPosition
    separate: bool


@dataclass(frozen=True)
class Occurs:
    min_count: int
    max_count: int
    depending_on: str | None = None

    def describe(self) -> str:
        if self.depending_on is None:
            return str(self.max_count)
        return f"{self.min_count} TO {self.max_count} DEPENDING ON {self.depending_on}"


@dataclass(eq=False)
class CopybookField:
    """One data description entry. Identity matters (eq=False): the same name can appear many times."""

    level: int
    name: str
    line: int
    source_text: str
    picture: Picture | None = None
    usage: Usage = Usage.DISPLAY
    sign: SignClause | None = None
    occurs: Occurs | None = None
    redefines: str | None = None
    blank_when_zero: bool = False
    children: list[CopybookField] = field(default_factory=list)

    @property
    def is_group(self) -> bool:
        return bool(self.children)

    @property
    def is_filler(self) -> bool:
        return self.name == "FILLER"

    @property
    def storage_length(self) -> int:
        """Bytes one occurrence of this elementary item takes in the record."""
        if self.usage is Usage.FLOAT_SINGLE:
            return 4
        if self.usage is Usage.FLOAT_DOUBLE:
            return 8
        assert self.picture is not None  # the parser guarantees a PICTURE on other elementary items
        if self.usage is Usage.PACKED:
            return self.picture.digits // 2 + 1
        if self.usage in (Usage.BINARY, Usage.NATIVE_BINARY):
            return 2 if self.picture.digits <= 4 else 4 if self.picture.digits <= 9 else 8
        separate_sign = self.sign is not None and self.sign.separate
        return self.picture.size + separate_sign

    def walk(self) -> Iterator[CopybookField]:
        """This field and all its descendants, in source order."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class Copybook:
    """A parsed copybook: its top-level entries (normally one 01 record) in source order."""

    source: str
    records: tuple[CopybookField, ...]

    def fields(self) -> Iterator[CopybookField]:
        for record in self.records:
            yield from record.walk()


@dataclass(frozen=True)
class _Token:
    text: str
    line: int


def load_copybook(path: str | Path, *, source_format: SourceFormat = "fixed") -> Copybook:
    """Read and parse a copybook file; errors name the file."""
    path = Path(path)
    return parse_copybook(
        path.read_text(encoding="utf-8", errors="replace"), source=str(path), source_format=source_format
    )


def parse_copybook(
    text: str, *, source: str = "<copybook>", source_format: SourceFormat = "fixed"
) -> Copybook:
    """Parse copybook source text into a field tree (usage and SIGN inherited from groups)."""
    return _Parser(text, source, source_format).parse()


class _Parser:
    def __init__(self, text: str, source: str, source_format: SourceFormat) -> None:
        self.source = source
        self.lines = text.splitlines()
        self.source_format = source_format
        self._declared_usage: set[CopybookField] = set()

    def parse(self) -> Copybook:
        records: list[CopybookField] = []
        open_items: list[CopybookField] = []
        for entry in self._entries():
            item = self._parse_entry(entry)
            if item is None:
                continue
            while open_items and (open_items[-1].level >= item.level or item.level == 77):
                self._check(open_items.pop())
            if open_items:
                self._inherit(open_items[-1], item)
                open_items[-1].children.append(item)
            else:
                records.append(item)
            open_items.append(item)
        for item in reversed(open_items):
            self._check(item)
        if not records:
            raise self._error(CopybookSyntaxError, "no data description entries found", 1)
        return Copybook(self.source, tuple(records))

    # -- source text → entries ---------------------------------------------------------------------------

    def _code_lines(self) -> Iterator[tuple[int, str]]:
        """(line number, code text) with comments dropped and literal continuations joined."""
        pending: tuple[int, str] | None = None
        for number, raw in enumerate(self.lines, start=1):
            line = raw.expandtabs(8)
            if self.source_format == "free":
                indicator, code = "", line.split("*>", 1)[0]
                if code.lstrip().startswith("*"):
                    continue
            else:
                indicator, code = line[6:7], line[7:72]
            if indicator in ("*", "/"):
                continue
            if indicator == "-" and pending is not None:
                # A continued literal resumes after the quote that opens the continuation line; a continued
                # word resumes at the first non-blank. VALUE literals are skipped, so only tokenizing matters.
                body = code.lstrip()
                if body[:1] in ("'", '"'):
                    pending = (pending[0], pending[1] + body[1:])
                else:
                    pending = (pending[0], pending[1].rstrip() + body)
                continue
            if pending is not None:
                yield pending
            pending = (number, code)
        if pending is not None:
            yield pending

    def _entries(self) -> Iterator[list[_Token]]:
        entry: list[_Token] = []
        for number, code in self._code_lines():
            for word in _TOKEN.findall(code):
                ends_entry = word.endswith(".") and not word.startswith(("'", '"'))
                text = word[:-1] if ends_entry else word
                if text.endswith((",", ";")) and not text.startswith(("'", '"')):
                    text = text[:-1]  # a comma or semicolon followed by a space is a separator
                if text:
                    entry.append(_Token(text, number))
                if ends_entry and entry:
                    yield entry
                    entry = []
        if entry:
            raise self._error(CopybookSyntaxError, "entry is not ended by a period", entry[-1].line)

    # -- one entry → CopybookField -----------------------------------------------------------------------

    def _parse_entry(self, tokens: list[_Token]) -> CopybookField | None:
        first = tokens[0]
        if not (first.text.isascii() and first.text.isdigit()):
            raise self._error(
                CopybookSyntaxError, f"expected a level number, found {first.text!r}", first.line
            )
        level = int(first.text)
        if level == 88:
            return None
        if level == 66:
            raise self._error(UnsupportedFeatureError, "level 66 RENAMES is not supported", first.line)
        if not (1 <= level <= 49 or level == 77):
            raise self._error(CopybookSyntaxError, f"invalid level number {first.text}", first.line)
        item = CopybookField(level=level, name="FILLER", line=first.line, source_text=self._text(first.line))
        cursor = _Cursor(tokens, self._missing_operand)
        if not cursor.done and cursor.peek_upper() not in _CLAUSE_WORDS:
            name = cursor.take().upper()
            if not _NAME.fullmatch(name):
                raise self._error(CopybookSyntaxError, f"invalid data name {name!r}", first.line)
            item.name = name
        while not cursor.done:
            self._parse_clause(item, cursor)
        return item

    def _parse_clause(self, item: CopybookField, cursor: _Cursor) -> None:
        token = cursor.take_token()
        word = token.text.upper()
        if word in ("PIC", "PICTURE"):
            cursor.skip("IS")
            item.picture = self._picture(cursor.take_token())
        elif word == "USAGE" or word in _USAGE_WORDS or word in _UNSUPPORTED_USAGES:
            if word == "USAGE":
                cursor.skip("IS")
                token = cursor.take_token()
                word = token.text.upper()
            if word not in _USAGE_WORDS:
                raise self._error(UnsupportedFeatureError, f"USAGE {word} is not supported", token.line)
            item.usage = _USAGE_WORDS[word]
            self._declared_usage.add(item)
        elif word == "REDEFINES":
            item.redefines = cursor.take().upper()
        elif word == "OCCURS":
            item.occurs = self._occurs(cursor, token.line)
        elif word in ("SIGN", "LEADING", "TRAILING"):
            if word == "SIGN":
                cursor.skip("IS")
                word = cursor.take().upper()
            if word not in ("LEADING", "TRAILING"):
                raise self._error(
                    CopybookSyntaxError, f"SIGN must be LEADING or TRAILING, not {word}", token.line
                )
            separate = cursor.skip("SEPARATE")
            cursor.skip("CHARACTER")
            item.sign = SignClause(SignPosition(word), separate)
        elif word in ("VALUE", "VALUES"):
            cursor.skip("IS", "ARE")
            cursor.skip("ALL")
            cursor.take()
        elif word == "BLANK":
            cursor.skip("WHEN")
            cursor.take()
            item.blank_when_zero = True
        elif word in ("SYNC", "SYNCHRONIZED", "JUST", "JUSTIFIED"):
            cursor.skip("LEFT", "RIGHT")
        elif word == "RENAMES":
            raise self._error(UnsupportedFeatureError, "RENAMES is not supported", token.line)
        elif word not in ("GLOBAL", "EXTERNAL"):
            raise self._error(CopybookSyntaxError, f"unexpected {token.text!r} (missing period?)", token.line)

    def _picture(self, token: _Token) -> Picture:
        try:
            return parse_picture(token.text)
        except PictureError as exc:
            raise self._error(CopybookSyntaxError, str(exc), token.line) from exc

    def _occurs(self, cursor: _Cursor, line: int) -> Occurs:
        low = cursor.take()
        high = low
        if cursor.skip("TO"):
            high = cursor.take()
        if (
            not (f"{low}{high}".isascii() and low.isdigit() and high.isdigit())
            or int(high) < int(low)
            or int(high) == 0
        ):
            raise self._error(
                CopybookSyntaxError, "OCCURS needs counts like 'n' or 'm TO n' with n > 0", line
            )
        cursor.skip("TIMES")
        depending_on = None
        if cursor.skip("DEPENDING"):
            cursor.skip("ON")
            depending_on = cursor.take().upper()
            while cursor.skip("OF", "IN"):  # qualification; the nearest preceding counter is used anyway
                cursor.take()
        elif low != high:
            raise self._error(CopybookSyntaxError, "OCCURS m TO n needs DEPENDING ON", line)
        while not cursor.done and (
            cursor.peek_upper() in _OCCURS_TAIL_WORDS or cursor.peek_upper() not in _CLAUSE_WORDS
        ):
            cursor.take()  # ASCENDING KEY IS ..., INDEXED BY ...: only matter to PROCEDURE DIVISION code
        return Occurs(int(low), int(high), depending_on)

    # -- tree assembly -----------------------------------------------------------------------------------

    def _inherit(self, group: CopybookField, child: CopybookField) -> None:
        """Group USAGE and SIGN apply to subordinate items that do not say otherwise."""
        if child not in self._declared_usage:
            child.usage = group.usage
        if child.sign is None and group.sign is not None and (child.picture is None or _takes_sign(child)):
            child.sign = group.sign

    def _check(self, item: CopybookField) -> None:
        """Checks that need the item's children, run once the item cannot get more of them."""
        picture = item.picture
        if item.is_group:
            if picture is not None:
                raise self._error(CopybookSyntaxError, f"group {item.name} cannot have a PICTURE", item.line)
            return
        if item.usage in (Usage.FLOAT_SINGLE, Usage.FLOAT_DOUBLE):
            if picture is not None:
                raise self._error(CopybookSyntaxError, f"{item.usage} items take no PICTURE", item.line)
            return
        if picture is None:
            raise self._error(CopybookSyntaxError, f"elementary item {item.name} has no PICTURE", item.line)
        if picture.digits > _MAX_DIGITS:
            raise self._error(UnsupportedFeatureError, f"more than {_MAX_DIGITS} digits", item.line)
        if item.usage is not Usage.DISPLAY and picture.category is not PictureCategory.NUMERIC:
            raise self._error(CopybookSyntaxError, f"USAGE {item.usage} needs a numeric PICTURE", item.line)
        if item.usage in (Usage.BINARY, Usage.NATIVE_BINARY) and picture.digits > 18:
            raise self._error(CopybookSyntaxError, "binary items hold at most 18 digits", item.line)
        if item.sign is not None and not _takes_sign(item):
            raise self._error(
                CopybookSyntaxError, "SIGN needs a signed DISPLAY numeric PICTURE (S9...)", item.line
            )

    # -- helpers -----------------------------------------------------------------------------------------

    def _text(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""

    def _error(self, kind: type[CopybookDefinitionError], reason: str, line: int) -> CopybookDefinitionError:
        return kind(reason, source=self.source, line=line, text=self._text(line))

    def _missing_operand(self, after: _Token) -> CopybookDefinitionError:
        return self._error(CopybookSyntaxError, f"{after.text!r} needs an operand", after.line)


def _takes_sign(item: CopybookField) -> bool:
    """SIGN clauses only describe signed zoned-decimal items."""
    picture = item.picture
    return (
        item.usage is Usage.DISPLAY
        and picture is not None
        and picture.signed
        and picture.category is PictureCategory.NUMERIC
    )


class _Cursor:
    """Walks the tokens of one entry, after its level number."""

    def __init__(self, tokens: list[_Token], missing: Callable[[_Token], CopybookDefinitionError]) -> None:
        self.tokens = tokens
        self.position = 1
        self.missing = missing

    @property
    def done(self) -> bool:
        return self.position >= len(self.tokens)

    def peek_upper(self) -> str:
        return self.tokens[self.position].text.upper()

    def take_token(self) -> _Token:
        if self.done:
            raise self.missing(self.tokens[-1])
        token = self.tokens[self.position]
        self.position += 1
        return token

    def take(self) -> str:
        return self.take_token().text

    def skip(self, *words: str) -> bool:
        """Consume the next token if it is one of `words` (optional noise words like IS, TIMES)."""
        if not self.done and self.peek_upper() in words:
            self.position += 1
            return True
        return False
