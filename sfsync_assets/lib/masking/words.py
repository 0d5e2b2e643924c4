"""One word, or one free text, masked: known names through the vocabulary's permutation, everything else through
the format-preserving permutation, in the case the original was written in.

A word the vocabulary does not know but that is one keyboard slip from a name it knows (`Schnieder`) is taken
as that name with the slip, and gets the name's fake with the same slip: matching that forgives the typo on the
original forgives it on the copy. A street type glued to a name (`Friedrichstraße`) keeps its suffix.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..mapping.text import repair_mojibake
from .fpe import DIGITS, LETTERS, permute, permute_until
from .key import MaskKey
from .vocabulary import Edit, Vocabulary, ascii_fold, fold_word

_CHUNKS = re.compile(r"\S+")
TOKENS = re.compile(r"(?P<word>[^\W\d_]+(?:['’][^\W\d_]+)*)|(?P<digits>[0-9]+)")
CACHE_SIZE = 200_000


def with_case(original: str, fake: str) -> str:
    """`fake` written the way `original` is: ALL CAPS, lower case or Capitalised; ASCII if `original` is."""
    if original.isascii():
        fake = ascii_fold(fake)
    letters = [ch for ch in original if ch.isalpha()]
    if len(letters) > 1 and all(ch.isupper() for ch in letters):
        return fake.upper()
    if letters and all(ch.islower() for ch in letters):
        return fake.lower()
    if letters and letters[0].isupper():
        return fake[:1].upper() + fake[1:] if fake[:1].islower() else fake
    return fake


class WordMasker:
    def __init__(self, key: MaskKey, vocabulary: Vocabulary) -> None:
        self.key = key
        self.vocabulary = vocabulary
        self.word = lru_cache(maxsize=CACHE_SIZE)(self._word)
        self.text = lru_cache(maxsize=CACHE_SIZE)(self._text)

    def digits(self, run: str) -> str:
        return permute(self.key, run, DIGITS, "digits")

    def _text(self, text: str) -> str:
        """Every word and digit run of a free text masked; punctuation, spacing and line breaks kept."""
        return _CHUNKS.sub(self._chunk, text)

    def _chunk(self, match: re.Match[str]) -> str:
        """A chunk that is UTF-8 read as cp1252 (`JosÃ©`) is masked as what it means, then garbled again."""
        repaired, garbled = repair_mojibake(match.group())
        masked = TOKENS.sub(self._token, repaired)
        if garbled:
            try:
                return masked.encode("utf-8").decode("cp1252")
            except UnicodeDecodeError:
                return masked
        return masked

    def _token(self, match: re.Match[str]) -> str:
        return self.word(match.group("word")) if match.group("word") else self.digits(match.group("digits"))

    def _word(self, word: str) -> str:
        folded = fold_word(word)
        if folded in self.vocabulary.kept or (len(folded) <= 1 and len(word) <= 1):
            return word
        fake = self.vocabulary.fake(folded)
        if fake is not None:
            return with_case(word, fake)
        glued = self._glued(word)
        if glued is not None:
            return glued
        typo = self.vocabulary.typo_of(folded)
        if typo is not None:
            known, edit = typo
            fake = self.vocabulary.fake(known) or known
            return with_case(word, self._replay(fold_word(fake), edit, folded))
        return with_case(word, self._pseudo(word, folded))

    def _glued(self, word: str) -> str | None:
        lowered = word.lower()
        for suffix in self.vocabulary.glued_suffixes:
            stem = word[: len(word) - len(suffix)]
            if lowered.endswith(suffix) and len(stem) > 1 and self.vocabulary.is_known(fold_word(stem)):
                return self.word(stem) + word[len(stem) :]
        return None

    def _replay(self, fake: str, edit: Edit, seen: str) -> str:
        """The same keyboard slip, made on the fake (at the same place, or its last letter when shorter)."""
        if len(fake) < 2:
            return fake + (edit.letter or fake)
        position = min(edit.position, len(fake) - 1)
        if edit.kind == "transpose":
            position = min(position, len(fake) - 2)
            return fake[:position] + fake[position + 1] + fake[position] + fake[position + 2 :]
        if edit.kind == "delete":
            return fake[:position] + fake[position + 1 :]
        letter = LETTERS[(LETTERS.index(edit.letter) + self.key.number("slip", seen)) % 26]
        if edit.kind == "insert":
            doubled = seen[edit.position - 1 : edit.position] == edit.letter
            return (
                fake[:position] + (fake[position - 1] if doubled and position else letter) + fake[position:]
            )
        if letter == fake[position]:
            letter = LETTERS[(LETTERS.index(letter) + 1) % 26]
        return fake[:position] + letter + fake[position + 1 :]

    def _pseudo(self, word: str, folded: str) -> str:
        """An unknown word: its letters permuted (never onto a known name), or, for scripts that do not fold to
        Latin letters, letters derived from its digest."""
        if folded and len(folded) >= len(word) // 2:
            return permute_until(self.key, folded, LETTERS, "word", lambda s: not self.vocabulary.is_known(s))
        digest = self.key.digest("script", word)
        return "".join(LETTERS[byte % 26] for byte in digest[: max(len(word), 2)])
