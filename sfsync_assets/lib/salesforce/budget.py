"""An API budget governor: every call this integration makes is counted before it is sent.

Salesforce refuses calls only once the whole org's daily allocation is gone, so a sync that just retries until
refused starves every other integration and then stops at 2 AM. The governor stops *this* integration first,
cleanly, when either
- its own calls over the rolling day would exceed its share of the org's `DailyApiRequests`, or
- the org as a whole would pass a ceiling (default 90 %) that keeps headroom for everyone else.
The org's usage comes from the `Sforce-Limit-Info` header that Salesforce puts on every response.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, field

_LIMIT_INFO = re.compile(r"api-usage=(\d+)/(\d+)")
logger = logging.getLogger(__name__)


class ApiBudgetExhausted(RuntimeError):
    """Raised before a call that would spend more than the integration may; nothing was sent."""


@dataclass
class BudgetPolicy:
    """How much of the org's daily allocation this integration may spend."""

    share_of_daily_limit: float = 0.25
    org_ceiling: float = 0.9
    warn_at: tuple[float, ...] = (0.7, 0.9)

    def __post_init__(self) -> None:
        if not 0 < self.share_of_daily_limit <= 1:
            raise ValueError(f"share_of_daily_limit must be in (0, 1], got {self.share_of_daily_limit}")
        if not 0 < self.org_ceiling <= 1:
            raise ValueError(f"org_ceiling must be in (0, 1], got {self.org_ceiling}")


@dataclass
class ApiGovernor:
    """Counts calls, reads the org's usage from each response, and refuses calls beyond the budget.

    `used_before_run` is what this integration already spent in the rolling day (kept by the caller, e.g. in
    the warehouse's run log), so the share holds across runs.
    """

    policy: BudgetPolicy = field(default_factory=BudgetPolicy)
    used_before_run: int = 0
    calls: int = 0
    org_used: int | None = None
    org_max: int | None = None
    _warned: set[float] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def integration_allowance(self) -> int | None:
        if self.org_max is None:
            return None
        return int(self.org_max * self.policy.share_of_daily_limit)

    def remaining_for_integration(self) -> int | None:
        allowance = self.integration_allowance
        return None if allowance is None else allowance - self.used_before_run - self.calls

    def before_call(self, method: str, url: str) -> None:
        """Refuse the call if it would break the budget; otherwise count it."""
        with self._lock:
            allowance = self.integration_allowance
            if allowance is not None and self.used_before_run + self.calls + 1 > allowance:
                raise ApiBudgetExhausted(
                    f"API budget spent: this integration used {self.used_before_run + self.calls} of its "
                    f"{allowance} calls ({self.policy.share_of_daily_limit:.0%} of the org's {self.org_max}); "
                    f"not sending {method} {url}"
                )
            if self.org_max is not None and self.org_used is not None:
                ceiling = int(self.org_max * self.policy.org_ceiling)
                if self.org_used + 1 > ceiling:
                    raise ApiBudgetExhausted(
                        f"org API usage {self.org_used}/{self.org_max} is at the {self.policy.org_ceiling:.0%} "
                        f"ceiling kept for other integrations; not sending {method} {url}"
                    )
            self.calls += 1
            if self.org_used is not None:
                self.org_used += 1

    def observe(self, limit_info: str | None) -> None:
        """Take the org's usage from a `Sforce-Limit-Info` header and warn at the configured thresholds."""
        match = _LIMIT_INFO.search(limit_info or "")
        if not match:
            return
        with self._lock:
            self.org_used, self.org_max = int(match.group(1)), int(match.group(2))
            allowance = self.integration_allowance or 1
            spent = (self.used_before_run + self.calls) / allowance
            for threshold in self.policy.warn_at:
                if spent >= threshold and threshold not in self._warned:
                    self._warned.add(threshold)
                    logger.warning(
                        "API budget %.0f%% spent: %d of %d calls allowed to this integration (org at %d/%d)",
                        spent * 100,
                        self.used_before_run + self.calls,
                        allowance,
                        self.org_used,
                        self.org_max,
                    )

    def summary(self) -> dict[str, int | None]:
        return {
            "api_calls_this_run": self.calls,
            "api_calls_integration_day": self.used_before_run + self.calls,
            "api_allowance_integration_day": self.integration_allowance,
            "api_org_used": self.org_used,
            "api_org_max": self.org_max,
            "api_org_remaining": None if self.org_max is None else self.org_max - (self.org_used or 0),
        }
