"""Header and trailer control records: `H|CUSTEXPORT|2026-11-01` first, `T|000123` last.

A profile declares them as templates: literal text with `<...>` placeholders, e.g.
`T|<data record count, 6 digits>`. The placeholder that names the record count is read as a number (of the
stated width) so the trailer can be reconciled with the data records actually found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .records import CONTROL_RECORD, MALFORMED_RECORD, Rejection

_PLACEHOLDER = re.compile(r"<([^<>]+)>")
_WIDTH = re.compile(r"(\d+)\s+digits")


@dataclass(frozen=True)
class ControlTemplate:
    text: str
    pattern: re.Pattern[str]
    has_count: bool

    @classmethod
    def parse(cls, text: str) -> ControlTemplate:
        parts, position, counts = [], 0, 0
        for placeholder in _PLACEHOLDER.finditer(text):
            parts.append(re.escape(text[position : placeholder.start()]))
            description = placeholder.group(1).lower()
            if "record count" in description:
                counts += 1
                width = _WIDTH.search(description)
                parts.append(rf"(?P<count>[0-9]{{{width.group(1)}}})" if width else r"(?P<count>[0-9]+)")
            else:
                parts.append(".*?")
            position = placeholder.end()
        parts.append(re.escape(text[position:]))
        if counts > 1:
            raise ValueError(f"control record {text!r} has {counts} record-count placeholders; at most one")
        if "<" in text[position:] or ">" in text[position:]:
            raise ValueError(f"control record {text!r} has an unbalanced '<' or '>'")
        return cls(text, re.compile("".join(parts)), counts == 1)

    def match(self, line: str) -> re.Match[str] | None:
        return self.pattern.fullmatch(line)

    def count(self, line: str) -> int | None:
        match = self.match(line)
        return int(match.group("count")) if match is not None and self.has_count else None


class TrailerWatch:
    """Only the last record of a file is its trailer: a line that looks like one is held until the next
    record shows it was not the last (it is then a malformed data record)."""

    def __init__(self, template: ControlTemplate | None) -> None:
        self.template = template
        self._held: tuple[int, str] | None = None

    def offer(self, line_number: int, text: str) -> bool:
        """True when `text` is held as the trailer candidate (the caller then skips it)."""
        if self.template is None or self.template.match(text) is None:
            return False
        self._held = (line_number, text)
        return True

    def displaced(self) -> Rejection | None:
        """Call before each data record: a held candidate that is followed by data was not the trailer."""
        if self._held is None:
            return None
        line_number, text = self._held
        self._held = None
        return Rejection(
            MALFORMED_RECORD,
            f"a trailer record ({self.template.text if self.template else ''}) before the end of the file",
            line_number=line_number,
            raw=text,
        )

    def finish(self, last_line: int) -> tuple[int | None, Rejection | None]:
        """The trailer's record count, or the problem when the file has no trailer."""
        if self.template is None:
            return None, None
        if self._held is None:
            return None, Rejection(
                CONTROL_RECORD,
                f"no trailer record {self.template.text} at the end of the file: the record count cannot be "
                "reconciled",
                line_number=last_line,
            )
        return self.template.count(self._held[1]), None
