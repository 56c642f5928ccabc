"""Treatment start and adherence: what became of the MDK's recommendation.

- When a case is reported (its first report is issued), a follow-up row is made in the same
  transaction: the meeting, the treating unit the care plan names (mdk.reports.fhir's rule),
  the last day of the area's meeting → treatment start target ([[lead_time_targets]]) and the
  reminder's day, [treatment] remind_working_days_before working days before it.
- The referring unit's referrers, the treating unit's staff and the area's coordinators
  record the outcome: the treatment start date (not before the meeting's day, not after
  today, Europe/Stockholm), or that the patient was not treated; and whether the
  recommendation was followed or deviated from, with a reason from the area file's
  [[treatment.deviation_reasons]] and free text. The case moves reported → closed in the
  same transaction (the workflow's "close" move, made only here).
- A correction later is allowed, by the same people, and audited with what the record said
  before: a start date is often entered from the booking and the real one differs, and a
  refused correction would leave a wrong date in the lead-time statistics for good. The
  case stays closed.
- While no outcome is recorded, the scheduler's remind-treatment-start job mails the treating
  unit's side (the treating unit's mailbox, else the referrer) and the case's coordinators
  once per case, from 07:00 on the reminder's day (no patient data: the case number, the
  day, the link).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, false, func, or_, select, tuple_
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import Forbidden

from mdk.access import policy
from mdk.audit import service as audit
from mdk.audit.service import Actor
from mdk.calendar.closures import working_days_after, working_days_before
from mdk.care_areas.domain import CareArea
from mdk.care_areas.service import care_area
from mdk.cases import notifications
from mdk.cases import service as cases
from mdk.cases.models import Case
from mdk.conferences.queries import closures_between
from mdk.db import commit_keeping_loaded, utcnow
from mdk.extensions import db
from mdk.i18n import format_day
from mdk.outbox.service import Recipient, absolute_url, queue_mail
from mdk.treatment.models import ADHERENCE, NOTE_LENGTH, OUTCOMES, TreatmentOutcome
from mdk.treatment.signals import treatment_recorded
from mdk.units.models import Unit
from mdk.validation import ConflictError, FieldError, Problems, clean_text, parse_day

log = logging.getLogger(__name__)

FIELDS = frozenset({"outcome", "started_on", "adherence", "deviation_reason", "note"})
# The target this feature follows up: from the meeting to the start of treatment.
TARGET_EVENTS = ("conference", "treatment_start")
# Reminders go out from this local time on their day, not at midnight (as the report's).
MORNING = time(7, 0)
# The longest stretch of closed days a deadline may have to skip (Christmas to Epiphany).
CLOSURE_WINDOW = timedelta(days=60)
REMINDER = "treatment_reminder"
PAGE_SIZE = 100


# --- the follow-up row, made when the case is reported ------------------------------------

def local_day(moment: datetime) -> date:
    return moment.astimezone(current_app.config["MDK"].tz).date()


def deadlines(area: CareArea, meeting_day: date) -> tuple[date | None, date | None]:
    """(the target's last day, the reminder's day) after a meeting on `meeting_day`; both
    None when the area has no meeting → treatment start target."""
    target = area.lead_time_target(*TARGET_EVENTS)
    if target is None:
        return None, None
    window = timedelta(days=target.max_days) + CLOSURE_WINDOW
    closures = closures_between(area.key, meeting_day - CLOSURE_WINDOW, meeting_day + window)
    due = meeting_day + timedelta(days=target.max_days) if target.day_kind == "calendar" \
        else working_days_after(meeting_day, target.max_days, closures)
    remind = working_days_before(due, area.treatment_remind_working_days, closures)
    return due, max(remind, meeting_day)


def _treating_unit_id(case: Case) -> int | None:
    from mdk.reports.fhir import treating_unit_of
    from mdk.reports.service import current_report

    report = current_report(case)
    unit = treating_unit_of(case, report.protocol, report.care_plan) if report else \
        case.treating_unit
    return unit.id if isinstance(unit, Unit) else None


def follow_up_of(case: Case) -> TreatmentOutcome | None:
    return db.session.scalar(select(TreatmentOutcome).where(TreatmentOutcome.case_id == case.id))


def start_follow_up(case: Case) -> TreatmentOutcome:
    """The case's follow-up row (made once; a case reported before this feature gets it at
    its first record, without a reminder's day in the past)."""
    existing = follow_up_of(case)
    if existing is not None:
        return existing
    conference = case.conference
    due = remind = None
    if conference is not None:
        due, remind = deadlines(care_area(case.care_area), local_day(conference.starts_at))
    row = TreatmentOutcome(case_id=case.id, conference_id=case.conference_id,
                           treating_unit_id=_treating_unit_id(case), due_on=due,
                           remind_on=remind)
    db.session.add(row)
    db.session.flush()
    return row


def on_case_moved(case: Case, transition=None, **_extra) -> None:
    """The case_moved receiver: a case just reported starts waiting for its treatment."""
    if transition is not None and transition.to_state == "reported":
        start_follow_up(case)


# --- who may record -----------------------------------------------------------------------

def may_view(principal: policy.Principal, case: Case) -> bool:
    return policy.can(principal, "treatment.view", case)


def may_record(principal: policy.Principal, case: Case, row: TreatmentOutcome | None) -> bool:
    """The area's coordinators, the referring unit's referrers, and the care staff of the
    treating unit (the one the follow-up names, else the case's)."""
    if not policy.can(principal, "treatment.record", case):
        return False
    area = case.care_area
    if area in principal.areas("coordinator") \
            or case.referring_unit_id in principal.units("referrer", area):
        return True
    treating = row.treating_unit_id if row is not None else case.treating_unit_id
    return treating is not None and any(treating in principal.units(role, area)
                                        for role in ("member", "reviewer"))


# --- recording ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    outcome: str
    started_on: date | None
    adherence: str
    deviation_reason: str | None
    note: str | None


def _choice(value: object, field: str, allowed: tuple[str, ...], message) -> str | None:
    if value in (None, ""):
        raise FieldError(field, message)
    if not isinstance(value, str) or value not in allowed:
        raise FieldError(field, message)
    return value


def _start_day(value: object, outcome: str | None, meeting_day: date | None) -> date | None:
    if outcome is None:  # not chosen (its own error): only the day's form is checked
        return parse_day(value, "started_on") if value not in (None, "") else None
    if outcome != "started":
        if value not in (None, ""):
            raise FieldError("started_on", _l("A patient not treated has no start date."))
        return None
    if value in (None, ""):
        raise FieldError("started_on", _l("Enter the day treatment started."))
    day = parse_day(value, "started_on")
    today = local_day(utcnow())
    if day > today:
        raise FieldError("started_on", _l("The start cannot be after today."))
    if meeting_day is not None and day < meeting_day:
        raise FieldError("started_on", _l(
            "The start cannot be before the MDK meeting (%(day)s).", day=meeting_day.isoformat()))
    return day


def _reason(area: CareArea, value: object, adherence: str | None) -> str | None:
    if adherence is None:  # not chosen: its own error says so
        return None
    if adherence != "deviated":
        if value not in (None, ""):
            raise FieldError("deviation_reason", _l("Only a deviation has a reason."))
        return None
    if not area.deviation_reasons and value in (None, ""):
        return None
    if not isinstance(value, str) or area.deviation_reason(value) is None:
        raise FieldError("deviation_reason", _l("Choose why the recommendation was not "
                                                "followed."))
    return value


def clean_outcome(case: Case, row: TreatmentOutcome | None,
                  data: Mapping[str, Any]) -> Outcome:
    """The outcome as the form or the API sends it, every field's problem at once."""
    unknown = sorted(set(data) - FIELDS)
    if unknown:
        raise FieldError(unknown[0], _l("Unknown field."))
    area = care_area(case.care_area)
    conference = (row.conference if row is not None and row.conference is not None
                  else case.conference)
    meeting_day = local_day(conference.starts_at) if conference is not None else None
    problems = Problems()
    outcome = problems.check(_choice, data.get("outcome"), "outcome", OUTCOMES,
                             _l("Choose whether treatment started or the patient was not "
                                "treated."))
    started_on = problems.check(_start_day, data.get("started_on"), outcome, meeting_day)
    adherence = problems.check(_choice, data.get("adherence"), "adherence", ADHERENCE,
                               _l("Choose whether the recommendation was followed."))
    reason = problems.check(_reason, area, data.get("deviation_reason"), adherence)
    note = problems.check(clean_text, data.get("note"), "note", max_length=NOTE_LENGTH,
                          required=False, multiline=True)
    if reason == "other" and not note and not problems.errors:
        problems.add(FieldError("note", _l("Describe the other reason.")))
    problems.raise_any()
    return Outcome(outcome, started_on, adherence, reason, note)


def _state_text(state: str) -> str:
    from mdk.cases.workflow import STATE_LABELS

    return str(STATE_LABELS.get(state, state)).lower()


def _as_details(row: TreatmentOutcome) -> dict[str, Any]:
    """What the audit event keeps of a record: the choices and the day, not the free text
    (it is on the row; the log says whether it changed)."""
    return {"outcome": row.outcome,
            "started_on": row.started_on.isoformat() if row.started_on else None,
            "adherence": row.adherence, "deviation_reason": row.deviation_reason}


def record(actor: Actor, principal: policy.Principal, case: Case,
           data: Mapping[str, Any]) -> TreatmentOutcome:
    """Record (or correct) the case's treatment outcome; the first record closes the case
    (reported → closed) in the same transaction. Commits."""
    policy.require(principal, "treatment.record", case)
    row = follow_up_of(case)
    first = row is None or not row.recorded
    # The fields first: a bad value is named (422) whatever the case's state.
    cleaned = clean_outcome(case, row, data)
    if first and case.state != "reported":
        raise ConflictError("state", _l(
            "Treatment is recorded once the report has been issued; this case is "
            "%(state)s.", state=_state_text(case.state)))
    # Care staff of an NHV unit that does not treat the patient: checked after the fields
    # (they see the case and its rules anyway), as the protocol's chair is after its state.
    if not may_record(principal, case, row):
        raise Forbidden()
    row = row or start_follow_up(case)
    before = _as_details(row)
    note_before = row.note
    row.outcome, row.started_on = cleaned.outcome, cleaned.started_on
    row.adherence, row.deviation_reason = cleaned.adherence, cleaned.deviation_reason
    row.note = cleaned.note
    now = utcnow()
    if first:
        row.recorded_at = now
        row.recorded_by, row.recorded_by_name = actor.person_id, actor.name
        audit.record(actor, "treatment.record", case, details=_as_details(row))
        cases.treatment_recorded_move(actor, principal, case)
    else:
        after = _as_details(row)
        if after == before and row.note == note_before:
            db.session.rollback()
            return follow_up_of(case)  # nothing changed: nothing to log
        row.corrected_at = now
        row.corrected_by, row.corrected_by_name = actor.person_id, actor.name
        audit.record(actor, "treatment.correct", case, details={
            **after, **{f"previous_{key}": value for key, value in before.items()},
            "note_changed": row.note != note_before})
    treatment_recorded.send(case, row=row)  # e.g. the PROM time points' due days
    commit_keeping_loaded(db.session)
    log.info("case %d: treatment %s", case.id, "recorded" if first else "corrected")
    return row


def read(actor: Actor, principal: policy.Principal, case: Case) -> TreatmentOutcome | None:
    """The case's follow-up for a reader; the read is audited (a recorded outcome is the
    patient's care). Commits."""
    policy.require(principal, "treatment.view", case)
    row = follow_up_of(case)
    if row is not None:  # nothing to read before the case is reported
        audit.record(actor, "treatment.read", case)
        commit_keeping_loaded(db.session)
    return row


# --- the waiting list ---------------------------------------------------------------------

def _waiting_scope(principal: policy.Principal):
    """The waiting cases a reader is shown: their coordinated areas' all; the ones their
    unit treats (members, reviewers); the ones their unit referred (referrers)."""
    treating = func.coalesce(TreatmentOutcome.treating_unit_id, Case.treating_unit_id)
    clauses = []
    coordinated = sorted(principal.areas("coordinator"))
    if coordinated:
        clauses.append(Case.care_area.in_(coordinated))
    staff = sorted({(area, unit) for role, area, unit in principal.grants
                    if role in ("member", "reviewer")})
    if staff:
        clauses.append(tuple_(Case.care_area, treating).in_(staff))
    referring = sorted({(area, unit) for role, area, unit in principal.grants
                        if role == "referrer"})
    if referring:
        clauses.append(tuple_(Case.care_area, Case.referring_unit_id).in_(referring))
    return or_(*clauses) if clauses else false()


@dataclass(frozen=True)
class WaitingCase:
    case: Case
    follow_up: TreatmentOutcome | None

    @property
    def due_on(self) -> date | None:
        return self.follow_up.due_on if self.follow_up is not None else None


def waiting(actor: Actor, principal: policy.Principal, *, area: str | None = None,
            limit: int = PAGE_SIZE) -> tuple[int, list[WaitingCase]]:
    """(how many, the first `limit`) reported cases with no treatment outcome, the nearest
    target day first. A fixed number of statements; one case.read event per case shown."""
    policy.require(principal, "treatment.waiting")
    where = and_(Case.state == "reported", _waiting_scope(principal),
                 *([Case.care_area == area] if area else []))
    joined = (select(Case).outerjoin(TreatmentOutcome, TreatmentOutcome.case_id == Case.id)
              .where(where))
    total = db.session.scalar(select(func.count()).select_from(joined.subquery()))
    rows = db.session.execute(
        joined.add_columns(TreatmentOutcome)
        .options(joinedload(Case.referring_unit), joinedload(Case.conference),
                 joinedload(Case.treating_unit), joinedload(TreatmentOutcome.treating_unit))
        .order_by(TreatmentOutcome.due_on.is_(None), TreatmentOutcome.due_on, Case.id)
        .limit(limit)).unique().all()
    found = [WaitingCase(case, row) for case, row in rows]
    audit.record_reads(actor, [item.case for item in found], action="case.read")
    commit_keeping_loaded(db.session)
    return total or 0, found


# --- the reminder (the scheduler's remind-treatment-start job) ------------------------------

def _due_from(day: date) -> datetime:
    return datetime.combine(day, MORNING, tzinfo=current_app.config["MDK"].tz)


def _treating_side(case: Case, row: TreatmentOutcome) -> list[Recipient]:
    """The treating unit's functional mailbox; else the referrer (the case's contact),
    else the referring unit's mailbox: someone who can record the start."""
    person = case.contact_person
    found = (notifications.unit_mailbox_recipient(row.treating_unit)
             or (notifications.person_recipient(person) if person and person.active else None)
             or notifications.unit_mailbox_recipient(case.referring_unit))
    return [found] if found else []


def treatment_url(case: Case) -> str:
    return absolute_url("treatment.show_treatment", case_id=case.id)


def _context(case: Case, row: TreatmentOutcome, recipient: Recipient) -> dict:
    """Only what may leave the protected network: the case number, units, days, the link."""
    language = recipient.locale
    area = care_area(case.care_area)
    target = area.lead_time_target(*TARGET_EVENTS)
    return {"case_number": case.number, "area_name": area.name(language),
            "meeting_day": format_day(row.conference.starts_at, language)
            if row.conference is not None else "",
            "due_day": format_day(row.due_on, language),
            "max_days": target.max_days if target else None,
            "treatment_url": treatment_url(case),
            "for_person": recipient.person_id is not None}


def remind(now: datetime | None = None) -> int:
    """Queue the reminders that are due (once per case); commit. How many cases."""
    now = now or utcnow()
    today = local_day(now)
    due = list(db.session.scalars(
        select(TreatmentOutcome).join(Case, TreatmentOutcome.case_id == Case.id)
        .where(TreatmentOutcome.outcome.is_(None), TreatmentOutcome.remind_on <= today,
               TreatmentOutcome.reminded_at.is_(None), Case.state == "reported")
        .options(joinedload(TreatmentOutcome.case).joinedload(Case.contact_person),
                 joinedload(TreatmentOutcome.case).joinedload(Case.referring_unit),
                 joinedload(TreatmentOutcome.treating_unit),
                 joinedload(TreatmentOutcome.conference))
        .order_by(TreatmentOutcome.id)))
    reminded = 0
    for row in due:
        if now < _due_from(row.remind_on):
            continue
        case = row.case
        for recipient in [*_treating_side(case, row), *notifications.coordinator_recipients(case)]:
            queue_mail(recipient, kind="treatment.reminder", template=REMINDER,
                       context=_context(case, row, recipient),
                       idempotency_key=f"treatment:{row.id}:{REMINDER}", case_id=case.id)
        row.reminded_at = now
        audit.record(audit.system_actor(), "treatment.remind", case,
                     details={"due_on": row.due_on.isoformat() if row.due_on else None})
        reminded += 1
    db.session.commit()
    return reminded


def run_scheduled() -> None:
    """The scheduler's job (scheduler/registry.py: remind-treatment-start)."""
    reminded = remind()
    if reminded:
        log.info("remind-treatment-start reminded of %d case(s)", reminded)
