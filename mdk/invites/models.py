"""What has been sent to each attendee's calendar: one row per (event UID, attendee).

The invite job (mdk.invites.sending) compares "what should be in the calendars" with these
rows and queues only the difference, so a second run sends nothing. A row holds the last
object queued to that attendee: its METHOD and SEQUENCE, and for a case slot the slot's
times and the meeting's SEQUENCE it was made from (a slot's own SEQUENCE rises when either
changes).

The row also holds the attendee's answer (PARTSTAT), from an iTIP REPLY read over IMAP
(mdk.invites.replies) or from the accept/tentative/decline links of the mail. An answer is
to the version the attendee was sent: a new SEQUENCE (time, host or link changed) sends a
new REQUEST with RSVP and the answer starts again from NEEDS-ACTION (RFC 5546 §2.1.5).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mdk.db import one_of_values, pk, utcnow
from mdk.extensions import db

METHODS = ("REQUEST", "CANCEL")
ANSWERS = ("NEEDS-ACTION", "ACCEPTED", "TENTATIVE", "DECLINED", "DELEGATED")
ANSWERED_VIA = ("mail", "link")


class InviteSent(db.Model):
    __tablename__ = "invites_sent"
    __table_args__ = (
        CheckConstraint(one_of_values("method", METHODS), name="method_known"),
        CheckConstraint("sequence >= 0", name="sequence_not_negative"),
        CheckConstraint(one_of_values("partstat", ANSWERS), name="partstat_known"),
        CheckConstraint(one_of_values("answered_via", ANSWERED_VIA), name="answered_via_known"),
        UniqueConstraint("uid", "attendee_email", name="uq_invites_sent_uid_attendee_email"),
    )

    id: Mapped[pk]
    uid: Mapped[str] = mapped_column(String(200))
    attendee_email: Mapped[str] = mapped_column(String(320))
    conference_id: Mapped[int] = mapped_column(
        ForeignKey("conferences.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"),
                                                index=True)  # a slot's; None for a meeting
    method: Mapped[str] = mapped_column(String(10))
    sequence: Mapped[int]
    slot_starts_at: Mapped[datetime | None]
    slot_ends_at: Mapped[datetime | None]
    meeting_sequence: Mapped[int | None]  # the meeting's SEQUENCE a slot was made from
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    partstat: Mapped[str] = mapped_column(String(20), default="NEEDS-ACTION",
                                          server_default="NEEDS-ACTION")
    answered_at: Mapped[datetime | None]
    answered_via: Mapped[str | None] = mapped_column(String(10))  # mail (iTIP REPLY) | link

    def __repr__(self) -> str:  # no address: reprs end up in logs
        return f"<InviteSent {self.id} {self.method} {self.sequence}>"
