"""Where the review tasks hear that a case or a meeting moved, without the case and meeting
features knowing about reviews.

A case's move arrives as the case feature's `case_moved` signal, inside the move's
transaction. A meeting's host (or time) is changed in several places (the planner, a swap,
an override, a move of the meeting): an attribute listener notes each changed meeting on
its session, and the open tasks follow just before that session commits, in the same
transaction (so a change rolled back moves nothing).
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.base import NO_VALUE

from mdk.cases.signals import case_moved
from mdk.conferences.models import Conference

CHANGED_MEETINGS = "reviews.changed_meetings"


def _on_case_moved(case, transition=None, **_extra) -> None:
    from mdk.reviews import service

    service.case_moved(case, transition)


def _note_meeting_change(target: Conference, value, oldvalue, _initiator) -> None:
    if oldvalue is NO_VALUE or value == oldvalue or target.id is None:
        return  # a new meeting has no tasks yet
    session = object_session(target)
    if session is not None:
        session.info.setdefault(CHANGED_MEETINGS, {})[target.id] = target


def _follow_changed_meetings(session: Session) -> None:
    from mdk.reviews import service

    # Taken off first: the work below may flush, and a commit inside must not loop.
    changed = session.info.pop(CHANGED_MEETINGS, None)
    for conference in (changed or {}).values():
        service.meeting_changed(conference)


def _forget_changed_meetings(session: Session, *_args) -> None:
    session.info.pop(CHANGED_MEETINGS, None)


def install() -> None:
    """Once per process (register() may run for several apps in tests)."""
    if event.contains(Session, "before_commit", _follow_changed_meetings):
        return
    case_moved.connect(_on_case_moved)
    for attribute in (Conference.host_unit_id, Conference.starts_at):
        event.listen(attribute, "set", _note_meeting_change, active_history=True)
    event.listen(Session, "before_commit", _follow_changed_meetings)
    event.listen(Session, "after_rollback", _forget_changed_meetings)
