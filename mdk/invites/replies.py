"""Attendees' answers to the invites: one rule for an iTIP REPLY read from the organizer's
mailbox and for the accept/tentative/decline links of the mail.

An answer is stored on the attendee's InviteSent row (the event's UID and their address):
only someone the event was sent to can answer it, only to the version they hold or a newer
one, and only while the event is still in their calendar (not after a CANCEL).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import func, select

from mdk.db import utcnow
from mdk.extensions import db
from mdk.invites.models import ANSWERS, InviteSent

ANSWERABLE = ("ACCEPTED", "TENTATIVE", "DECLINED")


class ReplyOutcome(enum.Enum):
    APPLIED = "applied"
    UNKNOWN_EVENT = "unknown_event"  # no invite with that UID was sent to that address
    WITHDRAWN = "withdrawn"  # the attendee was sent a CANCEL: nothing left to answer
    OUTDATED = "outdated"  # an answer to an older SEQUENCE than the one they now hold
    SUPERSEDED = "superseded"  # given before the answer stored (a slow mail after a link)
    NOT_AN_ANSWER = "not_an_answer"  # a PARTSTAT other than accept/tentative/decline

    @property
    def applied(self) -> bool:
        return self is ReplyOutcome.APPLIED


def invite_row(uid: str, email: str) -> InviteSent | None:
    """The attendee's row for the event (addresses compare without case, as mail does)."""
    return db.session.scalar(select(InviteSent).where(
        InviteSent.uid == uid, func.lower(InviteSent.attendee_email) == email.strip().lower()))


def record_reply(uid: str, email: str, partstat: str, sequence: int | None, *, via: str,
                 now: datetime | None = None,
                 given_at: datetime | None = None) -> ReplyOutcome:
    """Apply one answer; the caller commits. `sequence` None (a client that leaves SEQUENCE
    out of its REPLY, which RFC 5546 allows for 0) counts as the current version.
    `given_at`: when the attendee answered (a REPLY's DTSTAMP), else now: an answer given
    before the one stored for the same version (a REPLY read after a later link answer)
    changes nothing. A stamp ahead of the clock counts as now, so a client's wrong clock
    cannot shut out the attendee's later answers."""
    partstat = (partstat or "").strip().upper()
    if partstat not in ANSWERABLE:
        return ReplyOutcome.NOT_AN_ANSWER
    row = invite_row(uid, email)
    if row is None:
        return ReplyOutcome.UNKNOWN_EVENT
    if row.method != "REQUEST":
        return ReplyOutcome.WITHDRAWN
    if sequence is not None and sequence < row.sequence:
        return ReplyOutcome.OUTDATED
    now = now or utcnow()
    moment = min(given_at, now) if given_at is not None else now
    if row.answered_at is not None and moment < row.answered_at:
        return ReplyOutcome.SUPERSEDED
    row.partstat = partstat
    row.answered_at = moment
    row.answered_via = via
    return ReplyOutcome.APPLIED


assert set(ANSWERABLE) <= set(ANSWERS)
