"""Seeded randomness that counts: every planted-rate roll records its population and its hits.

The counts land in `manifest.json` (`planted_rates`), so the realised rate of each kind is checkable without
re-deriving which records were eligible.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


class Tally:
    """Population and hits per rate name, summed over all the dice of a run."""

    def __init__(self) -> None:
        self.eligible: Counter[str] = Counter()
        self.hits: Counter[str] = Counter()

    def as_dict(self, configured: dict[str, float]) -> dict[str, dict[str, float]]:
        report = {}
        for name in sorted(self.eligible):
            eligible = self.eligible[name]
            hits = self.hits[name]
            report[name] = {
                "configured": configured.get(name),
                "eligible": eligible,
                "hits": hits,
                "realised": round(hits / eligible, 6) if eligible else 0.0,
            }
        return report


class Dice(random.Random):
    """A `random.Random` seeded from (seed, chunk, stream) with `roll(rate_name)` that is counted in a
    `Tally`."""

    def __init__(self, seed: int, chunk: int, stream: str, rates: dict[str, float], tally: Tally) -> None:
        super().__init__(f"{seed}/{chunk}/{stream}")
        self.rates = rates
        self.tally = tally

    def roll(self, rate_name: str) -> bool:
        """True with the configured probability of `rate_name`; counted."""
        self.tally.eligible[rate_name] += 1
        if self.random() < self.rates[rate_name]:
            self.tally.hits[rate_name] += 1
            return True
        return False

    def chance(self, probability: float) -> bool:
        """An uncounted coin for shape decisions that are not configurable rates."""
        return self.random() < probability

    def pick(self, values: Sequence[T]) -> T:
        return values[int(self.random() * len(values))]

    def digits(self, count: int) -> str:
        return str(self.randrange(10**count)).zfill(count)
