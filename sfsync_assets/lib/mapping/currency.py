"""Amounts converted to USD with the ERP's rate table: the latest rate on or before the record's date.

Rates are booked every few days (daily at scale), so the rate of an exact date rarely exists; the conversion
records which rate date it used so an amount can always be traced to the rate behind it.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from .findings import Rejected, Rule


@dataclass(frozen=True)
class Conversion:
    amount_usd: float
    rate_to_usd: float
    rate_date: date


class RateTable:
    """`(rate_date, currency, rate_to_usd)` rows, searchable by currency and date."""

    def __init__(self, rates: Iterable[tuple[date, str, float]]) -> None:
        by_currency: dict[str, list[tuple[date, float]]] = defaultdict(list)
        for rate_date, currency, rate in rates:
            by_currency[currency.upper()].append((rate_date, float(rate)))
        ordered = {currency: sorted(rows) for currency, rows in by_currency.items()}
        self._dates = {currency: [day for day, _ in rows] for currency, rows in ordered.items()}
        self._rates = {currency: [rate for _, rate in rows] for currency, rows in ordered.items()}

    def convert(self, amount: float, currency: str, on: date) -> Conversion:
        dates = self._dates.get(currency.upper())
        if not dates:
            raise Rejected(Rule.NO_EXCHANGE_RATE, f"no rate to USD is known for currency {currency!r}")
        position = bisect.bisect_right(dates, on) - 1
        if position < 0:
            raise Rejected(
                Rule.NO_EXCHANGE_RATE,
                f"no {currency} rate on or before {on.isoformat()} (the first is {dates[0].isoformat()})",
            )
        rate = self._rates[currency.upper()][position]
        return Conversion(round(amount * rate, 2), rate, dates[position])
