"""Format-preserving permutation: a string of symbols becomes another string of the same length over the same
alphabet, bijectively, under the key.

A balanced Feistel network in the style of NIST FF1 (10 rounds, modular addition, HMAC-SHA256 as the round
function). Being a bijection for every length and tweak, distinct inputs never collide: two different phone
numbers or tax ids stay different, so masking cannot merge two entities. Short strings have small domains and are
only as secret as their domain is large (a 2-digit string has 100 possible fakes).
"""

from __future__ import annotations

from collections.abc import Callable

from .key import MaskKey

ROUNDS = 10
DIGITS = "0123456789"
LETTERS = "abcdefghijklmnopqrstuvwxyz"
MAX_CYCLE_WALK = 1000


def _to_number(symbols: str, alphabet: str) -> int:
    value = 0
    for symbol in symbols:
        value = value * len(alphabet) + alphabet.index(symbol)
    return value


def _to_symbols(value: int, length: int, alphabet: str) -> str:
    radix = len(alphabet)
    symbols = []
    for _ in range(length):
        value, remainder = divmod(value, radix)
        symbols.append(alphabet[remainder])
    return "".join(reversed(symbols))


def permute(key: MaskKey, symbols: str, alphabet: str, tweak: str) -> str:
    """The image of `symbols` (every one in `alphabet`) under the keyed permutation named by `tweak`."""
    length, radix = len(symbols), len(alphabet)
    if length == 0:
        return symbols
    left_length = length // 2
    right_length = length - left_length
    left, right = _to_number(symbols[:left_length], alphabet), _to_number(symbols[left_length:], alphabet)
    for round_number in range(ROUNDS):
        width = left_length if round_number % 2 == 0 else right_length
        mixed = key.number("fpe", tweak, str(radix), str(length), str(round_number), str(right))
        left, right = right, (left + mixed) % radix**width
    return _to_symbols(left, left_length, alphabet) + _to_symbols(right, right_length, alphabet)


def permute_until(
    key: MaskKey, symbols: str, alphabet: str, tweak: str, acceptable: Callable[[str], bool]
) -> str:
    """Cycle-walk: apply the permutation until the result is acceptable. Walking a permutation's cycles keeps it
    a bijection on the acceptable strings (when the input is one of them); gives up after MAX_CYCLE_WALK steps."""
    result = permute(key, symbols, alphabet, tweak)
    for _ in range(MAX_CYCLE_WALK):
        if acceptable(result):
            return result
        result = permute(key, result, alphabet, tweak)
    return result
