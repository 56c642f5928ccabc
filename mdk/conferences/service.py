"""The meeting calendar: generate conferences from the series, plan their hosts, and the
coordinators' changes (add, move, cancel, swap, override, details, unavailability, closures).

Plain functions on models; no Flask request here. Every coordinator change takes the acting
`Actor` (mdk.audit.service), needs a reason, and writes its audit event in the same
transaction. Bad input raises FieldError naming the field.

Host planning (mdk.rotation.planner is the pure core) runs per series over the area's
conferences; what it may not touch: a conference that is frozen (started, agenda locked, held,
closed, material already at the host) or pinned (a manual swap or override).
"""

from __future__ import annotations

import calendar
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from mdk.audit.service import Actor, check_details, record
from mdk.calendar.closures import Closure
from mdk.care_areas.domain import CareArea, MeetingSeriesConfig, NhvUnit
from mdk.care_areas.service import care_areas
from mdk.conferences.availability import AvailabilityIndex, area_closures
from mdk.conferences.cadence import local_span, occurrences
from mdk.conferences.models import (
    REASON_LENGTH,
    CalendarClosure,
    Conference,
    UnitUnavailability,
)
from mdk.db import utcnow
from mdk.extensions import db
from mdk.people.models import Person, PersonCompetence
from mdk.rotation.planner import Assignment, Slot, plan_fixed_host, plan_hosts, plan_period_hosts
from mdk.units.models import Unit
from mdk.validation import ConflictError, FieldError, clean_id, clean_text, parse_day

# The planner replays this much history (frozen, keeping its hosts), so fairness carries over
# from one run to the next instead of starting from zero every night.
LOOKBACK_DAYS = 364
# per_period rotation counts periods from fixed epochs, so a period means the same every run.
WEEK_EPOCH = date(2001, 1, 1)  # a Monday
TIME_PATTERN = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")
VIDEO_LINK_PATTERN = re.compile(r"https://[^\s<>\"']+")
OPEN_STATUSES = ("planned", "agenda_locked")


# --- results ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class HostChange:
    conference_id: int
    day: date
    old_unit_id: int | None
    new_unit_id: int | None
    reason: str  # the new host note: why this host, who was passed over and why


@dataclass(frozen=True)
class PlanRow:
    start: datetime  # aware, Europe/Stockholm
    iso_week: int
    series_key: str
    series_name: str
    area: str
    host_unit: str | None  # HSA-id
    host_unit_name: str | None  # short name, e.g. "SUS"
    chair: str | None
    status: str  # a conference status, or "skipped" for a cadence day not held
    note: str | None
    conference_id: int | None = None
    host_colour: str | None = None

    def as_json(self) -> dict:
        return {"start": self.start.isoformat(), "iso_week": self.iso_week,
                "series": self.series_key, "series_name": self.series_name, "area": self.area,
                "host_unit": self.host_unit, "host_unit_name": self.host_unit_name,
                "chair": self.chair, "status": self.status, "note": self.note,
                "conference_id": self.conference_id}


@dataclass
class HostedCount:
    unit: NhvUnit
    year: int = 0  # meetings hosted that year (cancelled excluded)
    per_cycle: list[int] = field(default_factory=list)  # rotating series, cycle by cycle
    eligible_share: float = 0.0  # weighted share of the rotating meetings it could host


@dataclass(frozen=True)
class StaffingWarning:
    conference: Conference
    reason: str


# --- small helpers ----------------------------------------------------------------------------

def local_zone() -> ZoneInfo:
    return current_app.config["MDK"].tz


def local_today() -> date:
    return utcnow().astimezone(local_zone()).date()


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=local_zone()).astimezone(UTC)


def default_capacity(series: MeetingSeriesConfig) -> int:
    return series.duration_minutes // series.case_slot_minutes


def _area(area_key: object, field_name: str = "care_area") -> CareArea:
    area = care_areas().get(area_key) if isinstance(area_key, str) else None
    if area is None:
        raise FieldError(field_name, _l("Unknown care area: %(area)s.", area=area_key))
    return area


def _series(area: CareArea, series_key: object) -> MeetingSeriesConfig:
    series = area.series_by_key(series_key) if isinstance(series_key, str) else None
    if series is None:
        raise FieldError("series_key", _l("Unknown meeting series: %(series)s.",
                                          series=series_key))
    return series


def _reason(value: object) -> str:
    """A required reason; it goes into the audit log, so it must not look like patient data."""
    text = clean_text(value, "reason", max_length=REASON_LENGTH)
    try:
        check_details({"reason": text})
    except ValueError as exc:
        raise FieldError("reason", _l("Write the reason without identity numbers.")) from exc
    return text


def _future_day(value: object, field_name: str = "day") -> date:
    day = parse_day(value, field_name)
    if day < local_today():
        raise FieldError(field_name, _l("Choose today or a later day."))
    return day


def _start_time(value: object) -> str:
    if not isinstance(value, str) or not TIME_PATTERN.fullmatch(value.strip()):
        raise FieldError("start", _l("Enter a time as HH:MM, e.g. 08:00."))
    return value.strip()


def _held_span(day: date, start: str, minutes: int) -> tuple[datetime, datetime]:
    """The meeting's UTC span; refused when the local time does not exist that day (the
    spring clock change skips 02:00-03:00) or the meeting would run past midnight."""
    zone = local_zone()
    starts_at, ends_at = local_span(day, start, minutes, zone)
    if f"{starts_at.astimezone(zone):%H:%M}" != start.zfill(5):
        raise FieldError("start", _l("That time does not exist that day: the clocks go "
                                     "forward. Choose another time."))
    if ends_at.astimezone(zone).date() != day:
        raise FieldError("start", _l("The meeting would end after midnight. Choose an "
                                     "earlier time."))
    return starts_at, ends_at


def _open(conference: Conference, field_name: str) -> None:
    """Only a planned meeting that has not started may be changed by hand."""
    if conference.is_frozen():
        raise ConflictError(field_name, _l("This meeting is locked, held, closed or cancelled, "
                                           "or its material is already at the host."))


# --- reading ----------------------------------------------------------------------------------

def list_conferences(area_key: str, first_day: date, last_day: date) -> list[Conference]:
    """The area's conferences held from first_day to last_day (local days), cancelled too,
    in time order; host unit and chair loaded with them (three statements whatever the count).
    """
    return list(db.session.scalars(
        select(Conference)
        .where(Conference.care_area == area_key,
               Conference.starts_at >= local_midnight(first_day),
               Conference.starts_at < local_midnight(last_day + timedelta(days=1)))
        .options(selectinload(Conference.host_unit), selectinload(Conference.chair))
        .order_by(Conference.starts_at, Conference.series_key, Conference.id)))


def get_conference(conference_id: int) -> Conference | None:
    return db.session.get(Conference, conference_id)


def unit_availability(area: CareArea | str, unit: Unit | str, day: date) -> str | None:
    """Why the unit cannot host that day (closure, unavailability, staffing), or None."""
    area = area if isinstance(area, CareArea) else _area(area)
    hsa_id = unit.hsa_id if isinstance(unit, Unit) else unit
    return AvailabilityIndex(area, day, day).reason(hsa_id, day)


# --- generating the calendar ------------------------------------------------------------------

def extend_calendars(today: date | None = None, horizon_months: int = 12) -> int:
    """Create the missing conferences of every series of every area, today to the horizon,
    then plan their hosts. Skipped days are not stored; moved ones are stored on their new
    day with moved_from. Idempotent: returns how many were created."""
    today = today or local_today()
    last = add_months(today, horizon_months)
    created = 0
    for area in care_areas().values():
        created += _extend_area(area, today, last)
        replan_hosts(area.key, today)
    db.session.commit()
    return created


def _extend_area(area: CareArea, today: date, last: date) -> int:
    closures = area_closures(area.key, today, last)
    known = {(series_key, planned_day) for series_key, planned_day in db.session.execute(
        select(Conference.series_key, Conference.planned_day)
        .where(Conference.care_area == area.key, Conference.planned_day >= today,
               Conference.planned_day <= last))}
    now = utcnow()
    new = [
        _conference_from(area, series, occurrence)
        for series in area.series
        for occurrence in occurrences(series, today, last, local_zone(), closures)
        # Today's meeting is not created after it has started.
        if not occurrence.skipped and (occurrence.day > today or occurrence.start > now)
        and (series.key, occurrence.planned_day) not in known
    ]
    db.session.add_all(new)
    db.session.flush()
    return len(new)


def _conference_from(area: CareArea, series: MeetingSeriesConfig, occurrence) -> Conference:
    moved = occurrence.day != occurrence.planned_day
    return Conference(
        care_area=area.key, series_key=series.key, planned_day=occurrence.planned_day,
        starts_at=occurrence.start, ends_at=occurrence.end, capacity=default_capacity(series),
        status="planned", moved_from=occurrence.planned_day if moved else None,
        status_reason=f"Flyttad från {occurrence.planned_day.isoformat()}: "
                      f"{occurrence.moved_reason}" if moved else None)


# --- planning hosts ---------------------------------------------------------------------------

def replan_hosts(area_key: str, today: date | None = None) -> list[HostChange]:
    """Plan the hosts of the area's coming conferences; frozen and pinned ones keep theirs.

    The planner replays the last year (frozen) so fairness carries over between runs, and
    keeps every host that can still host (stability). Returns the host changes.
    """
    area = _area(area_key)
    today = today or local_today()
    conferences = list(db.session.scalars(
        select(Conference)
        .where(Conference.care_area == area.key, Conference.status != "cancelled",
               Conference.starts_at >= local_midnight(today - timedelta(days=LOOKBACK_DAYS)))
        .order_by(Conference.starts_at, Conference.id)))
    if not conferences:
        return []
    zone = local_zone()
    days = {conference.id: conference.starts_at.astimezone(zone).date()
            for conference in conferences}
    index = AvailabilityIndex(area, min(days.values()), max(days.values()))
    by_series: dict[str, list[Conference]] = defaultdict(list)
    for conference in conferences:
        by_series[conference.series_key].append(conference)
    planner = _HostPlanner(area, index, days, today)
    changes: list[HostChange] = []
    for series_key, members in by_series.items():
        series = area.series_by_key(series_key)
        if series is not None:
            changes.extend(planner.plan(series, members))
    db.session.flush()
    return changes


class _HostPlanner:
    """Turns conferences into planner slots and writes the plan back (hosts, notes, chairs)."""

    def __init__(self, area: CareArea, index: AvailabilityIndex, days: dict[int, date],
                 today: date) -> None:
        self.area = area
        self.index = index
        self.days = days
        self.today = today
        self.now = utcnow()
        self.hsa_by_unit_id = {unit.id: hsa_id for hsa_id, unit in index.units.items()}
        self.order = [nhv.hsa_id for nhv in area.nhv_units]
        self._chairs: dict[int, int] | None = None

    def plan(self, series: MeetingSeriesConfig, members: list[Conference]) -> list[HostChange]:
        policy = series.host_policy
        slots = [self._slot(conference, policy) for conference in members]
        if policy.kind == "fixed":
            # The unit's own MDK: only a closure or an unavailability takes it away; a staffing
            # gap is noted and warned about (staffing_warnings), not a reason to drop the host.
            plan = plan_fixed_host(slots, policy.fixed_unit, self.index.hard_reason)
        elif policy.rotation == "per_period":
            plan = plan_period_hosts(slots, self.order, self.index.reason, policy.weights)
        else:
            plan = plan_hosts(slots, self.order, self.index.reason, policy.weights)
        by_id = {conference.id: conference for conference in members}
        frozen = {slot.key for slot in slots if slot.frozen}
        changes = []
        for assignment in plan:
            if assignment.key in frozen:
                continue
            change = self._write(by_id[int(assignment.key)], assignment, policy.kind)
            if change is not None:
                changes.append(change)
        return changes

    def _slot(self, conference: Conference, policy) -> Slot:
        day = self.days[conference.id]
        return Slot(key=str(conference.id), day=day, period=_period(policy, day),
                    current_host=self.hsa_by_unit_id.get(conference.host_unit_id),
                    frozen=(day < self.today or conference.host_pinned
                            or conference.is_frozen(self.now)))

    def _write(self, conference: Conference, assignment: Assignment,
               kind: str) -> HostChange | None:
        unit = self.index.units.get(assignment.host) if assignment.host else None
        note = self._note(assignment, kind)
        old = conference.host_unit_id
        new = unit.id if unit is not None else None
        if conference.host_note != note:
            conference.host_note = note
        if old == new:
            return None
        conference.host_unit_id = new
        conference.chair_person_id = self.default_chair(new)
        return HostChange(conference.id, assignment.day, old, new, note or "")

    def _note(self, assignment: Assignment, kind: str) -> str | None:
        passed = [f"{self.short_name(hsa_id)}: {reason}"
                  for hsa_id, reason in assignment.passed_over]
        if kind == "fixed" and assignment.host:
            staffing = self.index.staffing_reason(assignment.host, assignment.day)
            if staffing is None:
                return None
            return f"Bemanning: {self.short_name(assignment.host)}: {staffing}"
        if assignment.host is None:
            return _clip("Ingen värd: " + "; ".join(passed) if passed else "Ingen värd")
        return _clip("Passerade: " + "; ".join(passed)) if passed else None

    def short_name(self, hsa_id: str) -> str:
        nhv = self.area.nhv_unit(hsa_id)
        return nhv.short_name if nhv else hsa_id

    def default_chair(self, unit_id: int | None) -> int | None:
        if unit_id is None:
            return None
        if self._chairs is None:
            self._chairs = default_chairs(self.area, list(self.hsa_by_unit_id))
        return self._chairs.get(unit_id)


def _clip(note: str) -> str:
    return note if len(note) <= 500 else note[:497] + "..."


def _period(policy, day: date) -> str | None:
    """per_period: the number of the N-week/month/year block the day falls in."""
    if policy.rotation != "per_period":
        return None
    length = policy.period_length or 1
    if policy.period_unit == "weeks":
        monday = day - timedelta(days=day.weekday())
        return f"w{(monday - WEEK_EPOCH).days // 7 // length}"
    if policy.period_unit == "months":
        return f"m{(day.year * 12 + day.month - 1) // length}"
    return f"y{day.year // length}"


def default_chairs(area: CareArea, unit_ids: Sequence[int]) -> dict[int, int]:
    """Per unit: its first active holder (by name) of the area's first quorum competence, the
    usual chair (oncologist for anal cancer, colorectal surgeon for CRS/HIPEC). One query."""
    if not area.quorum or not unit_ids:
        return {}
    chairs: dict[int, int] = {}
    for person_id, unit_id in db.session.execute(
            select(Person.id, Person.unit_id).join(Person.competences)
            .where(Person.unit_id.in_(unit_ids), Person.active,
                   PersonCompetence.competence == area.quorum[0])
            .order_by(Person.name, Person.id)):
        chairs.setdefault(unit_id, person_id)
    return chairs


# --- coordinators' changes --------------------------------------------------------------------

def add_conference(actor: Actor, area_key: object, series_key: object, day: object,
                   start: object, reason: object) -> Conference:
    """An extra meeting of a series on `day` at local `start`; its host is planned."""
    area = _area(area_key)
    series = _series(area, series_key)
    day = _future_day(day)
    start = _start_time(start)
    reason = _reason(reason)
    taken = db.session.scalar(select(Conference.id).where(
        Conference.care_area == area.key, Conference.series_key == series.key,
        Conference.planned_day == day))
    if taken is not None:
        raise ConflictError("day", _l("This series already has a meeting that day."))
    starts_at, ends_at = _held_span(day, start, series.duration_minutes)
    conference = Conference(care_area=area.key, series_key=series.key, planned_day=day,
                            starts_at=starts_at, ends_at=ends_at,
                            capacity=default_capacity(series), status="planned",
                            status_reason=reason)
    db.session.add(conference)
    db.session.flush()
    record(actor, "conference.add", conference,
           details={"care_area": area.key, "series": series.key, "day": day.isoformat(),
                    "start": start, "reason": reason})
    replan_hosts(area.key)
    db.session.commit()
    return conference


def move_conference(actor: Actor, conference: Conference, day: object, start: object,
                    reason: object) -> Conference:
    """Hold the meeting on another day or time; a host that cannot host then is replaced
    (unless pinned)."""
    _open(conference, "day")
    day = _future_day(day)
    start = _start_time(start)
    reason = _reason(reason)
    area = _area(conference.care_area)
    series = _series(area, conference.series_key)
    old_day = conference.day
    starts_at, ends_at = _held_span(day, start, series.duration_minutes)
    if starts_at <= utcnow():
        raise FieldError("start", _l("Choose a time that has not passed."))
    conference.moved_from = conference.moved_from or old_day
    conference.starts_at, conference.ends_at = starts_at, ends_at
    conference.status_reason = reason
    record(actor, "conference.move", conference,
           details={"from": old_day.isoformat(), "to": day.isoformat(), "start": start,
                    "reason": reason})
    db.session.flush()
    replan_hosts(area.key)
    db.session.commit()
    return conference


def cancel_conference(actor: Actor, conference: Conference, reason: object) -> Conference:
    """Cancel: the row stays (status cancelled, with the reason); it hosts nothing."""
    if conference.status not in OPEN_STATUSES or conference.starts_at <= utcnow():
        raise ConflictError("status", _l("Only a coming meeting that is not held can be "
                                         "cancelled."))
    reason = _reason(reason)
    conference.status = "cancelled"
    conference.status_reason = reason
    record(actor, "conference.cancel", conference,
           details={"day": conference.day.isoformat(), "reason": reason})
    db.session.commit()
    return conference


def swap_hosts(actor: Actor, a: Conference, b: Conference | object, reason: object
               ) -> tuple[Conference, Conference]:
    """Exchange the hosts of two meetings of one area; both are then pinned. `b` is the
    other meeting or its id (as a form sends it)."""
    if not isinstance(b, Conference):
        message = _l("Choose a coming meeting of the same care area.")
        b = get_conference(clean_id(b, "other_conference_id", message))
        if b is None:
            raise FieldError("other_conference_id", message)
    _open(a, "conference_id")
    _open(b, "other_conference_id")
    if a.id == b.id or a.care_area != b.care_area:
        raise FieldError("other_conference_id",
                         _l("Choose another meeting of the same care area."))
    reason = _reason(reason)
    area = _area(a.care_area)
    _check_can_host(area, b.host_unit, a, "other_conference_id")
    _check_can_host(area, a.host_unit, b, "other_conference_id")
    a_host, b_host = a.host_unit_id, b.host_unit_id
    chairs = default_chairs(area, [unit_id for unit_id in (a_host, b_host) if unit_id])
    for conference, host, other in ((a, b_host, b), (b, a_host, a)):
        conference.host_unit_id = host
        conference.chair_person_id = chairs.get(host) if host else None
        conference.host_pinned = True
        conference.host_note = _clip(f"Bytt med {other.day.isoformat()}: {reason}")
    record(actor, "conference.swap_hosts", a,
           details={"other_conference_id": b.id, "a_day": a.day.isoformat(),
                    "b_day": b.day.isoformat(), "a_host_unit_id": b_host,
                    "b_host_unit_id": a_host, "reason": reason})
    db.session.commit()
    return a, b


def override_host(actor: Actor, conference: Conference, unit_id: object,
                  reason: object) -> Conference:
    """A one-off host for one meeting; pinned, so the planner leaves it."""
    _open(conference, "unit_id")
    area = _area(conference.care_area)
    unit = db.session.get(Unit, unit_id) if isinstance(unit_id, int) and not isinstance(
        unit_id, bool) else None
    if unit is None or area.nhv_unit(unit.hsa_id) is None:
        raise FieldError("unit_id", _l("Choose one of the care area's NHV units."))
    reason = _reason(reason)
    _check_can_host(area, unit, conference, "unit_id")
    old = conference.host_unit_id
    if old != unit.id:
        conference.host_unit_id = unit.id
        conference.chair_person_id = default_chairs(area, [unit.id]).get(unit.id)
    conference.host_pinned = True
    conference.host_note = _clip(f"Manuellt vald: {reason}")
    record(actor, "conference.override_host", conference,
           details={"old_host_unit_id": old, "new_host_unit_id": unit.id, "reason": reason})
    db.session.commit()
    return conference


def _check_can_host(area: CareArea, unit: Unit | None, conference: Conference,
                    field_name: str) -> None:
    """A closed or unavailable unit cannot be made host by hand either (staffing gaps may be
    known better by the coordinator, so they only warn)."""
    if unit is None:
        return
    day = conference.day
    reason = AvailabilityIndex(area, day, day).hard_reason(unit.hsa_id, day)
    if reason is not None:
        raise FieldError(field_name, _l("%(unit)s cannot host on %(day)s: %(reason)s",
                                        unit=unit.short_name, day=day.isoformat(),
                                        reason=reason))


def update_details(actor: Actor, conference: Conference, chair_person_id: object,
                   video_link: object) -> Conference:
    """The chair (any active person) and the video link (https) of one meeting."""
    if conference.status in ("closed", "cancelled"):
        raise ConflictError("status", _l("A closed or cancelled meeting cannot be changed."))
    chair = None
    if chair_person_id not in (None, ""):
        chair = (db.session.get(Person, chair_person_id)
                 if isinstance(chair_person_id, int) and not isinstance(chair_person_id, bool)
                 else None)
        if chair is None or not chair.active:
            raise FieldError("chair_person_id", _l("Choose a person from the list."))
    link = clean_text(video_link, "video_link", max_length=500, required=False)
    if link is not None and not VIDEO_LINK_PATTERN.fullmatch(link):
        raise FieldError("video_link", _l("Enter a link starting with https://."))
    conference.chair_person_id = chair.id if chair else None
    conference.video_link = link
    record(actor, "conference.update_details", conference,
           details={"chair_person_id": conference.chair_person_id,
                    "video_link_set": link is not None})
    db.session.commit()
    return conference


def _day_range(first_day: object, last_day: object) -> tuple[date, date]:
    first = parse_day(first_day, "first_day")
    last = parse_day(last_day, "last_day")
    if last < first:
        raise FieldError("last_day", _l("The last day cannot be before the first day."))
    return first, last


def add_unavailability(actor: Actor, unit_id: object, first_day: object, last_day: object,
                       reason: object, care_area: object = None) -> UnitUnavailability:
    """The unit cannot host these days (in one area, or every area it is NHV in); the coming
    meetings it hosted then are re-planned, nothing else moves."""
    unit = db.session.get(Unit, unit_id) if isinstance(unit_id, int) and not isinstance(
        unit_id, bool) else None
    if unit is None:
        raise FieldError("unit_id", _l("Choose a unit from the list."))
    first, last = _day_range(first_day, last_day)
    reason = _reason(reason)
    areas = [_area(care_area)] if care_area not in (None, "") else [
        area for area in care_areas().values() if area.nhv_unit(unit.hsa_id)]
    row = UnitUnavailability(unit_id=unit.id, care_area=areas[0].key if care_area else None,
                             first_day=first, last_day=last, reason=reason,
                             created_by=actor.person_id)
    db.session.add(row)
    db.session.flush()
    changed = sum(len(replan_hosts(area.key)) for area in areas)
    record(actor, "unit.unavailability.add", ("unit", unit.id),
           details={"unavailability_id": row.id, "first_day": first.isoformat(),
                    "last_day": last.isoformat(), "care_area": row.care_area,
                    "reason": reason, "hosts_changed": changed})
    db.session.commit()
    return row


def add_closure(actor: Actor, first_day: object, last_day: object, reason: object,
                care_area: object = None) -> CalendarClosure:
    """A closed period (e.g. summer weeks): coming meetings then are cancelled (rows kept,
    with the reason), and later extensions of the calendar skip or move those days."""
    first, last = _day_range(first_day, last_day)
    reason = _reason(reason)
    areas = [_area(care_area)] if care_area not in (None, "") else list(care_areas().values())
    row = CalendarClosure(care_area=areas[0].key if care_area else None, first_day=first,
                          last_day=last, reason=reason, created_by=actor.person_id)
    db.session.add(row)
    db.session.flush()
    cancelled = 0
    now = utcnow()
    for area in areas:
        for conference in list_conferences(area.key, first, last):
            if not conference.is_frozen(now):
                conference.status = "cancelled"
                conference.status_reason = f"Stängt: {reason}"
                cancelled += 1
        replan_hosts(area.key)
    record(actor, "calendar.closure.add", ("calendar_closure", row.id),
           details={"first_day": first.isoformat(), "last_day": last.isoformat(),
                    "care_area": row.care_area, "reason": reason, "cancelled": cancelled})
    db.session.commit()
    return row


# --- the rotation plan and its counts ---------------------------------------------------------

def _year_conferences(area: CareArea, year: int) -> list[Conference]:
    return list_conferences(area.key, date(year, 1, 1), date(year, 12, 31))


def rotation_plan(area_key: str, year: int) -> list[PlanRow]:
    """Every meeting of every series of the area in `year` (cancelled ones and skipped
    cadence days included, with why), for `mdk rotation plan` and the rotation page."""
    area = _area(area_key, "area")
    zone = local_zone()
    conferences = _year_conferences(area, year)
    rows = [_plan_row(area, conference, zone) for conference in conferences]
    rows.extend(_skipped_rows(area, year, conferences, zone))
    return sorted(rows, key=lambda row: (row.start, row.series_key))


def _plan_row(area: CareArea, conference: Conference, zone: ZoneInfo) -> PlanRow:
    series = area.series_by_key(conference.series_key)
    start = conference.starts_at.astimezone(zone)
    unit = conference.host_unit
    nhv = area.nhv_unit(unit.hsa_id) if unit else None
    note = conference.host_note
    if conference.status == "cancelled" or conference.moved_from:
        note = "; ".join(part for part in (conference.status_reason, note) if part)
    return PlanRow(
        start=start, iso_week=start.isocalendar().week, series_key=conference.series_key,
        series_name=series.name.sv if series else conference.series_key, area=area.key,
        host_unit=unit.hsa_id if unit else None,
        host_unit_name=(nhv.short_name if nhv else unit.short_name) if unit else None,
        chair=conference.chair.name if conference.chair else None, status=conference.status,
        note=note or None, conference_id=conference.id,
        host_colour=nhv.colour if nhv else None)


def _skipped_rows(area: CareArea, year: int, conferences: list[Conference],
                  zone: ZoneInfo) -> list[PlanRow]:
    """Cadence days not held (holiday, eve, closure) within the span already generated."""
    rows = []
    first, last = date(year, 1, 1), date(year, 12, 31)
    closures: list[Closure] = area_closures(area.key, first, last)
    spans = {key: (low, high) for key, low, high in db.session.execute(
        select(Conference.series_key, func.min(Conference.planned_day),
               func.max(Conference.planned_day))
        .where(Conference.care_area == area.key).group_by(Conference.series_key))}
    for series in area.series:
        if series.key not in spans:
            continue
        span = spans[series.key]
        planned = {c.planned_day for c in conferences if c.series_key == series.key}
        for occurrence in occurrences(series, first, last, zone, closures):
            if (occurrence.skipped and span[0] <= occurrence.planned_day <= span[1]
                    and occurrence.planned_day not in planned):
                start, _end = local_span(occurrence.planned_day, series.start,
                                         series.duration_minutes, zone)
                start = start.astimezone(zone)
                rows.append(PlanRow(
                    start=start, iso_week=start.isocalendar().week, series_key=series.key,
                    series_name=series.name.sv, area=area.key, host_unit=None,
                    host_unit_name=None, chair=None, status="skipped",
                    note=occurrence.skipped_reason))
    return rows


def hosted_counts(area_key: str, year: int) -> dict[str, HostedCount]:
    """Per NHV unit (HSA-id): meetings hosted in the year, per rotation cycle of the rotating
    series (a cycle = the sum of the weights, e.g. four meetings), and its eligible share."""
    area = _area(area_key, "area")
    counts = {nhv.hsa_id: HostedCount(unit=nhv) for nhv in area.nhv_units}
    conferences = [c for c in _year_conferences(area, year) if c.status != "cancelled"]
    for conference in conferences:
        if conference.host_unit and conference.host_unit.hsa_id in counts:
            counts[conference.host_unit.hsa_id].year += 1
    if not conferences:
        return counts
    index = AvailabilityIndex(area, date(year, 1, 1), date(year, 12, 31))
    for series in area.series:
        if series.host_policy.kind != "rotating":
            continue
        _count_cycles(area, series, conferences, index, counts)
    return counts


def _count_cycles(area: CareArea, series: MeetingSeriesConfig, conferences: list[Conference],
                  index: AvailabilityIndex, counts: dict[str, HostedCount]) -> None:
    weights = series.host_policy.weights
    cycle = max(1, round(sum(weights.get(nhv.hsa_id, 1.0) for nhv in area.nhv_units)))
    members = [c for c in conferences if c.series_key == series.key]
    per_cycle: list[Counter] = []
    for position, conference in enumerate(members):
        if position % cycle == 0:
            per_cycle.append(Counter())
        if conference.host_unit is not None:
            per_cycle[-1][conference.host_unit.hsa_id] += 1
        eligible = [hsa_id for hsa_id in counts
                    if index.reason(hsa_id, conference.day) is None]
        total = sum(weights.get(hsa_id, 1.0) for hsa_id in eligible)
        for hsa_id in eligible:
            counts[hsa_id].eligible_share += weights.get(hsa_id, 1.0) / total
    for hsa_id, count in counts.items():
        count.per_cycle.extend(counter[hsa_id] for counter in per_cycle)


def staffing_warnings(area_key: str, today: date | None = None,
                      weeks: int = 8) -> list[StaffingWarning]:
    """Coming meetings (the next `weeks` weeks) without a host, or whose host cannot staff
    them that week, with the reason."""
    area = _area(area_key, "area")
    today = today or local_today()
    last = today + timedelta(weeks=weeks) - timedelta(days=1)
    coming = [c for c in list_conferences(area.key, today, last) if c.status in OPEN_STATUSES]
    if not coming:
        return []
    index = AvailabilityIndex(area, today, last)
    warnings = []
    for conference in coming:
        unit = conference.host_unit
        if unit is None:
            warnings.append(StaffingWarning(conference, conference.host_note or "Ingen värd"))
            continue
        reason = index.reason(unit.hsa_id, conference.day)
        if reason is not None:
            nhv = area.nhv_unit(unit.hsa_id)
            warnings.append(StaffingWarning(
                conference, f"{nhv.short_name if nhv else unit.short_name}: {reason}"))
    return warnings
