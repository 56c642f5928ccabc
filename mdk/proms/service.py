"""PROM follow-up of a reported case: which questionnaires are due when, and whether they
were done. No questionnaire is answered here; the treating unit's contact nurse records
that it happened.

- When a case is reported (its first report is issued, the same moment mdk.treatment makes
  its row), one PromFollowUp row is made per PROM time point of the established care plan
  the report was made from (mdk.care_plans.service.prom_time_points), with one PromSchedule
  row per case holding the meeting's day and the treating unit (the treatment follow-up's).
- A time point's due day is its fixed date, or `count` `unit` after its anchor: the
  meeting's day (known at once), the treatment start (when mdk.treatment records it: its
  treatment_recorded signal), the end of treatment or the discharge (recorded by the
  treating unit on the case's PROM page). Unknown anchor: no due day yet. A patient not
  treated has no treatment-anchored time points due (their due day is cleared).
- The treating unit's staff (members, reviewers) and the area's coordinators record each
  time point: done (with the day, and a score where the instrument has one), declined or
  not reached; a correction is audited with what the record said before.
- Every read of the case's PROM page writes `prom.read`, every record `prom.record` (a
  correction `prom.correct`), the days' record `prom.dates`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.exceptions import Forbidden, NotFound

from mdk.access import policy
from mdk.audit import service as audit
from mdk.audit.service import Actor
from mdk.cases.models import Case
from mdk.db import commit_keeping_loaded, utcnow
from mdk.extensions import db
from mdk.proms.models import (
    NOTE_LENGTH,
    SCORE_DIGITS,
    SCORE_PLACES,
    STATUSES,
    PromFollowUp,
    PromSchedule,
)
from mdk.treatment.models import TreatmentOutcome
from mdk.validation import ConflictError, FieldError, Problems, clean_text, parse_day

log = logging.getLogger(__name__)

FIELDS = frozenset({"status", "completed_on", "score", "note"})
DATE_FIELDS = frozenset({"treatment_ended_on", "discharged_on"})
# The anchor recorded on the PROM page, per field (the others come from elsewhere).
DATE_ANCHORS = {"treatment_ended_on": "treatment_end", "discharged_on": "discharge"}
MAX_SCORE = Decimal(10) ** (SCORE_DIGITS - SCORE_PLACES)
REPORTED = ("reported", "closed")


def local_day(moment) -> date:
    return moment.astimezone(current_app.config["MDK"].tz).date()


def today() -> date:
    return local_day(utcnow())


# --- the rows, made when the case is reported ------------------------------------------

def schedule_of(case: Case) -> PromSchedule | None:
    return db.session.scalar(select(PromSchedule).where(PromSchedule.case_id == case.id))


def follow_ups_of(case: Case) -> list[PromFollowUp]:
    return list(db.session.scalars(select(PromFollowUp).where(PromFollowUp.case_id == case.id)
                                   .order_by(PromFollowUp.position)))


def _treatment_of(case: Case) -> TreatmentOutcome | None:
    return db.session.scalar(select(TreatmentOutcome)
                             .where(TreatmentOutcome.case_id == case.id))


def _established_plan(case: Case):
    from mdk.reports.service import current_report

    report = current_report(case)
    plan = report.care_plan if report is not None else None
    return plan if plan is not None and plan.established else None


def make_row(case: Case, plan, position: int, point: Mapping[str, Any]) -> PromFollowUp:
    fixed = point.get("date")
    return PromFollowUp(
        case_id=case.id, care_plan_id=plan.id, position=position, section=point["section"],
        what=point.get("what") or "", instrument=point.get("instrument"),
        count=None if fixed else point.get("count"), unit=None if fixed else point.get("unit"),
        anchor=None if fixed else point.get("from"),
        fixed_on=date.fromisoformat(fixed) if fixed else None)


def start_schedule(case: Case) -> PromSchedule:
    """The case's PROM schedule and time points (made once, from the established care plan
    its report was made from; a case reported before this feature gets them when its PROM
    page is first read). In the caller's transaction."""
    from mdk.care_plans.service import prom_time_points
    from mdk.treatment.service import start_follow_up

    existing = schedule_of(case)
    if existing is not None:
        return existing
    treatment = start_follow_up(case)  # idempotent: whichever receiver runs first makes it
    plan = _established_plan(case)
    conference = case.conference
    schedule = PromSchedule(case_id=case.id, care_plan_id=plan.id if plan else None,
                            treating_unit_id=treatment.treating_unit_id,
                            meeting_on=local_day(conference.starts_at) if conference else None)
    db.session.add(schedule)
    points = prom_time_points(plan) if plan is not None else []
    rows = [make_row(case, plan, position, point)
            for position, point in enumerate(points, start=1)]
    db.session.add_all(rows)
    _set_due_days(schedule, rows, treatment)
    db.session.flush()
    return schedule


def on_case_moved(case: Case, transition=None, **_extra) -> None:
    """The case_moved receiver: a case just reported gets its PROM time points."""
    if transition is not None and transition.to_state == "reported":
        start_schedule(case)


def on_treatment_recorded(case: Case, row: TreatmentOutcome | None = None, **_extra) -> None:
    """The treatment_recorded receiver: the start (or that there was none) moves the due
    days of the time points counted from the treatment."""
    schedule = schedule_of(case) if case.state in REPORTED else None
    if schedule is None and _established_plan(case) is not None:
        schedule = start_schedule(case)
    if schedule is not None:
        _set_due_days(schedule, follow_ups_of(case), row or _treatment_of(case))


# --- the due days ----------------------------------------------------------------------------

def after(day: date, count: int, unit: str) -> date:
    from mdk.conferences.service import add_months

    if unit == "days":
        return day + timedelta(days=count)
    if unit == "weeks":
        return day + timedelta(weeks=count)
    return add_months(day, count * (12 if unit == "years" else 1))


def not_treated(treatment: TreatmentOutcome | None) -> bool:
    return treatment is not None and treatment.outcome == "not_treated"


def anchor_day(schedule: PromSchedule, row: PromFollowUp,
               treatment: TreatmentOutcome | None) -> date | None:
    """The day the time point counts from, once known (None for a fixed date)."""
    if row.anchor == "conference":
        return schedule.meeting_on
    if not_treated(treatment):
        return None
    if row.anchor == "treatment_start":
        return treatment.started_on if treatment is not None else None
    if row.anchor == "treatment_end":
        return schedule.treatment_ended_on
    if row.anchor == "discharge":
        return schedule.discharged_on
    return None


def due_day(schedule: PromSchedule, row: PromFollowUp,
            treatment: TreatmentOutcome | None) -> date | None:
    if row.fixed_on is not None:
        return row.fixed_on
    start = anchor_day(schedule, row, treatment)
    return after(start, row.count, row.unit) if start is not None else None


def _set_due_days(schedule: PromSchedule, rows: list[PromFollowUp],
                  treatment: TreatmentOutcome | None) -> None:
    for row in rows:
        row.due_on = due_day(schedule, row, treatment)


def set_due_days(case: Case, schedule: PromSchedule) -> None:
    """Every time point's due day again (the days they count from may have changed)."""
    _set_due_days(schedule, follow_ups_of(case), _treatment_of(case))


def excluded(row: PromFollowUp, treatment: TreatmentOutcome | None) -> bool:
    """Not due at all: counted from a treatment the patient did not have."""
    return row.treatment_anchored and not_treated(treatment)


# --- who may record --------------------------------------------------------------------------

def may_view(principal: policy.Principal, case: Case) -> bool:
    return policy.can(principal, "prom.view", case)


def may_record(principal: policy.Principal, case: Case,
               schedule: PromSchedule | None) -> bool:
    """The area's coordinators and the care staff of the treating unit (the one the
    schedule names, else the case's)."""
    if not policy.can(principal, "prom.record", case):
        return False
    area = case.care_area
    if area in principal.areas("coordinator"):
        return True
    treating = schedule.treating_unit_id if schedule is not None else case.treating_unit_id
    return treating is not None and any(treating in principal.units(role, area)
                                        for role in ("member", "reviewer"))


# --- reading ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class PromFollowUpView:
    schedule: PromSchedule | None
    rows: list[PromFollowUp]
    treatment: TreatmentOutcome | None

    @property
    def not_treated(self) -> bool:
        return not_treated(self.treatment)

    def excluded(self, row: PromFollowUp) -> bool:
        return excluded(row, self.treatment)

    def anchors(self) -> set[str]:
        return {row.anchor for row in self.rows if row.anchor}


def view_of(case: Case) -> PromFollowUpView:
    return PromFollowUpView(schedule_of(case), follow_ups_of(case), _treatment_of(case))


def read(actor: Actor, principal: policy.Principal, case: Case) -> PromFollowUpView:
    """The case's PROM follow-up for a reader (its rows made first for a case reported
    before this feature); the read is audited. Commits."""
    policy.require(principal, "prom.view", case)
    if case.state in REPORTED and schedule_of(case) is None:
        start_schedule(case)
    found = view_of(case)
    if found.schedule is not None:  # nothing to read before the case is reported
        audit.record(actor, "prom.read", case, details={"time_points": len(found.rows)})
    commit_keeping_loaded(db.session)
    return found


# --- recording a time point ------------------------------------------------------------------

@dataclass(frozen=True)
class Completion:
    status: str
    completed_on: date | None
    score: Decimal | None
    note: str | None


def _status(value: object) -> str:
    if not isinstance(value, str) or value not in STATUSES:
        raise FieldError("status", _l("Choose done, declined or not reached."))
    return value


def _day_not_in_future(value: object, field: str) -> date:
    day = parse_day(value, field)
    if day > today():
        raise FieldError(field, _l("The day cannot be after today."))
    return day


def _completed_on(value: object, status: str | None) -> date | None:
    if status is not None and status != "done":
        if value not in (None, ""):
            raise FieldError("completed_on", _l("Only a questionnaire done has a day."))
        return None
    if value in (None, ""):
        if status is None:  # not chosen (its own error)
            return None
        raise FieldError("completed_on", _l("Enter the day the questionnaire was done."))
    return _day_not_in_future(value, "completed_on")


def parse_score(value: object) -> Decimal | None:
    """A score as a number or as text (a decimal comma allowed), at most two decimals."""
    if value is None or value == "":
        return None
    wrong = FieldError("score", _l("Enter the score as a number with at most %(places)d "
                                   "decimals.", places=SCORE_PLACES))
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise wrong
    text = value.strip().replace(",", ".") if isinstance(value, str) else str(value)
    if not text or len(text) > 20 or not text.isascii() \
            or any(char not in "0123456789.-+" for char in text):
        raise wrong
    try:
        score = Decimal(text)
    except InvalidOperation as exc:
        raise wrong from exc
    if not score.is_finite() or score.as_tuple().exponent < -SCORE_PLACES:
        raise wrong
    if abs(score) >= MAX_SCORE:
        raise FieldError("score", _l("The score is too large."))
    return score.quantize(Decimal(1).scaleb(-SCORE_PLACES))  # as the column keeps it


def _score(value: object, status: str | None) -> Decimal | None:
    score = parse_score(value)
    if score is not None and status is not None and status != "done":
        raise FieldError("score", _l("Only a questionnaire done has a score."))
    return score


def clean_completion(data: Mapping[str, Any]) -> Completion:
    """The record as the form or the API sends it, every field's problem at once (before
    anything about the case is looked at)."""
    unknown = sorted(set(data) - FIELDS)
    if unknown:
        raise FieldError(unknown[0], _l("Unknown field."))
    problems = Problems()
    status = problems.check(_status, data.get("status"))
    completed_on = problems.check(_completed_on, data.get("completed_on"), status)
    score = problems.check(_score, data.get("score"), status)
    note = problems.check(clean_text, data.get("note"), "note", max_length=NOTE_LENGTH,
                          required=False, multiline=True)
    problems.raise_any()
    return Completion(status, completed_on, score, note)


def _check_against_anchor(schedule: PromSchedule, row: PromFollowUp,
                          treatment: TreatmentOutcome | None, day: date | None) -> None:
    """Not before the meeting; not before the anchor when the time point comes after it (a
    baseline, 0 days from the start of treatment, is often answered in the days before)."""
    if day is None:
        return
    meeting = schedule.meeting_on
    if meeting is not None and day < meeting:
        raise FieldError("completed_on", _l(
            "The day cannot be before the MDK meeting (%(day)s).", day=meeting.isoformat()))
    start = anchor_day(schedule, row, treatment)
    if start is not None and row.count and day < start:
        raise FieldError("completed_on", _l(
            "The day cannot be before the day the time point counts from (%(day)s).",
            day=start.isoformat()))


def _follow_up(case: Case, position: object) -> PromFollowUp:
    row = db.session.scalar(select(PromFollowUp).where(
        PromFollowUp.case_id == case.id, PromFollowUp.position == position)) \
        if isinstance(position, int) and 1 <= position < 2**31 else None
    if row is None:
        raise NotFound()
    return row


def _as_details(row: PromFollowUp) -> dict[str, Any]:
    """What the audit event keeps: the choice, the day and the score, not the free text."""
    return {"position": row.position, "status": row.status,
            "completed_on": row.completed_on.isoformat() if row.completed_on else None,
            "score": str(row.score) if row.score is not None else None}


def record(actor: Actor, principal: policy.Principal, case: Case, position: object,
           data: Mapping[str, Any]) -> PromFollowUp:
    """Record (or correct) what became of one PROM time point of the case. Commits."""
    policy.require(principal, "prom.record", case)
    cleaned = clean_completion(data)  # the fields first: a bad value is named (422)
    row = _follow_up(case, position)
    schedule = schedule_of(case)
    treatment = _treatment_of(case)
    _check_against_anchor(schedule, row, treatment, cleaned.completed_on)
    if excluded(row, treatment):
        raise ConflictError("status", _l(
            "The patient was not treated: time points counted from the treatment are not "
            "due."))
    if not may_record(principal, case, schedule):
        raise Forbidden()
    first = not row.recorded
    before, note_before = _as_details(row), row.note
    row.status, row.completed_on = cleaned.status, cleaned.completed_on
    row.score, row.note = cleaned.score, cleaned.note
    now = utcnow()
    if first:
        row.recorded_at = now
        row.recorded_by, row.recorded_by_name = actor.person_id, actor.name
        audit.record(actor, "prom.record", case, details=_as_details(row))
    else:
        changed = _as_details(row)
        if changed == before and row.note == note_before:
            db.session.rollback()
            return _follow_up(case, position)  # nothing changed: nothing to log
        row.corrected_at = now
        row.corrected_by, row.corrected_by_name = actor.person_id, actor.name
        audit.record(actor, "prom.correct", case, details={
            **changed, **{f"previous_{key}": value for key, value in before.items()
                         if key != "position"},
            "note_changed": row.note != note_before})
    commit_keeping_loaded(db.session)
    log.info("case %d: PROM time point %d %s", case.id, row.position,
             "recorded" if first else "corrected")
    return row


# --- recording the days the time points count from -------------------------------------------

def _anchor_date(value: object, field: str, schedule: PromSchedule,
                 treatment: TreatmentOutcome | None) -> date | None:
    if value in (None, ""):
        return None
    day = _day_not_in_future(value, field)
    if schedule is not None and schedule.meeting_on is not None and day < schedule.meeting_on:
        raise FieldError(field, _l("The day cannot be before the MDK meeting (%(day)s).",
                                   day=schedule.meeting_on.isoformat()))
    started = treatment.started_on if treatment is not None else None
    if started is not None and day < started:
        raise FieldError(field, _l("The day cannot be before the start of treatment "
                                   "(%(day)s).", day=started.isoformat()))
    return day


def record_dates(actor: Actor, principal: policy.Principal, case: Case,
                 data: Mapping[str, Any]) -> PromSchedule:
    """Record the end of treatment and the discharge (either may be left empty); the due
    days counted from them follow. Commits."""
    policy.require(principal, "prom.record", case)
    unknown = sorted(set(data) - DATE_FIELDS)
    if unknown:
        raise FieldError(unknown[0], _l("Unknown field."))
    schedule = schedule_of(case)
    treatment = _treatment_of(case)
    problems = Problems()
    days = {field: problems.check(_anchor_date, data.get(field), field, schedule, treatment)
            for field in sorted(DATE_FIELDS)}
    problems.raise_any()
    if schedule is None:
        raise ConflictError("state", _l("The PROM time points are set once the report has "
                                        "been issued."))
    if not_treated(treatment) and any(days.values()):
        raise ConflictError("treatment_ended_on", _l(
            "The patient was not treated: there is no end of treatment or discharge."))
    before = {"treatment_ended_on": schedule.treatment_ended_on,
              "discharged_on": schedule.discharged_on}
    if before == days:
        return schedule  # nothing to save (whoever sends it)
    if not may_record(principal, case, schedule):
        raise Forbidden()
    schedule.treatment_ended_on = days["treatment_ended_on"]
    schedule.discharged_on = days["discharged_on"]
    schedule.dates_recorded_at = utcnow()
    schedule.dates_recorded_by, schedule.dates_recorded_by_name = actor.person_id, actor.name
    _set_due_days(schedule, follow_ups_of(case), treatment)

    def shown(day: date | None) -> str | None:
        return day.isoformat() if day else None
    audit.record(actor, "prom.dates", case, details={
        **{field: shown(day) for field, day in days.items()},
        **{f"previous_{field}": shown(day) for field, day in before.items()}})
    commit_keeping_loaded(db.session)
    return schedule
