"""Planning 10 years of meetings against planning 1 year: the ratio should be about 10
(linear; target <= 10.5). Cadence (holidays, DST) and the host planner, pure, no database."""

from __future__ import annotations

import math
import timeit
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from mdk.care_areas.domain import HostPolicy, Label, MeetingSeriesConfig
from mdk.conferences.cadence import occurrences
from mdk.rotation.planner import Slot, plan_hosts

UNITS = ("SE2321000016-AC01", "SE2321000131-AC02", "SE2321000255-AC03", "SE2321000024-AC04")
SERIES = MeetingSeriesConfig(
    key="national", name=Label("Nationell MDK", "National MDK"), weekday=2, start="08:00",
    duration_minutes=90, case_slot_minutes=10, cutoff_days=2, cutoff_time="12:00",
    host_policy=HostPolicy(kind="rotating", rotation="per_meeting"),
)
FIRST = date(2027, 1, 1)
TZ = ZoneInfo("Europe/Stockholm")
MIN_SAMPLE = 0.2  # seconds of work per timing sample


def availability(unit: str, day: date) -> str | None:
    # A deterministic scatter of closed weeks, about one in seven per unit.
    return "stängt" if (day.toordinal() // 7 + UNITS.index(unit)) % 7 == 0 else None


def plan_years(years: int) -> int:
    last = FIRST.replace(year=FIRST.year + years) - timedelta(days=1)
    held = [o for o in occurrences(SERIES, FIRST, last, TZ) if not o.skipped]
    slots = [Slot(key=o.day.isoformat(), day=o.day) for o in held]
    return len(plan_hosts(slots, UNITS, availability))


def best_of(repeats: int, years: int) -> float:
    """Seconds per plan: each sample runs the plan as many times as fill MIN_SAMPLE seconds,
    and the best sample counts. A busy machine only ever adds time, so the minimum of samples
    long enough to span a scheduler tick is the stable number (a 1-year plan takes a few ms:
    one run alone reads 2x on a loaded machine)."""
    timer = timeit.Timer(lambda: plan_years(years))
    runs = max(1, math.ceil(MIN_SAMPLE / max(timer.timeit(1), 1e-6)))
    return min(timer.repeat(repeat=repeats, number=runs)) / runs


def main() -> None:
    plan_years(1)  # warm caches (holiday tables) so both sides measure the same work
    one = best_of(9, 1)
    ten = best_of(9, 10)
    print(f"rotation: 1 year {one * 1000:.1f} ms, 10 years {ten * 1000:.1f} ms, "
          f"ratio {ten / one:.2f} (target <= 10.5)")
