from datetime import date

import pytest

from mdk.calendar.closures import (
    Closure,
    closed_reason,
    holidays_between,
    iso_weeks_in_year,
    next_working_day,
)


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        (date(2026, 12, 24), "Julafton"),
        (date(2026, 12, 25), "Juldagen"),
        (date(2026, 6, 19), "Midsommarafton"),
        (date(2026, 12, 31), "Nyårsafton"),
        (date(2026, 5, 14), "Kristi himmelsfärdsdag"),
        (date(2026, 6, 6), "Nationaldagen"),
        (date(2027, 3, 26), "Långfredagen"),
        (date(2026, 11, 28), "helg"),
    ],
)
def test_holidays_eves_and_weekends_are_closed(day, reason):
    assert closed_reason(day) == reason


def test_an_ordinary_tuesday_is_open():
    assert closed_reason(date(2026, 12, 1)) is None


def test_a_configured_closure_closes_its_days():
    summer = Closure(date(2027, 7, 5), date(2027, 8, 6), "Sommaruppehåll")
    assert closed_reason(date(2027, 7, 13), [summer]) == "Sommaruppehåll"
    assert closed_reason(date(2027, 8, 10), [summer]) is None


def test_next_working_day_passes_christmas_and_the_weekend():
    # Thu 24 Dec 2026 (julafton) -> Fri 25 (juldag) -> Sat 26, Sun 27 -> Mon 28.
    assert next_working_day(date(2026, 12, 24)) == date(2026, 12, 28)


def test_english_holiday_names_are_available():
    assert closed_reason(date(2026, 12, 25), language="en") == "Christmas Day"


def test_holidays_between_spans_a_year_end():
    found = holidays_between(date(2026, 12, 20), date(2027, 1, 10))
    assert list(found) == [date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 26),
                           date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 6)]


@pytest.mark.parametrize(("year", "weeks"), [(2026, 53), (2027, 52), (2032, 53), (2020, 53)])
def test_iso_week_count_knows_week_53_years(year, weeks):
    assert iso_weeks_in_year(year) == weeks
