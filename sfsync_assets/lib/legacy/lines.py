"""Physical lines of a text file, numbered as an editor shows them, decoded without losing a byte.

Lines are split on the LF byte (CRLF and LF both end a line; profiles only allow ASCII-compatible encodings).
A line with bytes its encoding cannot decode is kept, the bad bytes as surrogate escapes, so only the field
that holds them is rejected (`undecodable` finds them, `printable` shows them as `\\xNN`).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_SURROGATE_ESCAPE = re.compile("[\udc80-\udcff]")


@dataclass(frozen=True)
class PhysicalLine:
    number: int  # 1-based
    text: str  # with its line terminator
    clean: bool  # False when some bytes could not be decoded

    @property
    def content(self) -> str:
        return self.text.rstrip("\r\n")


def physical_lines(path: Path, encoding: str, strip_bom: bool = False) -> Iterator[PhysicalLine]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if number == 1 and strip_bom:
                raw = raw.removeprefix(codecs.BOM_UTF8)
            try:
                yield PhysicalLine(number, raw.decode(encoding), True)
            except UnicodeDecodeError:
                yield PhysicalLine(number, raw.decode(encoding, "surrogateescape"), False)


def undecodable(text: str) -> bool:
    return _SURROGATE_ESCAPE.search(text) is not None


def printable(text: str, encoding: str) -> str:
    """Text with undecodable bytes shown as `\\xNN`."""
    return text.encode(encoding, "surrogateescape").decode(encoding, "backslashreplace")
