"""The month grid of the calendar page: whole ISO weeks, Monday to Sunday, with what falls on
each day. Pure date arithmetic, so the page logic is testable without a request."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from mdk.validation import FIRST_YEAR, LAST_YEAR

MONTH_PATTERN = re.compile(r"([0-9]{4})-([0-9]{2})")


@dataclass
class GridDay:
    day: date
    in_month: bool
    holiday: str | None = None  # public holiday or closed eve (mdk.calendar.closures)
    closures: list[str] = field(default_factory=list)  # configured closures covering the day
    meetings: list = field(default_factory=list)  # conferences held this (local) day

    @property
    def is_weekend(self) -> bool:
        return self.day.isoweekday() >= 6

    @property
    def is_closed(self) -> bool:
        return bool(self.holiday or self.closures)


@dataclass
class GridWeek:
    iso_week: int
    days: list[GridDay]


def parse_month(text: str) -> tuple[int, int] | None:
    """(year, month) of 'YYYY-MM', or None when it is no real month."""
    match = MONTH_PATTERN.fullmatch(text)
    if match is None:
        return None
    year, month = int(match[1]), int(match[2])
    if not (1 <= month <= 12 and FIRST_YEAR <= year <= LAST_YEAR):
        return None
    return year, month


def month_span(year: int, month: int) -> tuple[date, date]:
    """The Monday before the 1st and the Sunday after the last day: the grid's first and last."""
    first_of_month = date(year, month, 1)
    last_of_month = shift_month(first_of_month, 1) - timedelta(days=1)
    first = first_of_month - timedelta(days=first_of_month.isoweekday() - 1)
    last = last_of_month + timedelta(days=7 - last_of_month.isoweekday())
    return first, last


def shift_month(first_of_month: date, months: int) -> date:
    index = first_of_month.year * 12 + first_of_month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def build_month(year: int, month: int, meetings_by_day: Mapping[date, list],
                holidays: Mapping[date, str],
                closures: Iterable[tuple[date, date, str]]) -> list[GridWeek]:
    """The weeks of the month; `closures` are (first day, last day, reason)."""
    closures = list(closures)
    first, last = month_span(year, month)
    weeks: list[GridWeek] = []
    day = first
    while day <= last:
        days = []
        for offset in range(7):
            current = day + timedelta(days=offset)
            days.append(GridDay(
                day=current, in_month=current.month == month,
                holiday=holidays.get(current),
                closures=[reason for start, end, reason in closures if start <= current <= end],
                meetings=list(meetings_by_day.get(current, ())),
            ))
        weeks.append(GridWeek(iso_week=day.isocalendar().week, days=days))
        day += timedelta(days=7)
    return weeks
