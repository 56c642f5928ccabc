"""The PROMs due, for the treating unit's contact nurse, and the reminder of each.

- The list (/proms/due): time points not followed up whose due day is within the next
  DUE_WITHIN_DAYS days or has passed, the earliest first, a page at a time; the treating
  unit's staff see their unit's, the area's coordinators the area's. A fixed number of
  statements whatever its length; one `prom.read` per case shown (in one INSERT).
- The reminder (the scheduler's remind-proms job): from 07:00 local time on a time point's
  due day, once per time point, one mail to the treating unit's functional mailbox (else
  the case's coordinators): the case number, the time point's label and instrument, the
  day and the link, never patient data.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import and_, false, func, or_, select, tuple_
from sqlalchemy.orm import contains_eager, joinedload

from mdk.access import policy
from mdk.audit import service as audit
from mdk.audit.service import Actor
from mdk.care_areas.service import care_area
from mdk.cases import notifications
from mdk.cases.models import Case
from mdk.db import commit_keeping_loaded, utcnow
from mdk.extensions import db
from mdk.i18n import format_day
from mdk.outbox.service import Recipient, absolute_url, queue_mail
from mdk.proms.models import PromFollowUp, PromSchedule
from mdk.proms.service import REPORTED, local_day, today

log = logging.getLogger(__name__)

DUE_WITHIN_DAYS = 14
PAGE_SIZE = 50
MAX_PAGE = 10_000
# Reminders go out from this local time on their day, not at midnight.
MORNING = time(7, 0)
REMINDER = "prom_reminder"
STAFF_ROLES = ("member", "reviewer")


# --- the list ----------------------------------------------------------------------------

def _scope(principal: policy.Principal):
    """The time points a reader is shown: their coordinated areas' all, the ones their unit
    treats (members, reviewers)."""
    clauses = []
    coordinated = sorted(principal.areas("coordinator"))
    if coordinated:
        clauses.append(Case.care_area.in_(coordinated))
    staff = sorted({(area, unit) for role, area, unit in principal.grants
                    if role in STAFF_ROLES})
    if staff:
        clauses.append(tuple_(Case.care_area, PromSchedule.treating_unit_id).in_(staff))
    return or_(*clauses) if clauses else false()


@dataclass(frozen=True)
class DuePage:
    total: int
    page: int
    pages: int
    rows: list[tuple[PromFollowUp, PromSchedule]]
    until: date


def page_number(value: object) -> int:
    """A page number from a query string: anything else is the first page."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 5:
        return min(max(int(value), 1), MAX_PAGE)
    return 1


def due(actor: Actor, principal: policy.Principal, *, area: str | None = None,
        page: int = 1, size: int = PAGE_SIZE) -> DuePage:
    """The reader's time points due within DUE_WITHIN_DAYS days or overdue, earliest first."""
    policy.require(principal, "prom.due")
    until = today() + timedelta(days=DUE_WITHIN_DAYS)
    where = and_(PromFollowUp.status.is_(None), PromFollowUp.due_on.is_not(None),
                 PromFollowUp.due_on <= until, Case.state.in_(REPORTED), _scope(principal),
                 *([Case.care_area == area] if area else []))
    joined = (select(PromFollowUp)
              .join(Case, PromFollowUp.case_id == Case.id)
              .join(PromSchedule, PromSchedule.case_id == Case.id)
              .where(where))
    total = db.session.scalar(select(func.count()).select_from(joined.subquery())) or 0
    pages = max(1, -(-total // size))
    page = min(page, pages)
    found = db.session.execute(
        joined.add_columns(PromSchedule)
        .options(contains_eager(PromFollowUp.case), joinedload(PromSchedule.treating_unit))
        .order_by(PromFollowUp.due_on, Case.id, PromFollowUp.position)
        .offset((page - 1) * size).limit(size)).unique().all()
    rows = [(row, schedule) for row, schedule in found]
    shown = list({row.case_id: row.case for row, _schedule in rows}.values())
    audit.record_reads(actor, shown, action="prom.read")
    commit_keeping_loaded(db.session)
    return DuePage(total, page, pages, rows, until)


# --- the reminder ----------------------------------------------------------------------------

def _due_from(day: date) -> datetime:
    return datetime.combine(day, MORNING, tzinfo=current_app.config["MDK"].tz)


def _recipients(case: Case, schedule: PromSchedule) -> Iterator[Recipient]:
    """The treating unit's functional mailbox (its contact nurses read it); else the case's
    coordinators (a patient followed up in the home region has no NHV unit here)."""
    mailbox = notifications.unit_mailbox_recipient(schedule.treating_unit)
    if mailbox is not None:
        yield mailbox
        return
    yield from notifications.coordinator_recipients(case)


def proms_url(case: Case) -> str:
    return absolute_url("proms.show_proms", case_id=case.id)


def _context(case: Case, row: PromFollowUp, recipient: Recipient) -> dict:
    """Only what may leave the protected network: the case number, the time point, the
    day, the link."""
    language = recipient.locale
    return {"case_number": case.number,
            "area_name": care_area(case.care_area).name(language),
            "time_point": row.what, "instrument": row.instrument or "",
            "due_day": format_day(row.due_on, language), "proms_url": proms_url(case),
            "for_person": recipient.person_id is not None}


def remind(now: datetime | None = None) -> int:
    """Queue the reminders that are due (once per time point); commit. How many."""
    now = now or utcnow()
    found = db.session.execute(
        select(PromFollowUp, PromSchedule)
        .join(Case, PromFollowUp.case_id == Case.id)
        .join(PromSchedule, PromSchedule.case_id == Case.id)
        .where(PromFollowUp.status.is_(None), PromFollowUp.due_on <= local_day(now),
               PromFollowUp.reminded_at.is_(None), Case.state.in_(REPORTED))
        .options(contains_eager(PromFollowUp.case), joinedload(PromSchedule.treating_unit))
        .order_by(PromFollowUp.id)).unique().all()
    reminded = 0
    for row, schedule in found:
        if now < _due_from(row.due_on):
            continue
        case = row.case
        for recipient in _recipients(case, schedule):
            queue_mail(recipient, kind="prom.reminder", template=REMINDER,
                       context=_context(case, row, recipient),
                       idempotency_key=f"prom:{row.id}:{REMINDER}", case_id=case.id)
        row.reminded_at = now
        audit.record(audit.system_actor(), "prom.remind", case, details={
            "position": row.position, "due_on": row.due_on.isoformat()})
        reminded += 1
    db.session.commit()
    return reminded


def run_scheduled() -> None:
    """The scheduler's job (scheduler/registry.py: remind-proms)."""
    reminded = remind()
    if reminded:
        log.info("remind-proms reminded of %d PROM time point(s)", reminded)
