"""Calling Salesforce with bounded retries, exponential backoff and full jitter, inside the budget and the breaker.

Full jitter (a uniform wait between zero and the exponential cap) keeps many workers that failed together from
retrying together. The API budget is checked by the governor before each attempt, so a retry can never spend
more than the integration may; an exhausted budget or an org at its daily limit stops the push cleanly.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from ..salesforce.budget import ApiBudgetExhausted
from .circuit_breaker import CircuitBreaker
from .errors import BudgetStop
from .failures import ORG_LIMIT_CODE, request_failure
from .settings import RetrySettings, SalesforceWriteSettings

Result = TypeVar("Result")


@dataclass
class Backoff:
    settings: RetrySettings
    random: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retry number `attempt` (1-based)."""
        cap = min(self.settings.max_delay_seconds, self.settings.base_delay_seconds * 2 ** (attempt - 1))
        return self.random.uniform(0, cap)


@dataclass
class RetryingCaller:
    settings: RetrySettings
    breaker: CircuitBreaker
    backoff: Backoff
    sleep: Callable[[float], None] = time.sleep
    retries: int = 0

    def call(self, what: str, request: Callable[[], Result]) -> Result:
        """Run `request`, retrying retriable failures; raises RequestFailed, BudgetStop or CircuitOpen."""
        attempt = 1
        while True:
            try:
                result = request()
            except ApiBudgetExhausted as error:
                raise BudgetStop(str(error)) from error
            except Exception as error:
                failure = request_failure(error)
                if failure is None:
                    raise
                if failure.code == ORG_LIMIT_CODE:
                    raise BudgetStop(f"the org's daily API allocation is spent ({what})") from error
                self.breaker.failure(f"{what}: {failure}")
                if not failure.retriable or attempt >= self.settings.max_attempts:
                    raise failure from error
                self.retries += 1
                self.sleep(self.backoff.delay(attempt))
                attempt += 1
                continue
            self.breaker.success()
            return result


def retrying_caller(
    settings: SalesforceWriteSettings, sleep: Callable[[float], None] = time.sleep
) -> RetryingCaller:
    """A caller with the configured retries, backoff and circuit breaker, for one push or erasure."""
    return RetryingCaller(
        settings.retry,
        CircuitBreaker(settings.circuit_breaker_failures),
        Backoff(settings.retry, random.Random()),
        sleep,
    )
