"""Retries are bounded and jittered, permanent errors are not retried, and the breaker stops a failing push."""

from __future__ import annotations

import random

import pytest
import requests
from simple_salesforce.exceptions import SalesforceGeneralError, SalesforceMalformedRequest

from sfsync_assets.lib.outbound.circuit_breaker import CircuitBreaker
from sfsync_assets.lib.outbound.errors import BudgetStop, CircuitOpen, RequestFailed
from sfsync_assets.lib.outbound.retry import Backoff, RetryingCaller
from sfsync_assets.lib.outbound.settings import RetrySettings
from sfsync_assets.lib.salesforce.budget import ApiBudgetExhausted

SETTINGS = RetrySettings(max_attempts=3, base_delay_seconds=1.0, max_delay_seconds=3.0)


class Flaky:
    """A request that fails with the given errors, in order, then answers."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "answer"


def _unavailable() -> SalesforceGeneralError:
    return SalesforceGeneralError(
        "u", 503, "r", [{"errorCode": "SERVER_UNAVAILABLE", "message": "try later"}]
    )


def _caller(threshold: int = 10) -> tuple[RetryingCaller, list[float]]:
    waits: list[float] = []
    caller = RetryingCaller(
        SETTINGS, CircuitBreaker(threshold), Backoff(SETTINGS, random.Random(1)), waits.append
    )
    return caller, waits


def test_retriable_failures_are_retried_with_growing_jittered_waits() -> None:
    caller, waits = _caller()
    request = Flaky(_unavailable(), requests.ConnectionError("reset"))

    assert caller.call("upsert", request) == "answer"

    assert (request.calls, caller.retries) == (3, 2)
    assert 0 <= waits[0] <= 1.0 and 0 <= waits[1] <= 2.0


def test_retries_are_bounded() -> None:
    caller, waits = _caller()

    with pytest.raises(RequestFailed) as failure:
        caller.call("upsert", Flaky(*[_unavailable()] * 5))

    assert (failure.value.code, failure.value.retriable, len(waits)) == ("SERVER_UNAVAILABLE", True, 2)


def test_permanent_failures_are_not_retried() -> None:
    caller, waits = _caller()
    invalid = SalesforceMalformedRequest(
        "u", 400, "r", [{"errorCode": "JSON_PARSER_ERROR", "message": "bad"}]
    )

    with pytest.raises(RequestFailed) as failure:
        caller.call("upsert", Flaky(invalid))

    assert (failure.value.code, failure.value.retriable, waits) == ("JSON_PARSER_ERROR", False, [])


def test_budget_and_org_limit_stop_the_push() -> None:
    caller, _ = _caller()
    with pytest.raises(BudgetStop):
        caller.call("upsert", Flaky(ApiBudgetExhausted("spent")))
    limit = SalesforceGeneralError("u", 403, "r", [{"errorCode": "REQUEST_LIMIT_EXCEEDED", "message": "x"}])
    with pytest.raises(BudgetStop):
        caller.call("upsert", Flaky(limit))


def test_the_breaker_opens_after_consecutive_failures_and_success_resets_it() -> None:
    caller, _ = _caller(threshold=4)
    caller.call("one", Flaky(_unavailable(), _unavailable()))
    assert caller.breaker.consecutive_failures == 0

    with pytest.raises(RequestFailed):
        caller.call("two", Flaky(*[_unavailable()] * 3))
    with pytest.raises(CircuitOpen, match="4 consecutive failures"):
        caller.call("three", Flaky(_unavailable()))
