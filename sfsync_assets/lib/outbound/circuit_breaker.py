"""Stop pushing after N consecutive failed requests.

Retrying one request with backoff rides out a blip. A run of failures across requests means Salesforce (or the
path to it) is down; carrying on only burns API calls and fills the dead letter with noise. The breaker opens
for the rest of the push, and the records not yet written stay planned for the next one.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import CircuitOpen


@dataclass
class CircuitBreaker:
    threshold: int
    consecutive_failures: int = 0

    def success(self) -> None:
        self.consecutive_failures = 0

    def failure(self, what: str) -> None:
        """Count a failure; raises CircuitOpen once `threshold` failures follow each other."""
        self.consecutive_failures += 1
        if self.consecutive_failures >= self.threshold:
            raise CircuitOpen(
                f"circuit breaker open after {self.consecutive_failures} consecutive failures; last: {what}"
            )
