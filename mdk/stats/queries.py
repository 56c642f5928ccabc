"""The statistics' SQL: every query aggregates in the database (GROUP BY), so the page runs
the same statements, returning rows bounded by the calendar (days, meetings, units,
reasons) rather than by the number of cases, whatever the size of the register.

Each function takes the care area and the period's UTC bounds [start, end).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, and_, func, select

from mdk.cases.models import Case, CaseTransition
from mdk.conference_day.models import Attendance
from mdk.conferences.models import Conference
from mdk.extensions import db
from mdk.i18n import to_local
from mdk.reviews.models import ReviewTask
from mdk.stats.sql import as_date, local_day
from mdk.treatment.models import TreatmentOutcome
from mdk.units.models import CareProvider, Unit

DISCUSSED = ("discussed", "reported", "closed")
HELD = ("held", "closed")
DEFERRALS = ("defer", "not_discussed")
REASONS_SHOWN = 30  # the most frequent deferral reasons listed (coordinators' view)

Bounds = tuple[datetime, datetime]


def _rows(statement):
    """A statement's rows through the session's connection: these are plain columns, and
    the ORM's result handling costs more than the query for a year of ten thousand cases."""
    return db.session.connection().execute(statement)


def _in(column, bounds: Bounds):
    return and_(column >= bounds[0], column < bounds[1])


def cases_by_unit(area: str, bounds: Bounds) -> list[tuple[int, str, str, int]]:
    """(unit id, unit name, care provider name, cases) of the cases referred (submitted) on
    a day of the period. Counted per unit id first, then named (a join of a dozen rows)."""
    counted = (select(Case.referring_unit_id.label("unit_id"), func.count(Case.id).label("n"))
               .where(Case.care_area == area, _in(Case.submitted_at, bounds))
               .group_by(Case.referring_unit_id).subquery())
    rows = _rows(
        select(Unit.id, Unit.name, CareProvider.name, counted.c.n)
        .join(Unit, counted.c.unit_id == Unit.id)
        .join(CareProvider, Unit.provider_id == CareProvider.id)
        .order_by(CareProvider.name, Unit.name, Unit.id)).all()
    return [tuple(row) for row in rows]


def _meeting_days(rows) -> list[tuple[date, date, int]]:
    """Rows grouped per meeting (its start) and another day: the meeting's local day in
    Python, once per meeting and day, instead of a conversion per case in SQL."""
    days: dict[datetime, date] = {}
    for starts_at, _other, _n in rows:
        if starts_at not in days:
            days[starts_at] = to_local(starts_at).date()
    return [(days[starts_at], as_date(other), n) for starts_at, other, n in rows]


def referral_to_meeting(area: str, bounds: Bounds) -> list[tuple[date, date, int]]:
    """(meeting day, referral day, cases) of the cases discussed at a meeting held in the
    period. The referral day: the day a remiss registered on the referring unit's behalf
    arrived, else the day the referral was submitted."""
    referred = func.coalesce(Case.remiss_received_on, local_day(Case.submitted_at),
                             type_=Date)
    rows = _rows(
        select(Conference.starts_at, referred, func.count(Case.id))
        .join(Conference, Case.conference_id == Conference.id)
        .where(Case.care_area == area, Case.state.in_(DISCUSSED),
               Case.submitted_at.is_not(None), _in(Conference.starts_at, bounds))
        .group_by(Conference.id, Conference.starts_at, referred)).all()
    return [(referral, meeting, n) for meeting, referral, n in _meeting_days(rows)]


def meeting_to_report(area: str, bounds: Bounds) -> list[tuple[date, date, int]]:
    """(meeting day, report day, cases): the first issue of each case's report (its move to
    reported) after a meeting held in the period."""
    first_report = (select(Conference.id.label("conference_id"),
                           Conference.starts_at.label("starts_at"),
                           func.min(CaseTransition.occurred_at).label("issued_at"))
                    .select_from(CaseTransition)
                    .join(Case, CaseTransition.case_id == Case.id)
                    .join(Conference, Case.conference_id == Conference.id)
                    .where(Case.care_area == area, CaseTransition.action == "report",
                           _in(Conference.starts_at, bounds))
                    .group_by(Case.id, Conference.id, Conference.starts_at).subquery())
    reported = local_day(first_report.c.issued_at)
    rows = _rows(
        select(first_report.c.starts_at, reported, func.count())
        .group_by(first_report.c.conference_id, first_report.c.starts_at, reported)).all()
    return _meeting_days(rows)


def meeting_to_treatment(area: str, bounds: Bounds) -> list[tuple[date, date, int]]:
    """(meeting day, treatment start, cases) of treatments started after a meeting held in
    the period (the meeting whose recommendation the record answers)."""
    rows = _rows(
        select(Conference.starts_at, TreatmentOutcome.started_on,
               func.count(TreatmentOutcome.id))
        .join(Conference, TreatmentOutcome.conference_id == Conference.id)
        .where(Conference.care_area == area, TreatmentOutcome.outcome == "started",
               _in(Conference.starts_at, bounds))
        .group_by(Conference.id, Conference.starts_at, TreatmentOutcome.started_on)).all()
    return _meeting_days(rows)


def adherence(area: str, bounds: Bounds) -> list[tuple[str, str, str | None, int]]:
    """(outcome, adherence, deviation reason, cases) recorded after meetings in the period."""
    rows = _rows(
        select(TreatmentOutcome.outcome, TreatmentOutcome.adherence,
               TreatmentOutcome.deviation_reason, func.count(TreatmentOutcome.id))
        .join(Conference, TreatmentOutcome.conference_id == Conference.id)
        .where(Conference.care_area == area, TreatmentOutcome.outcome.is_not(None),
               _in(Conference.starts_at, bounds))
        .group_by(TreatmentOutcome.outcome, TreatmentOutcome.adherence,
                  TreatmentOutcome.deviation_reason)).all()
    return [tuple(row) for row in rows]


def deferrals(area: str, bounds: Bounds) -> list[tuple[str, bool, int]]:
    """(move, made by the system, moves) of the deferrals and "listed, not discussed" made
    on a day of the period."""
    by_system = CaseTransition.actor_id.is_(None)
    rows = _rows(
        select(CaseTransition.action, by_system, func.count(CaseTransition.id))
        .join(Case, CaseTransition.case_id == Case.id)
        .where(Case.care_area == area, CaseTransition.action.in_(DEFERRALS),
               _in(CaseTransition.occurred_at, bounds))
        .group_by(CaseTransition.action, by_system)).all()
    return [(action, bool(system), n) for action, system, n in rows]


def deferral_reasons(area: str, bounds: Bounds) -> list[tuple[str, bool, str, int]]:
    """(move, made by the system, reason, moves): the most frequent reasons as written,
    most frequent first."""
    n = func.count(CaseTransition.id)
    by_system = CaseTransition.actor_id.is_(None)
    rows = _rows(
        select(CaseTransition.action, by_system, CaseTransition.reason, n)
        .join(Case, CaseTransition.case_id == Case.id)
        .where(Case.care_area == area, CaseTransition.action.in_(DEFERRALS),
               _in(CaseTransition.occurred_at, bounds))
        .group_by(CaseTransition.action, by_system, CaseTransition.reason)
        .order_by(n.desc(), CaseTransition.action, CaseTransition.reason)
        .limit(REASONS_SHOWN)).all()
    return [(action, bool(system), reason or "", count)
            for action, system, reason, count in rows]


def reviews(area: str, bounds: Bounds) -> list[tuple[str, str | None, int]]:
    """(competence, discrepancy, tasks) of the secondary reviews done for meetings held in
    the period."""
    rows = _rows(
        select(ReviewTask.competence, ReviewTask.discrepancy, func.count(ReviewTask.id))
        .join(Conference, ReviewTask.conference_id == Conference.id)
        .where(Conference.care_area == area, ReviewTask.state == "done",
               _in(Conference.starts_at, bounds))
        .group_by(ReviewTask.competence, ReviewTask.discrepancy)).all()
    return [tuple(row) for row in rows]


def meetings(area: str, bounds: Bounds) -> list[tuple[int, datetime, int | None, str | None]]:
    """(id, start, host unit id, host name) of the meetings held in the period."""
    rows = _rows(
        select(Conference.id, Conference.starts_at, Conference.host_unit_id, Unit.name)
        .outerjoin(Unit, Conference.host_unit_id == Unit.id)
        .where(Conference.care_area == area, Conference.status.in_(HELD),
               _in(Conference.starts_at, bounds))
        .order_by(Conference.starts_at, Conference.id)).all()
    return [tuple(row) for row in rows]


def attendance(area: str, bounds: Bounds) -> list[tuple[int, str, int]]:
    """(meeting id, competence, people present in it) at the meetings held in the period."""
    rows = _rows(
        select(Attendance.conference_id, Attendance.competence,
               func.count(func.distinct(Attendance.person_id)))
        .join(Conference, Attendance.conference_id == Conference.id)
        .where(Conference.care_area == area, Conference.status.in_(HELD),
               Attendance.present.is_(True), _in(Conference.starts_at, bounds))
        .group_by(Attendance.conference_id, Attendance.competence)).all()
    return [tuple(row) for row in rows]


def participants(area: str, bounds: Bounds) -> list[tuple[int, int, int, int]]:
    """(meeting id, people present, of them remote, units present) per meeting held in the
    period."""
    rows = _rows(
        select(Attendance.conference_id, func.count(func.distinct(Attendance.person_id)),
               func.count(func.distinct(Attendance.person_id)).filter(
                   Attendance.remote.is_(True)),
               func.count(func.distinct(Attendance.unit_id)))
        .join(Conference, Attendance.conference_id == Conference.id)
        .where(Conference.care_area == area, Conference.status.in_(HELD),
               Attendance.present.is_(True), _in(Conference.starts_at, bounds))
        .group_by(Attendance.conference_id)).all()
    return [tuple(row) for row in rows]
