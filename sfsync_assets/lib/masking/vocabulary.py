"""The words masking knows: real names to draw fakes from, and generic words that identify nobody.

Known names are permuted among themselves under the key, class by class (nickname groups of equal size, first
names, last names, company stems, street names), so a fake looks like a name of the same kind and two different
names never get the same fake. The permutation is a keyed cyclic shift, which has no fixed point: in a class of
two or more, no name is its own fake. Nickname groups move as a whole onto another group of the same size
(`Robert, Bob, Rob, Bobby` onto `William, Bill, Will, Billy`), so `first_name_group` matching still pairs Bob
with Robert on the masked copy. Groups whose size no other group has are deranged within themselves.

Generic words (legal forms, street types, industry nouns, connectors, salutations) are kept: they make
company-name keys and abbreviations (`Street`/`St.`) compare as before and identify no one.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from ..generator import vocab
from ..matching.nicknames import nickname_groups
from ..matching.settings import NICKNAMES_FILE, load_matching_settings
from .key import MaskKey

_FOLDED = str.maketrans({"ß": "ss", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "œ": "oe"})
_NOT_LETTER = re.compile(r"[^a-z]+")
CONNECTORS = ("and", "of", "the", "de", "la", "le", "les", "du", "des", "da", "das", "do", "dos", "del", "di")
CONNECTORS += ("von", "van", "der", "den", "y", "e", "et", "und", "group", "holding", "holdings", "www")
_PUBLIC_WORDS = ("example", "test", "invalid", "localhost", "mail", "email", "sfsync", "demo")


def fold_word(text: str) -> str:
    """Lower-case ASCII letters only: `Jürgen` → `jurgen`, `O'Brien` → `obrien`, `Groß` → `gross`."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_FOLDED))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_LETTER.sub("", plain)


def ascii_fold(text: str) -> str:
    """`Jürgen Groß` → `Jurgen Gross`: letters kept, accents dropped, for files whose encoding lacks them."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLDED))
    return (
        "".join(ch for ch in decomposed if not unicodedata.combining(ch)).encode("ascii", "ignore").decode()
    )


@dataclass(frozen=True)
class Edit:
    """One keyboard slip turning a known word into the word seen: `kind` at `position` (with `letter`)."""

    kind: str  # substitute, transpose, delete, insert
    position: int
    letter: str = ""


def one_edit(known: str, seen: str) -> Edit | None:
    """The single substitution, transposition, deletion or insertion that makes `seen` from `known`."""
    if len(known) == len(seen):
        differ = [i for i, (a, b) in enumerate(zip(known, seen, strict=True)) if a != b]
        if len(differ) == 1:
            return Edit("substitute", differ[0], seen[differ[0]])
        if len(differ) == 2 and differ[1] == differ[0] + 1 and known[differ[0]] == seen[differ[1]]:
            return Edit("transpose", differ[0]) if known[differ[1]] == seen[differ[0]] else None
        return None
    if len(known) == len(seen) + 1:
        position = next((i for i in range(len(seen)) if known[i] != seen[i]), len(seen))
        return Edit("delete", position) if known[:position] + known[position + 1 :] == seen else None
    if len(seen) == len(known) + 1:
        position = next((i for i in range(len(known)) if known[i] != seen[i]), len(known))
        return (
            Edit("insert", position, seen[position])
            if seen[:position] + seen[position + 1 :] == known
            else None
        )
    return None


class Vocabulary:
    """Known names with their keyed fakes, and the generic words left as they are."""

    def __init__(self, key: MaskKey) -> None:
        self.key = key
        self.spelling: dict[str, str] = {}
        self.fakes: dict[str, str] = {}
        settings = load_matching_settings()
        groups = self._nickname_groups()
        named = {name for members in groups for name in members}
        self.kept = frozenset(self._generic_words(settings.legal_suffixes) - named)  # `Al` is a name first
        self.free_mail_domains = frozenset(
            d.lower() for d in (*settings.free_mail_domains, *vocab.PERSONAL_EMAIL_DOMAINS)
        )
        claimed: set[str] = set(self.kept)
        self._permute_groups(groups, claimed)
        for name, words in self._flat_classes():
            members = sorted({fold_word(w) for w in words} - claimed - {""})
            claimed.update(members)
            self._shift(name, members, members)
        self.by_length: dict[int, list[str]] = defaultdict(list)
        for word in self.fakes:
            self.by_length[len(word)].append(word)

    def fake(self, folded: str) -> str | None:
        """The fake of a known name (folded), in the fake's own spelling; None for words it does not know."""
        target = self.fakes.get(folded)
        return None if target is None else self.spelling.get(target, target.capitalize())

    def is_known(self, folded: str) -> bool:
        return folded in self.fakes

    def typo_of(self, folded: str) -> tuple[str, Edit] | None:
        """The known name `folded` is one keyboard slip away from, and the slip (names of 4+ letters only)."""
        if len(folded) < 4:
            return None
        for length in (len(folded), len(folded) - 1, len(folded) + 1):
            for known in self.by_length.get(length, ()):
                edit = one_edit(known, folded)
                if edit is not None:
                    return known, edit
        return None

    @cached_property
    def glued_suffixes(self) -> tuple[str, ...]:
        """Street types written onto the name (`Hauptstraße`, `Drottninggatan`, `Friedrichstr.`), longest first."""
        forms = {
            form.rstrip(".")
            for language in vocab.SUFFIX_GLUED
            for pair in vocab.STREET_SUFFIXES[language]
            for form in pair
        }
        return tuple(sorted(forms - {""}, key=len, reverse=True))

    def _remember(self, words: Iterable[str]) -> None:
        for word in words:
            self.spelling.setdefault(fold_word(word), word)

    def _generic_words(self, legal_suffixes: Iterable[str]) -> set[str]:
        words: set[str] = set(CONNECTORS) | set(_PUBLIC_WORDS)
        phrases = [*legal_suffixes, *vocab.SALUTATIONS]
        phrases += [suffix for country in vocab.COUNTRIES for suffix in country.legal_suffixes]
        phrases += [noun for _, _, nouns in vocab.INDUSTRIES for noun in nouns]
        phrases += [form for pairs in vocab.STREET_SUFFIXES.values() for pair in pairs for form in pair]
        for phrase in phrases:
            words.update(fold_word(word) for word in re.split(r"[\s.,&]+", phrase))
        return words - {""}

    def _nickname_groups(self) -> list[list[str]]:
        groups: dict[str, list[str]] = defaultdict(list)
        for name, group in nickname_groups(NICKNAMES_FILE).items():
            groups[fold_word(group)].append(fold_word(name))
        self._remember(
            n for names in vocab.FIRST_NAMES.values() for first, nicks in names for n in (first, *nicks)
        )
        return [sorted(set(members)) for members in groups.values()]

    def _flat_classes(self) -> list[tuple[str, list[str]]]:
        first = [n for names in vocab.FIRST_NAMES.values() for first, nicks in names for n in (first, *nicks)]
        last = [name for names in vocab.LAST_NAMES.values() for name in names]
        streets = [word for names in vocab.STREET_NAMES.values() for name in names for word in name.split()]
        self._remember([*first, *last, *vocab.COMPANY_STEMS, *streets])
        return [("first", first), ("last", last), ("company", list(vocab.COMPANY_STEMS)), ("street", streets)]

    def _order(self, label: str, words: Iterable[str]) -> list[str]:
        return sorted(words, key=lambda word: self.key.digest("order", label, word))

    def _shift(self, label: str, sources: list[str], targets: list[str]) -> None:
        """Map the i-th of `sources` to the (i+1)-th of `targets`, both in keyed order."""
        sources, targets = self._order(label, sources), self._order(label, targets)
        for index, word in enumerate(sources):
            self.fakes[word] = targets[(index + 1) % len(targets)]

    def _permute_groups(self, groups: list[list[str]], claimed: set[str]) -> None:
        by_size: dict[int, list[list[str]]] = defaultdict(list)
        for members in groups:
            if members:
                by_size[len(members)].append(members)
        for size, same_size in by_size.items():
            if len(same_size) == 1:
                self._shift(f"group-{size}-alone", same_size[0], same_size[0])
            else:
                ordered = sorted(same_size, key=lambda m: self.key.digest("group", str(size), m[0]))
                ranked = [self._order("member", members) for members in ordered]
                for index, members in enumerate(ranked):
                    target = ranked[(index + 1) % len(ranked)]
                    self.fakes.update(dict(zip(members, target, strict=True)))
            claimed.update(word for members in same_size for word in members)
