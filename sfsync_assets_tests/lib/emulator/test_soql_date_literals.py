"""Ranges of SOQL's relative date literals for a fixed today (UTC user, en_US weeks, calendar fiscal year)."""

from __future__ import annotations

from datetime import date

import pytest

from sfsync_assets.lib.emulator.soql.date_literals import date_range, literal_arity

TODAY = date(2026, 3, 18)  # a Wednesday


@pytest.mark.parametrize(
    ("name", "count", "first", "after_last"),
    [
        ("TODAY", None, date(2026, 3, 18), date(2026, 3, 19)),
        ("YESTERDAY", None, date(2026, 3, 17), date(2026, 3, 18)),
        ("TOMORROW", None, date(2026, 3, 19), date(2026, 3, 20)),
        ("THIS_WEEK", None, date(2026, 3, 15), date(2026, 3, 22)),
        ("LAST_WEEK", None, date(2026, 3, 8), date(2026, 3, 15)),
        ("NEXT_WEEK", None, date(2026, 3, 22), date(2026, 3, 29)),
        ("THIS_MONTH", None, date(2026, 3, 1), date(2026, 4, 1)),
        ("LAST_MONTH", None, date(2026, 2, 1), date(2026, 3, 1)),
        ("NEXT_MONTH", None, date(2026, 4, 1), date(2026, 5, 1)),
        ("THIS_QUARTER", None, date(2026, 1, 1), date(2026, 4, 1)),
        ("LAST_QUARTER", None, date(2025, 10, 1), date(2026, 1, 1)),
        ("NEXT_QUARTER", None, date(2026, 4, 1), date(2026, 7, 1)),
        ("THIS_YEAR", None, date(2026, 1, 1), date(2027, 1, 1)),
        ("LAST_YEAR", None, date(2025, 1, 1), date(2026, 1, 1)),
        ("NEXT_YEAR", None, date(2027, 1, 1), date(2028, 1, 1)),
        ("THIS_FISCAL_QUARTER", None, date(2026, 1, 1), date(2026, 4, 1)),
        ("LAST_FISCAL_YEAR", None, date(2025, 1, 1), date(2026, 1, 1)),
        ("LAST_90_DAYS", None, date(2025, 12, 18), date(2026, 3, 19)),
        ("NEXT_90_DAYS", None, date(2026, 3, 19), date(2026, 6, 17)),
        # LAST_N_DAYS includes today (n + 1 days); NEXT_N_DAYS starts tomorrow.
        ("LAST_N_DAYS", 7, date(2026, 3, 11), date(2026, 3, 19)),
        ("LAST_N_DAYS", 0, date(2026, 3, 18), date(2026, 3, 19)),
        ("NEXT_N_DAYS", 7, date(2026, 3, 19), date(2026, 3, 26)),
        ("N_DAYS_AGO", 3, date(2026, 3, 15), date(2026, 3, 16)),
        # LAST_N_<period>s end where the current period starts; NEXT_N_<period>s start with the next one.
        ("LAST_N_WEEKS", 2, date(2026, 3, 1), date(2026, 3, 15)),
        ("NEXT_N_WEEKS", 2, date(2026, 3, 22), date(2026, 4, 5)),
        ("LAST_N_MONTHS", 3, date(2025, 12, 1), date(2026, 3, 1)),
        ("NEXT_N_MONTHS", 10, date(2026, 4, 1), date(2027, 2, 1)),
        ("LAST_N_QUARTERS", 2, date(2025, 7, 1), date(2026, 1, 1)),
        ("NEXT_N_YEARS", 2, date(2027, 1, 1), date(2029, 1, 1)),
        ("N_MONTHS_AGO", 14, date(2025, 1, 1), date(2025, 2, 1)),
        ("N_WEEKS_AGO", 1, date(2026, 3, 8), date(2026, 3, 15)),
    ],
)
def test_ranges(name: str, count: int | None, first: date, after_last: date) -> None:
    assert date_range(name, count, TODAY) == (first, after_last)


def test_weeks_start_on_sunday_even_when_today_is_sunday() -> None:
    assert date_range("THIS_WEEK", None, date(2026, 3, 15)) == (date(2026, 3, 15), date(2026, 3, 22))
    assert date_range("THIS_WEEK", None, date(2026, 3, 21)) == (date(2026, 3, 15), date(2026, 3, 22))


def test_literal_names_are_case_insensitive_and_tell_whether_they_take_a_count() -> None:
    assert [
        literal_arity(name)
        for name in [
            "today",
            "This_Quarter",
            "LAST_N_DAYS",
            "n_weeks_ago",
            "LAST_N_DAY",
            "TODAYS",
            "THIS_DAY",
            "Name",
        ]
    ] == [0, 0, 1, 1, None, None, None, None]
