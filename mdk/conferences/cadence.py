"""The dates a meeting series falls on, with holidays and closures applied.

Planned in local wall-clock time (a 08:00 meeting stays 08:00 across the March and October
clock changes) and returned as UTC instants for storage.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from mdk.calendar.closures import Closure, closed_reason, next_working_day
from mdk.care_areas.domain import MeetingSeriesConfig


@dataclass(frozen=True)
class Occurrence:
    planned_day: date  # the day the cadence gives
    day: date  # the day it is held (differs when moved)
    start: datetime | None  # aware UTC; None when skipped
    end: datetime | None
    moved_reason: str | None = None  # why it left planned_day
    skipped_reason: str | None = None  # why it is not held at all

    @property
    def skipped(self) -> bool:
        return self.skipped_reason is not None


def local_span(day: date, start: str, minutes: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """(start, end) in UTC of a meeting at wall-clock `start` on `day` in `tz`."""
    hour, minute = (int(part) for part in start.split(":"))
    start = datetime.combine(day, time(hour, minute), tzinfo=tz).astimezone(UTC)
    # Elapsed time, in UTC: a meeting across a clock change still lasts `minutes`.
    return start, start + timedelta(minutes=minutes)


def first_weekday_on_or_after(day: date, iso_weekday: int) -> date:
    return day + timedelta(days=(iso_weekday - day.isoweekday()) % 7)


def occurrences(series: MeetingSeriesConfig, first: date, last: date, tz: ZoneInfo,
                closures: Iterable[Closure] = (), language: str = "sv") -> list[Occurrence]:
    """Every cadence day of the series from `first` to `last` (inclusive), moved or skipped."""
    closures = tuple(closures)
    result: list[Occurrence] = []
    day = first_weekday_on_or_after(first, series.weekday)
    while day <= last:
        result.append(_place(series, day, tz, closures, language))
        day += timedelta(days=7)
    return result


def _place(series: MeetingSeriesConfig, day: date, tz: ZoneInfo, closures: tuple[Closure, ...],
           language: str) -> Occurrence:
    reason = closed_reason(day, closures, language)
    if reason is None:
        return Occurrence(day, day, *local_span(day, series.start, series.duration_minutes, tz))
    if series.on_holiday == "next_working_day":
        moved = next_working_day(day, closures)
        # Never into the next cadence week: that meeting is held as usual.
        if moved < day + timedelta(days=7):
            start, end = local_span(moved, series.start, series.duration_minutes, tz)
            return Occurrence(day, moved, start, end, moved_reason=reason)
    return Occurrence(day, day, None, None, skipped_reason=reason)
