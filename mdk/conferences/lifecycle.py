"""A meeting's day: `agenda_locked → held` when it starts, `held → closed` when every case
on it is done with (reported, closed, or moved off the meeting).

Split from conferences/service.py (planning the calendar) because this is the meeting's own
life, driven by the scheduler and by the conference day (mdk.conference_day):
- start_due_meetings: the scheduler job start-meetings; idempotent (a held meeting is not
  looked at again) and derived from the clock and the rows only.
- start_if_due: the same for one meeting, when its coordinator opens the conference view
  at or after the start (so the view does not wait for the next run of the job).
- close_if_done: called on every case move (mdk.conference_day.hooks, on the case_moved
  signal), so a case leaving a held meeting, or moved to reported by a case move
  (move_case / system_move), closes it when it was the last. NOTE for the report feature:
  if a case ever becomes reported other than by a case move, call close_if_done there.

A meeting whose agenda a coordinator unlocked and never locked again (still "planned") is
held all the same when it starts: it takes place either way.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import func, select

from mdk.audit import service as audit
from mdk.cases.models import Case
from mdk.conferences.models import Conference
from mdk.db import utcnow
from mdk.extensions import db

log = logging.getLogger(__name__)

STARTABLE = ("planned", "agenda_locked")
# Case states with nothing more for the meeting to do: reported, closed, or ended another
# way (declined, withdrawn). A case moved to another meeting no longer points at this one.
DONE_STATES = ("reported", "closed", "declined", "withdrawn")
# How far back the job looks for a meeting that started without being marked held (a
# stopped scheduler catches up on the last weeks; very old rows are left as they are).
START_LOOK_BACK = timedelta(days=14)


def _start(conference: Conference) -> None:
    conference.status = "held"
    audit.record(audit.system_actor(), "conference.held", conference)
    log.info("conference %d held", conference.id)


def start_due_meetings(now: datetime | None = None) -> int:
    """Mark every meeting that has started as held; returns how many. Idempotent."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Conference).where(Conference.status.in_(STARTABLE),
                                 Conference.starts_at <= now,
                                 Conference.starts_at > now - START_LOOK_BACK)
        .order_by(Conference.starts_at, Conference.id)).all()
    for conference in due:
        _start(conference)
    db.session.commit()
    return len(due)


def start_if_due(conference: Conference, now: datetime | None = None) -> bool:
    """Mark this meeting held if it has started (the coordinator opened its view); in the
    caller's transaction. True if it changed."""
    now = now or utcnow()
    if conference.status not in STARTABLE or conference.starts_at > now:
        return False
    _start(conference)
    return True


def cases_left(conference: Conference) -> int:
    """How many cases on the meeting still wait for something (discussion, a report)."""
    return db.session.scalar(select(func.count(Case.id)).where(
        Case.conference_id == conference.id, Case.state.not_in(DONE_STATES))) or 0


def close_if_done(conference: Conference | None) -> bool:
    """held → closed when every case on the meeting is reported, closed or moved off; in the
    caller's transaction (the caller commits). True if it closed now.

    Report feature: a case move to reported reaches this through the hook; call it
    yourself only where a case becomes reported without a case move."""
    if conference is None or conference.status != "held":
        return False
    db.session.flush()  # the case that just moved counts with its new state and meeting
    if cases_left(conference):
        return False
    conference.status = "closed"
    audit.record(audit.system_actor(), "conference.closed", conference)
    log.info("conference %d closed", conference.id)
    return True


def close_finished_meetings(now: datetime | None = None) -> int:
    """Close every held meeting that has ended with nothing left on it (one held without
    cases, or whose last case left before it began, hears of no case move); idempotent."""
    now = now or utcnow()
    held = db.session.scalars(
        select(Conference).where(Conference.status == "held", Conference.ends_at <= now)
        .order_by(Conference.starts_at, Conference.id)).all()
    closed = sum(1 for conference in held if close_if_done(conference))
    db.session.commit()
    return closed


def run_scheduled() -> None:
    """The scheduler's job (scheduler/registry.py: start-meetings)."""
    started = start_due_meetings()
    closed = close_finished_meetings()
    if started or closed:
        log.info("start-meetings marked %d meeting(s) held, closed %d", started, closed)
