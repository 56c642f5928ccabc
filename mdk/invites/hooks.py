"""SEQUENCE follows the meeting: raised by one when its time, host or video link changes or it
is cancelled, wherever that happens (a move, the planner, a swap, an override, the details
form, a cancellation).

An attribute listener sees each change with its old value (active_history) and raises the
meeting's `ical_sequence` at most once per transaction, so a move that sets the start and
the end (and may give the meeting a new host) is one update to the calendars, not three. A
meeting made in the transaction (its host is planned after it has an id) stays at 0. The
host unit goes in SUMMARY and DESCRIPTION, never in ORGANIZER, the area's fixed address.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.base import NO_VALUE

from mdk.conferences.models import Conference

RAISED = "invites.sequence_raised"  # session.info: ids of meetings raised in this transaction
CALENDAR_FIELDS = ("starts_at", "ends_at", "host_unit_id", "video_link")


def _calendar_field_set(target: Conference, value, oldvalue, _initiator) -> None:
    if oldvalue is NO_VALUE or value == oldvalue:
        return
    _raise_once(target)


def _status_set(target: Conference, value, oldvalue, _initiator) -> None:
    if value == "cancelled" and oldvalue not in (NO_VALUE, "cancelled"):
        _raise_once(target)


def _raise_once(target: Conference) -> None:
    if target.id is None:
        return  # not yet in any calendar
    session = object_session(target)
    raised = session.info.setdefault(RAISED, set()) if session is not None else set()
    if target.id in raised:
        return
    raised.add(target.id)
    target.ical_sequence = (target.ical_sequence or 0) + 1


def _created(session: Session, _context) -> None:
    """A meeting made in this transaction (its host planned after the flush that gave it an
    id) is in no calendar yet: it keeps SEQUENCE 0."""
    ids = [item.id for item in session.new if isinstance(item, Conference)]
    if ids:
        session.info.setdefault(RAISED, set()).update(ids)


def _forget(session: Session, *_args) -> None:
    session.info.pop(RAISED, None)


def install() -> None:
    """Once per process (register() may run for several apps in tests)."""
    if event.contains(Session, "after_commit", _forget):
        return
    for name in CALENDAR_FIELDS:
        event.listen(getattr(Conference, name), "set", _calendar_field_set, active_history=True)
    event.listen(Conference.status, "set", _status_set, active_history=True)
    event.listen(Session, "after_flush", _created)
    event.listen(Session, "after_commit", _forget)
    event.listen(Session, "after_rollback", _forget)
