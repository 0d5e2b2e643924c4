"""What the legacy text formats share: lines split on LF with their terminators, control records kept verbatim,
and fakes made to fit an encoding that lacks their letters (`Saitō` in cp1252 becomes `Saito`, as the generator
and the sending systems do)."""

from __future__ import annotations

import re

from ..legacy.control_records import ControlTemplate
from .vocabulary import ascii_fold

_LINES = re.compile(r"[^\n]*\n|[^\n]+$")


def lines(text: str) -> list[str]:
    """Lines with their terminators (CRLF or LF); the last one may have none."""
    return _LINES.findall(text)


def encodable(text: str, encoding: str) -> str:
    try:
        text.encode(encoding, "surrogateescape")
    except UnicodeEncodeError:
        return ascii_fold(text)
    return text


def control_lines(
    all_lines: list[str], header: str | None, trailer: str | None
) -> tuple[list[str], list[str], list[str]]:
    """(header line, data lines, trailer line): a declared control record that is there, split off unmasked."""
    head, body, tail = [], list(all_lines), []
    if header and body and ControlTemplate.parse(header).match(body[0].rstrip("\r\n")):
        head = [body.pop(0)]
    last = next((i for i in range(len(body) - 1, -1, -1) if body[i].strip()), None)
    if trailer and last is not None and ControlTemplate.parse(trailer).match(body[last].rstrip("\r\n")):
        tail = body[last:]
        body = body[:last]
    return head, body, tail
