"""Recording what became of a PROM time point (done with the day and a score where the
instrument has one, declined, not reached), and the days the time points count from (the
end of treatment, the discharge). Field checks first, each problem named at its field;
then the time point, the case's state and who records (mdk.proms.service.may_record).
Every record is audited (`prom.record`, a correction `prom.correct` with what it said
before, the days `prom.dates`)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

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
from mdk.proms.service import (
    anchor_day,
    apply_due_days,
    excluded,
    follow_ups_of,
    may_record,
    not_treated,
    schedule_of,
    today,
    treatment_of,
)
from mdk.treatment.models import TreatmentOutcome
from mdk.validation import ConflictError, FieldError, Problems, clean_text, parse_day

log = logging.getLogger(__name__)

FIELDS = frozenset({"status", "completed_on", "score", "note"})
DATE_FIELDS = frozenset({"treatment_ended_on", "discharged_on"})
# The anchor recorded on the PROM page, per field (the others come from elsewhere).
DATE_ANCHORS = {"treatment_ended_on": "treatment_end", "discharged_on": "discharge"}
MAX_SCORE = Decimal(10) ** (SCORE_DIGITS - SCORE_PLACES)


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
    treatment = treatment_of(case)
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
    days counted from them follow. A field not in `data` keeps its stored day (the page
    sends only the days the plan counts from); an empty value clears it. Commits."""
    policy.require(principal, "prom.record", case)
    unknown = sorted(set(data) - DATE_FIELDS)
    if unknown:
        raise FieldError(unknown[0], _l("Unknown field."))
    schedule = schedule_of(case)
    treatment = treatment_of(case)
    problems = Problems()
    sent = {field: problems.check(_anchor_date, data.get(field), field, schedule, treatment)
            for field in sorted(DATE_FIELDS) if field in data}
    problems.raise_any()
    if schedule is None:
        raise ConflictError("state", _l("The PROM time points are set once the report has "
                                        "been issued."))
    if not_treated(treatment) and any(sent.values()):
        raise ConflictError("treatment_ended_on", _l(
            "The patient was not treated: there is no end of treatment or discharge."))
    before = {"treatment_ended_on": schedule.treatment_ended_on,
              "discharged_on": schedule.discharged_on}
    days = {**before, **sent}
    if before == days:
        return schedule  # nothing to save (whoever sends it)
    if not may_record(principal, case, schedule):
        raise Forbidden()
    schedule.treatment_ended_on = days["treatment_ended_on"]
    schedule.discharged_on = days["discharged_on"]
    schedule.dates_recorded_at = utcnow()
    schedule.dates_recorded_by, schedule.dates_recorded_by_name = actor.person_id, actor.name
    apply_due_days(schedule, follow_ups_of(case), treatment)

    def shown(day: date | None) -> str | None:
        return day.isoformat() if day else None
    audit.record(actor, "prom.dates", case, details={
        **{field: shown(day) for field, day in days.items()},
        **{f"previous_{field}": shown(day) for field, day in before.items()}})
    commit_keeping_loaded(db.session)
    return schedule
