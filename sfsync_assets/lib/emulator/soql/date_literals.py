"""Relative date literals (`TODAY`, `LAST_N_DAYS:7`, `THIS_QUARTER`, ...) as half-open ranges of days.

Salesforce evaluates them in the querying user's time zone and locale. The emulator's user lives in UTC with
the en_US locale, so weeks start on Sunday, and the org keeps the default fiscal year (the calendar year), so
the FISCAL_ literals equal their calendar counterparts. Documented ranges (SOQL reference, "Date Formats and
Date Literals in WHERE"): LAST_N_DAYS:n includes today (n + 1 days); NEXT_N_DAYS:n starts tomorrow;
LAST_N_WEEKS:n (and months, quarters, years) ends where the current period starts; NEXT_N_... starts with the
next period. How operators apply a range (`=` inside, `<` before its start, `>` after its end) is the
compiler's business.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

_RELATIVE_DAYS = {"YESTERDAY": -1, "TODAY": 0, "TOMORROW": 1}
_PERIODS = r"(WEEK|MONTH|QUARTER|YEAR|FISCAL_QUARTER|FISCAL_YEAR)"
_PLURAL_UNITS = r"(DAY|WEEK|MONTH|QUARTER|YEAR|FISCAL_QUARTER|FISCAL_YEAR)S"
_ONE_PERIOD = re.compile(rf"(THIS|LAST|NEXT)_{_PERIODS}")
_NINETY_DAYS = re.compile(r"(LAST|NEXT)_90_DAYS")
_N_PERIODS = re.compile(rf"(LAST|NEXT)_N_{_PLURAL_UNITS}")
_PERIOD_AGO = re.compile(rf"N_{_PLURAL_UNITS}_AGO")
_MONTHS_PER_UNIT = {"MONTH": 1, "QUARTER": 3, "FISCAL_QUARTER": 3, "YEAR": 12, "FISCAL_YEAR": 12}


def literal_arity(name: str) -> int | None:
    """1 when the literal takes `:n`, 0 when it stands alone, None when `name` is no date literal."""
    upper = name.upper()
    if upper in _RELATIVE_DAYS or _ONE_PERIOD.fullmatch(upper) or _NINETY_DAYS.fullmatch(upper):
        return 0
    if _N_PERIODS.fullmatch(upper) or _PERIOD_AGO.fullmatch(upper):
        return 1
    return None


def date_range(name: str, count: int | None, today: date) -> tuple[date, date]:
    """First day of the range and the day after its last, for a literal `literal_arity` accepted."""
    upper = name.upper()
    if upper in _RELATIVE_DAYS:
        day = today + timedelta(days=_RELATIVE_DAYS[upper])
        return day, day + timedelta(days=1)
    if match := _NINETY_DAYS.fullmatch(upper):
        return _n_days(match.group(1), 90, today)
    if match := _ONE_PERIOD.fullmatch(upper):
        direction, unit = match.groups()
        start = _shift(unit, _period_start(unit, today), {"THIS": 0, "LAST": -1, "NEXT": 1}[direction])
        return start, _shift(unit, start, 1)
    n = count or 0
    if match := _N_PERIODS.fullmatch(upper):
        direction, unit = match.groups()
        if unit == "DAY":
            return _n_days(direction, n, today)
        current = _period_start(unit, today)
        if direction == "LAST":
            return _shift(unit, current, -n), current
        return _shift(unit, current, 1), _shift(unit, current, 1 + n)
    match = _PERIOD_AGO.fullmatch(upper)
    if match is None:
        raise ValueError(f"not a date literal: {name}")
    unit = match.group(1)
    start = _shift(unit, _period_start(unit, today), -n)
    return start, _shift(unit, start, 1)


def _n_days(direction: str, n: int, today: date) -> tuple[date, date]:
    if direction == "LAST":
        return today - timedelta(days=n), today + timedelta(days=1)
    return today + timedelta(days=1), today + timedelta(days=1 + n)


def _period_start(unit: str, day: date) -> date:
    if unit == "DAY":
        return day
    if unit == "WEEK":
        return day - timedelta(days=day.isoweekday() % 7)  # Sunday starts the en_US week
    months = _MONTHS_PER_UNIT[unit]
    return date(day.year, (day.month - 1) // months * months + 1, 1)


def _shift(unit: str, start: date, periods: int) -> date:
    """`start` (a period's first day) moved by whole periods."""
    if unit == "DAY":
        return start + timedelta(days=periods)
    if unit == "WEEK":
        return start + timedelta(weeks=periods)
    month_index = start.year * 12 + start.month - 1 + periods * _MONTHS_PER_UNIT[unit]
    return date(month_index // 12, month_index % 12 + 1, 1)
