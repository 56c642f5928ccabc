"""What operators see of the queue and do with it: counts, the oldest waiting mail, dead mail
and sending it again. Addresses, kinds and case numbers only: never a subject or a body."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from mdk.audit import service as audit
from mdk.audit.service import Actor
from mdk.db import utcnow
from mdk.extensions import db
from mdk.outbox.models import DUE_STATES, STATES, OutboxMessage

DEAD_SHOWN = 200


class NotDead(ValueError):
    """Only dead mail is sent again by hand; the rest is on its way."""


@dataclass(frozen=True)
class DeadMail:
    id: int
    kind: str
    recipient_email: str
    case_id: int | None
    case_number: str | None
    attempts: int
    last_error: str | None
    created_at: datetime


@dataclass(frozen=True)
class QueueStatus:
    counts: dict[str, int]
    oldest_waiting_seconds: int | None  # the oldest mail not yet sent nor dead

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def queue_status(now: datetime | None = None) -> QueueStatus:
    now = now or utcnow()
    rows = db.session.execute(
        select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)).all()
    counts = dict.fromkeys(STATES, 0) | {state: count for state, count in rows}
    return QueueStatus(counts=counts, oldest_waiting_seconds=oldest_waiting_seconds(now))


def oldest_waiting_seconds(now: datetime | None = None) -> int | None:
    """Seconds since the oldest mail still waiting (queued, failed or sending) was queued;
    None when nothing waits. Monitoring alerts on it (/healthz)."""
    oldest = db.session.scalar(
        select(func.min(OutboxMessage.created_at))
        .where(OutboxMessage.state.in_(DUE_STATES)))
    if oldest is None:
        return None
    return max(0, int(((now or utcnow()) - oldest).total_seconds()))


def dead_mail(limit: int = DEAD_SHOWN) -> list[DeadMail]:
    from mdk.cases.models import Case

    rows = db.session.execute(
        select(OutboxMessage.id, OutboxMessage.kind, OutboxMessage.recipient_email,
               OutboxMessage.case_id, Case.number, OutboxMessage.attempts,
               OutboxMessage.last_error, OutboxMessage.created_at)
        .outerjoin(Case, Case.id == OutboxMessage.case_id)
        .where(OutboxMessage.state == "dead")
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(limit)).all()
    return [DeadMail(*row) for row in rows]


def resend(message_id: int, actor: Actor) -> OutboxMessage:
    """Queue a dead mail again, with a fresh count of attempts, and audit it (committed).
    The same Message-ID: it is the same mail, late."""
    message = db.session.get(OutboxMessage, message_id, with_for_update=True)
    if message is None or message.state != "dead":
        raise NotDead(f"outbox message {message_id} is not dead")
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id)
        .values(state="queued", attempts=0, next_attempt_at=utcnow(), claimed_until=None)
        .execution_options(synchronize_session="fetch"))
    audit.record(actor, "outbox.resend", message,
                 details={"kind": message.kind, "previous_error": message.last_error})
    db.session.commit()
    return message
