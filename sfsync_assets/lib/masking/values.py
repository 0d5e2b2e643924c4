"""One value of a known kind masked, the same way wherever it appears.

- text: word by word (see words.py).
- email: the local part segment by segment (`suresh_menon`, `jkohler`: initial + name) and the domain label by
  label; public mailbox domains (gmail.com, gmx.de, ...) and the public suffix (`.co.uk`) are kept, so an address
  stays an address and `email_is_free_mail` keeps its value.
- phone: the last six digits (fewer for short numbers) go through the digit permutation, wherever the format put
  them; calling code, area code and punctuation stay. `+44 20 7946 0000`, `020 7946 0000` and the integer
  2079460000 share their last six digits, so all three still denote one number after masking. A valid
  international number is walked until the fake is valid too.
- website: the host like an email domain, the path like text.
- code (postal codes, tax ids): the digits as one string through the digit permutation, letters and separators
  kept (`DE123456789` → `DE……`), so values equal after removing separators stay equal; a code without digits
  has its letters permuted instead.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import phonenumbers

from .columns import Kind
from .fpe import DIGITS, LETTERS, permute, permute_until
from .key import MaskKey
from .vocabulary import Vocabulary, fold_word
from .words import CACHE_SIZE, WordMasker, with_case

PHONE_TAIL = 6
# Kinds an integer column can hold: phones and postal codes stored as numbers.
NUMERIC_KINDS = (Kind.PHONE, Kind.CODE)
_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "gov", "ac", "edu", "ne", "or", "go"})
_KEPT_LABELS = frozenset({"www", "mail", "example", "test", "invalid", "localhost"})
_LOCAL_PARTS = re.compile(r"(?P<word>[^\W\d_]+)|(?P<digits>[0-9]+)")
_WEBSITE = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)?(?P<host>[^/?#:\s]+)(?P<rest>.*)$", re.DOTALL)


class Masker:
    """Masks values by kind; one instance per key, shared by every file of an extract (consistency)."""

    def __init__(self, key: MaskKey) -> None:
        self.key = key
        self.vocabulary = Vocabulary(key)
        self.words = WordMasker(key, self.vocabulary)
        self._string = lru_cache(maxsize=CACHE_SIZE)(self._mask_string)

    def mask(self, kind: Kind, value: Any) -> Any:
        """The masked value, of the same Python type; None and empty text stay as they are."""
        if value is None or value == "":
            return value
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and kind in NUMERIC_KINDS:
            return int(self._string(kind, str(value)))
        if not isinstance(value, str):
            return value
        return self._string(kind, value)

    def _mask_string(self, kind: Kind, value: str) -> str:
        if kind is Kind.EMAIL:
            return self.email(value)
        if kind is Kind.PHONE:
            return self.phone(value)
        if kind is Kind.WEBSITE:
            return self.website(value)
        if kind is Kind.CODE:
            return self.code(value)
        return self.words.text(value)

    def email(self, value: str) -> str:
        if value.count("@") != 1:
            return self.words.text(value)
        local, domain = value.split("@")
        return _LOCAL_PARTS.sub(self._local_part, local) + "@" + self.domain(domain)

    def _local_part(self, match: re.Match[str]) -> str:
        if match.group("digits"):
            return self.words.digits(match.group("digits"))
        segment = match.group("word")
        folded = fold_word(segment)
        if len(folded) == 1:  # an initial: changed too, so no address survives whole
            return with_case(segment, permute(self.key, folded, LETTERS, "initial"))
        known = self.vocabulary.fake
        if len(folded) >= 4 and not self.vocabulary.is_known(folded):
            if self.vocabulary.is_known(folded[1:]):
                return with_case(segment, folded[0] + fold_word(known(folded[1:]) or ""))
            if self.vocabulary.is_known(folded[:-1]):
                return with_case(segment, fold_word(known(folded[:-1]) or "") + folded[-1])
        return with_case(segment, fold_word(self.words.word(segment)) or segment)

    def domain(self, domain: str) -> str:
        labels = domain.split(".")
        if domain.lower() in self.vocabulary.free_mail_domains or len(labels) < 2:
            return domain
        suffix = 2 if len(labels) >= 3 and labels[-2].lower() in _SECOND_LEVEL and len(labels[-1]) == 2 else 1
        masked = [
            label if label.lower() in _KEPT_LABELS else _LOCAL_PARTS.sub(self._local_part, label)
            for label in labels[:-suffix]
        ]
        return ".".join([*masked, *labels[-suffix:]])

    def website(self, value: str) -> str:
        match = _WEBSITE.match(value.strip())
        if match is None or "." not in match.group("host"):
            return self.words.text(value)
        masked = (
            (match.group("scheme") or "")
            + self.domain(match.group("host"))
            + self.words.text(match.group("rest"))
        )
        return value[: len(value) - len(value.lstrip())] + masked + value[len(value.rstrip()) :]

    def phone(self, value: str) -> str:
        positions = [index for index, char in enumerate(value) if char in DIGITS]
        if not positions:
            return self.words.text(value)
        tail = positions[-min(PHONE_TAIL, max(len(positions) - 1, 1)) :]
        digits = "".join(value[index] for index in tail)
        valid_before = _valid_international(value)
        masked = permute_until(
            self.key,
            digits,
            DIGITS,
            "phone",
            lambda candidate: not valid_before or _valid_international(_placed(value, tail, candidate)),
        )
        return _placed(value, tail, masked)

    def code(self, value: str) -> str:
        positions = [index for index, char in enumerate(value) if char in DIGITS]
        alphabet = DIGITS
        if not positions:
            positions = [index for index, char in enumerate(value) if char.lower() in LETTERS]
            alphabet = LETTERS
        symbols = "".join(value[index].lower() for index in positions)
        masked = permute(self.key, symbols, alphabet, "code")
        masked = "".join(
            m.upper() if value[index].isupper() else m for m, index in zip(masked, positions, strict=True)
        )
        return _placed(value, positions, masked)


def _placed(value: str, positions: list[int], symbols: str) -> str:
    characters = list(value)
    for index, symbol in zip(positions, symbols, strict=True):
        characters[index] = symbol
    return "".join(characters)


def _valid_international(value: str) -> bool:
    text = value.strip()
    if not text.startswith("+"):
        return False
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(text, None))
    except phonenumbers.NumberParseException:
        return False
