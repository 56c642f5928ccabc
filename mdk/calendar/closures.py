"""Which days a meeting cannot be held: Swedish public holidays, the eves that are closed in
practice (julafton, midsommarafton, nyårsafton: the `holidays` package's `de_facto` category),
weekends, and closures configured per service or per unit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays

CATEGORIES = ("public", "de_facto")


@dataclass(frozen=True)
class Closure:
    """A closed period, inclusive of both days (e.g. summer weeks, a unit's own closed days)."""

    first_day: date
    last_day: date
    reason: str

    def covers(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


@lru_cache(maxsize=64)
def _swedish_holidays(year: int, language: str) -> dict[date, str]:
    calendar = holidays.country_holidays(
        "SE", years=year, categories=CATEGORIES, language="sv" if language == "sv" else "en_US"
    )
    return dict(calendar.items())


def holiday_name(day: date, language: str = "sv") -> str | None:
    """The name of the public holiday or closed eve on `day`, or None."""
    return _swedish_holidays(day.year, language).get(day)


def holidays_between(first: date, last: date, language: str = "sv") -> dict[date, str]:
    found: dict[date, str] = {}
    for year in range(first.year, last.year + 1):
        for day, name in _swedish_holidays(year, language).items():
            if first <= day <= last:
                found[day] = name
    return dict(sorted(found.items()))


def closed_reason(day: date, closures: Iterable[Closure] = (), language: str = "sv") -> str | None:
    """Why no meeting can be held on `day` (weekend, holiday, eve, closure), or None if open."""
    name = holiday_name(day, language)
    if name:
        return name
    for closure in closures:
        if closure.covers(day):
            return closure.reason
    if day.isoweekday() >= 6:
        return "helg" if language == "sv" else "weekend"
    return None


def next_working_day(day: date, closures: Iterable[Closure] = ()) -> date:
    """The first day after `day` that is open."""
    closures = tuple(closures)
    candidate = day + timedelta(days=1)
    while closed_reason(candidate, closures) is not None:
        candidate += timedelta(days=1)
    return candidate


def working_days_after(day: date, count: int, closures: Iterable[Closure] = ()) -> date:
    """The day `count` open days after `day` (weekends, public holidays and closed eves
    skipped): when a report's acknowledgement is due."""
    closures = tuple(closures)
    for _ in range(count):
        day = next_working_day(day, closures)
    return day


def working_days_before(day: date, count: int, closures: Iterable[Closure] = ()) -> date:
    """The day `count` open days before `day` (weekends, public holidays and closed eves
    skipped): the referral cut-off, a review's due day."""
    closures = tuple(closures)
    while count > 0:
        day -= timedelta(days=1)
        if closed_reason(day, closures) is None:
            count -= 1
    return day


def iso_weeks_in_year(year: int) -> int:
    """52 or 53: 28 December always lies in the last ISO week of its year."""
    return date(year, 12, 28).isocalendar().week
