"""Text clean-up: whitespace, case, known mojibake, email and web-site shapes, and company names for matching."""

from __future__ import annotations

import re
import unicodedata

from .findings import Rejected, Rule

_SPACES = re.compile(r"[ \t\u00a0]+")
EMAIL = re.compile(r"^[a-z0-9._%+'-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$")
HOST = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")
_NAME_PUNCTUATION = re.compile(r"[.,'’`\"()]")
_NAME_SEPARATORS = re.compile(r"[\s/\-_]+")
# Legal forms as they read once dots are removed and `&` is spelled "and" (`G.m.b.H.` → gmbh, `S.A.` → sa),
# longest first so "gmbh and co kg" is removed whole rather than leaving "gmbh and co".
LEGAL_SUFFIXES = tuple(
    sorted(
        (
            tuple(suffix.split())
            for suffix in (
                "inc",
                "incorporated",
                "llc",
                "llp",
                "lp",
                "ltd",
                "limited",
                "plc",
                "public limited company",
                "corp",
                "corporation",
                "co",
                "company",
                "co ltd",
                "gmbh",
                "gmbh and co kg",
                "kg",
                "ag",
                "aktiengesellschaft",
                "sa",
                "sas",
                "sarl",
                "sa de cv",
                "s de rl",
                "ltda",
                "limitada",
                "oy",
                "oyj",
                "ab",
                "aktiebolag",
                "as",
                "asa",
                "bv",
                "nv",
                "spa",
                "srl",
                "kk",
                "kabushiki kaisha",
                "pty",
                "pty ltd",
                "pty limited",
                "pvt",
                "pvt ltd",
                "private limited",
            )
        ),
        key=len,
        reverse=True,
    )
)


def trim(text: str) -> str | None:
    """Leading/trailing whitespace removed on every line, Windows line ends made `\\n`; blank is null."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    trimmed = "\n".join(lines).strip()
    return trimmed or None


def collapse_whitespace(text: str) -> str:
    """Runs of spaces and tabs inside a line become one space (line breaks stay: street lines use them)."""
    return _SPACES.sub(" ", text)


def repair_mojibake(text: str) -> tuple[str, bool]:
    """Undo UTF-8 text that was decoded as cp1252 (`JosÃ©` → `José`); returns the text and whether it changed.

    Text that is not such a rendering does not survive the round trip (`José` is not valid UTF-8 once encoded
    as cp1252), so correct text is never altered.
    """
    try:
        repaired = text.encode("cp1252").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text, False
    return repaired, repaired != text


def normalize_email(text: str) -> str:
    email = text.strip().lower()
    if not EMAIL.match(email):
        raise Rejected(Rule.INVALID_EMAIL, f"{text!r} is not an email address")
    return email


def website_host(text: str) -> str:
    """The lower-case host of a web site (`https://www.Example.com/about` → `www.example.com`)."""
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text.strip().lower()).split("/", 1)[0].split("?", 1)[0]
    host = host.rsplit("@", 1)[-1].split(":", 1)[0].rstrip(".")
    if not HOST.match(host):
        raise Rejected(Rule.INVALID_URL, f"{text!r} is not a web site address")
    return host


def fold_accents(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def company_name_key(name: str) -> str | None:
    """A company name reduced for matching: lower-case, accents folded, punctuation and legal form removed.

    `Müller & Söhne GmbH`, `Muller and Sohne G.m.b.H.` and `Müller & Söhne, GmbH` all become
    `muller and sohne`.
    """
    text = fold_accents(name).lower().replace("&", " and ")
    text = _NAME_PUNCTUATION.sub("", text)
    words = _NAME_SEPARATORS.sub(" ", text).split()
    removed = True
    while removed and len(words) > 1:
        removed = False
        for suffix in LEGAL_SUFFIXES:
            if len(words) > len(suffix) and tuple(words[-len(suffix) :]) == suffix:
                words = words[: -len(suffix)]
                removed = True
                break
    return " ".join(words) or None
