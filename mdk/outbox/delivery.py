"""Delivery: claim due outbox rows, send them over one connection, record what happened.

At least once: a row is claimed (state sending, leased) and committed before it is sent, and
marked sent after. A worker that dies in between leaves its rows sending; their lease end is
their next_attempt_at, so they are due again when it passes and the next worker sends them
again, with the same Message-ID. On PostgreSQL the claim skips rows another worker holds
(FOR UPDATE SKIP LOCKED), so several workers share the queue; SQLite has one writer, and one
worker is enough.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, select, update

from mdk.config import Settings
from mdk.db import commit_keeping_loaded, utcnow
from mdk.extensions import db
from mdk.outbox.message import build_message
from mdk.outbox.models import DUE_STATES, OutboxMessage
from mdk.outbox.transport import DeliveryError, open_transport

log = logging.getLogger("mdk.outbox")


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    dead: int = 0


@dataclass
class _Outcomes:
    sent: list[int] = field(default_factory=list)
    # (row, reason, permanent)
    failures: list[tuple[OutboxMessage, str, bool]] = field(default_factory=list)


def due_rows_query(limit: int, now: datetime):
    """The ids of the due rows, oldest first, locked and skipping rows another worker has
    locked (PostgreSQL; SQLite ignores FOR UPDATE). The states go in as literals so the
    statement implies the partial index's predicate (mdk.outbox.models) from its own text."""
    states = bindparam("due_states", list(DUE_STATES), expanding=True, literal_execute=True)
    return (select(OutboxMessage.id)
            .where(OutboxMessage.state.in_(states), OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True))


def claim_due(limit: int, now: datetime | None = None) -> list[OutboxMessage]:
    """Claim up to `limit` due rows in one statement and commit: they are this worker's until
    the lease ends. The attempt is counted here, so a worker dying mid-send still counts it."""
    now = now or utcnow()
    lease_end = now + timedelta(seconds=current_app.config["MDK"].outbox_lease_seconds)
    claim = (update(OutboxMessage)
             .where(OutboxMessage.id.in_(due_rows_query(limit, now).scalar_subquery()))
             .values(state="sending", attempts=OutboxMessage.attempts + 1,
                     claimed_until=lease_end, next_attempt_at=lease_end)
             .returning(OutboxMessage)
             .execution_options(synchronize_session=False))
    rows = list(db.session.execute(claim).scalars())
    commit_keeping_loaded(db.session)
    return sorted(rows, key=lambda row: (row.created_at, row.id))


def deliver_batch(limit: int | None = None) -> BatchResult:
    """Claim one batch, send it over one connection, record the outcome."""
    settings: Settings = current_app.config["MDK"]
    rows = claim_due(limit or settings.outbox_batch_size)
    if not rows:
        return BatchResult()
    outcomes = _send(rows, settings)
    result = _record(outcomes, settings)
    result.claimed = len(rows)
    if result.failed or result.dead:
        log.warning("outbox batch: %d sent, %d failed, %d dead", result.sent, result.failed,
                    result.dead)
    return result


def deliver_due(limit: int | None = None, max_batches: int = 1000,
                should_stop: Callable[[], bool] = lambda: False) -> BatchResult:
    """Batches until one sends nothing (the queue is empty, or the server is down)."""
    total = BatchResult()
    for _ in range(max_batches):
        result = deliver_batch(limit)
        for name in ("claimed", "sent", "failed", "dead"):
            setattr(total, name, getattr(total, name) + getattr(result, name))
        if not result.sent or should_stop():
            break
    return total


def _send(rows: list[OutboxMessage], settings: Settings) -> _Outcomes:
    outcomes = _Outcomes()
    try:
        with open_transport(settings) as transport:
            for index, row in enumerate(rows):
                try:
                    transport.send(build_message(row, settings.smtp_from), row.recipient_email)
                except DeliveryError as error:
                    if error.connection_lost:
                        # This row and the ones not yet tried: all wait for a new connection.
                        outcomes.failures += [(later, error.reason, False)
                                              for later in rows[index:]]
                        break
                    outcomes.failures.append((row, error.reason, error.permanent))
                else:
                    outcomes.sent.append(row.id)
    except DeliveryError as error:  # no connection at all
        outcomes.failures = [(row, error.reason, False) for row in rows]
    return outcomes


def _record(outcomes: _Outcomes, settings: Settings) -> BatchResult:
    now = utcnow()
    result = BatchResult(sent=len(outcomes.sent))
    if outcomes.sent:
        db.session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(outcomes.sent))
            .values(state="sent", sent_at=now, claimed_until=None, last_error=None)
            .execution_options(synchronize_session=False))
    changes = []
    for row, reason, permanent in outcomes.failures:
        dead = permanent or row.attempts >= settings.outbox_max_attempts
        result.dead += dead
        result.failed += not dead
        changes.append({"id": row.id, "state": "dead" if dead else "failed",
                        "next_attempt_at": now if dead else now + retry_delay(row.attempts,
                                                                              settings),
                        "claimed_until": None, "last_error": reason})
    if changes:
        db.session.execute(update(OutboxMessage), changes)  # one executemany, by id
    db.session.commit()
    return result


def retry_delay(attempts: int, settings: Settings) -> timedelta:
    """Exponential backoff with jitter: base * 2^(attempts-1), capped, then a random half to
    all of it, so rows that failed together do not all come back in the same second."""
    ceiling = min(settings.outbox_retry_max_seconds,
                  settings.outbox_retry_base_seconds * 2 ** min(attempts - 1, 30))
    return timedelta(seconds=ceiling * random.uniform(0.5, 1.0))
