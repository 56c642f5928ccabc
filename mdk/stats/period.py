"""The period a statistics page covers: from one local day to another, both included.

Days are days in the service's zone (Europe/Stockholm). An instant is in the period when
it falls on one of its days there: the SQL compares the stored UTC instant with the UTC
instants of the first day's and the day after the last day's local midnights (sargable, and
right across a DST change, since zoneinfo gives each midnight its own offset).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from mdk.validation import FieldError, parse_day

# The longest period a page covers: ten years of meetings is still a few thousand rows.
MAX_DAYS = 3660
PRESETS = ("year", "half_year", "quarter", "month")
PRESET_LABELS = {"year": _l("This year"), "half_year": _l("This half-year"),
                 "quarter": _l("This quarter"), "month": _l("This month")}


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    def utc_bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end): the UTC instants of the first day's local midnight and of the
        midnight after the last day."""
        start = datetime.combine(self.first, time(0), zone).astimezone(UTC)
        end = datetime.combine(self.last + timedelta(days=1), time(0), zone).astimezone(UTC)
        return start, end

    def query(self) -> dict[str, str]:
        return {"from": self.first.isoformat(), "to": self.last.isoformat()}


def preset(name: str, today: date) -> Period:
    """The year, half-year, quarter or month that holds `today`."""
    if name == "month":
        first = today.replace(day=1)
        months = 1
    else:
        months = {"year": 12, "half_year": 6, "quarter": 3}[name]
        first = date(today.year, (today.month - 1) // months * months + 1, 1)
    after = date(first.year + (first.month - 1 + months) // 12,
                 (first.month - 1 + months) % 12 + 1, 1)
    return Period(first, after - timedelta(days=1))


def period_from(args: Mapping[str, str], today: date, whole_months: bool = False) -> Period:
    """The period a request names: `preset`, or `from` and `to` (each defaulting to this
    year's first and last day). A bad day is a FieldError naming the field.

    With `whole_months` (outside the coordinators' view) `from` must be the first day of a
    month and `to` the last: two overlapping periods a day apart would otherwise tell one
    patient by their difference."""
    name = args.get("preset") or ""
    if name:
        if name not in PRESETS:
            raise FieldError("preset", _l("Choose one of the periods offered."))
        return preset(name, today)
    year = preset("year", today)
    first = parse_day(args.get("from"), "from") if args.get("from") else year.first
    last = parse_day(args.get("to"), "to") if args.get("to") else year.last
    if whole_months and first.day != 1:
        raise FieldError("from", _l("Choose the first day of a month."))
    if whole_months and (last + timedelta(days=1)).day != 1:
        raise FieldError("to", _l("Choose the last day of a month."))
    if last < first:
        raise FieldError("to", _l("The last day cannot be before the first."))
    if (last - first).days > MAX_DAYS:
        raise FieldError("to", _l("Choose a period of at most ten years."))
    return Period(first, last)
