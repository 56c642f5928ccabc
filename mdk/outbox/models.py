"""The outbox: mail waiting to be sent, written in the same transaction as the change it tells.

A row is rendered when written (subject, text, HTML, calendar part, attachments), so a later
template change never alters what was queued, and carries the Message-ID it will always be
sent with: a duplicate delivery (a worker died mid-send) is recognisably the same mail.
States: queued -> sending -> sent, or failed (waiting for a retry), or dead (given up).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mdk.db import created_at, one_of_values, pk, utcnow
from mdk.extensions import db

STATES = ("queued", "sending", "sent", "failed", "dead")
# A row is due when its next_attempt_at has come: queued and failed rows wait for it, and a
# sending row's next_attempt_at is its lease end, so a dead worker's rows come back by
# themselves. One partial index serves the claim at any queue size.
DUE_STATES = ("queued", "failed", "sending")
EMAIL_LENGTH = 320
KEY_LENGTH = 200
ERROR_LENGTH = 200



class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    audit_type = "outbox_message"
    __table_args__ = (
        CheckConstraint(one_of_values("state", STATES), name="state_known"),
        # One event queues one mail per recipient (the caller's key + the address).
        UniqueConstraint("idempotency_key", "recipient_email",
                         name="uq_outbox_messages_idempotency_key_recipient"),
    )

    id: Mapped[pk]
    message_id: Mapped[str] = mapped_column(String(KEY_LENGTH), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    kind: Mapped[str] = mapped_column(String(60))
    recipient_email: Mapped[str] = mapped_column(String(EMAIL_LENGTH))
    recipient_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"))
    recipient_unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id", ondelete="SET NULL"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"),
                                                index=True)
    locale: Mapped[str] = mapped_column(String(5), default="sv")
    subject: Mapped[str] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    reply_to: Mapped[str | None] = mapped_column(String(EMAIL_LENGTH))
    # An invite's From is its ORGANIZER (the area's address, as calendar clients expect);
    # the service's own address then goes in Sender and the envelope. None: MDK_SMTP_FROM.
    from_address: Mapped[str | None] = mapped_column(String(EMAIL_LENGTH))
    calendar: Mapped[str | None] = mapped_column(Text)  # a VCALENDAR object
    calendar_method: Mapped[str | None] = mapped_column(String(20))  # REQUEST, CANCEL, ...
    # [{"filename", "content_type", "data" (base64)}]
    attachments: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON(none_as_null=True))
    state: Mapped[str] = mapped_column(String(10), default="queued", server_default="queued")
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_until: Mapped[datetime | None]  # the lease of the worker sending it
    # The SMTP code and a short reason of the last failure: never the message's content.
    last_error: Mapped[str | None] = mapped_column(String(ERROR_LENGTH))
    created_at: Mapped[created_at]
    sent_at: Mapped[datetime | None]

    def __repr__(self) -> str:  # no address, no subject: reprs end up in logs
        return f"<OutboxMessage {self.id} {self.kind} {self.state}>"


Index("ix_outbox_messages_due", OutboxMessage.next_attempt_at, OutboxMessage.id,
      postgresql_where=OutboxMessage.state.in_(DUE_STATES),
      sqlite_where=OutboxMessage.state.in_(DUE_STATES))
# The operators' page and /healthz: the oldest queued row, the dead rows.
Index("ix_outbox_messages_state_created_at", OutboxMessage.state, OutboxMessage.created_at)
