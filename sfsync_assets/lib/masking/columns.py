"""Which columns hold personal data, and of what kind, judged by the column's name alone.

Every input format names its fields (JSON keys, SQL columns, CSV headers, copybook fields), and the same
vocabulary runs through all of them: `Email`, `contact_email`, `CONTACT_EMAIL`, `CM-TAX-ID`. Names are split
into lower-case words (camelCase, snake_case, kebab-case) and matched against the rules below; a column no rule
claims is copied as it is, so keys, ids, amounts, dates and picklist values keep their meaning.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Kind(StrEnum):
    TEXT = "text"  # names, company names, streets, notes: word by word
    EMAIL = "email"
    PHONE = "phone"
    WEBSITE = "website"
    CODE = "code"  # postal codes and tax ids: digits replaced, letters and separators kept


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_FLAGS = {"optout", "opted", "bounced", "bounce", "verified", "is", "has", "free", "count"}
_NOT_TEXT = {"id", "type", "code", "no", "number", "date", "status", "count", "stage", "file", "table"}
_NOT_TEXT |= {
    "object",
    "field",
    "feed",
    "rule",
    "schema",
    "column",
    "product",
    "step",
    "source",
    "record",
    "run",
}
_NOT_TEXT |= {"job", "asset", "pipeline", "version", "class", "kind", "format", "at"}
# Free text that may quote anything, including a refused value (`message` of a dead letter).
_FREE_TEXT = {
    "notes",
    "note",
    "description",
    "comment",
    "comments",
    "remarks",
    "memo",
    "detail",
    "message",
    "error",
}
_NOT_CODE = {"amount", "rate", "total", "percent", "pct", "exempt", "status", "date", "type"}


def words(column: str) -> list[str]:
    """`MailingPostalCode` → mailing, postal, code; `CM-TAX-ID` → cm, tax, id; `tax_id__c` → tax, id, c."""
    return [word.lower() for word in re.split(r"[^A-Za-z0-9]+", _CAMEL.sub(" ", column)) if word]


def column_kind(column: str) -> Kind | None:
    parts = words(column)
    found = set(parts)
    joined = "".join(parts)
    if "email" in joined or "username" in joined:
        return None if found & _FLAGS else Kind.EMAIL
    if (
        found & {"phone", "mobile", "fax", "tel", "telephone", "mobilephone", "homephone"}
        or "phone" in joined
    ):
        return None if found & {"region", "type", "count"} else Kind.PHONE
    if found & {"website", "url", "homepage", "web"}:
        return Kind.WEBSITE
    if found & {"tax", "vat", "ssn", "taxid", "vatid"} or found & {"postal", "postcode", "zip", "zipcode"}:
        return None if found & _NOT_CODE else Kind.CODE
    if "postalcode" in joined:
        return Kind.CODE
    if found & _FREE_TEXT and not found & {"code", "count", "rate", "type", "id"}:
        return Kind.TEXT
    person = (found & {"first", "last", "middle"} and found & {"name", "contact"}) or found & {
        "firstname",
        "lastname",
        "middlename",
        "fullname",
        "salesrep",
        "rep",
        "alias",
        "company",
        "street",
        "address",
        "addr",
    }
    if person and not found & {"id", "type", "code", "key", "count", "date", "number", "no"}:
        return Kind.TEXT
    if "name" in found and not found & _NOT_TEXT:
        return Kind.TEXT
    return None
