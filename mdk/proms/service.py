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
  time point (mdk.proms.recording); a new care-plan version brings its schedule
  (mdk.proms.replan); the due list and the reminder are mdk.proms.due.
- Every read of the case's PROM page writes `prom.read`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from mdk.access import policy
from mdk.audit import service as audit
from mdk.audit.service import Actor
from mdk.cases.models import Case
from mdk.db import commit_keeping_loaded, utcnow
from mdk.extensions import db
from mdk.proms.models import (
    PromFollowUp,
    PromSchedule,
)
from mdk.treatment.models import TreatmentOutcome

log = logging.getLogger(__name__)

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


def treatment_of(case: Case) -> TreatmentOutcome | None:
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
    schedule.positions_used = len(rows)
    db.session.add_all(rows)
    apply_due_days(schedule, rows, treatment)
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
        apply_due_days(schedule, follow_ups_of(case), row or treatment_of(case))


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


def apply_due_days(schedule: PromSchedule, rows: list[PromFollowUp],
                  treatment: TreatmentOutcome | None) -> None:
    for row in rows:
        row.due_on = due_day(schedule, row, treatment)


def set_due_days(case: Case, schedule: PromSchedule) -> None:
    """Every time point's due day again (the days they count from may have changed)."""
    apply_due_days(schedule, follow_ups_of(case), treatment_of(case))


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
    return PromFollowUpView(schedule_of(case), follow_ups_of(case), treatment_of(case))


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
