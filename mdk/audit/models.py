"""The audit log (HSLF-FS 2016:40): who, acting in which unit and role, did what, when, from where.

Append-only: the application's database role may only SELECT and INSERT these rows (see
`mdk db roles`). Actor, unit and care provider are snapshots, and the person, patient and
object ids carry no foreign keys, so the log outlives renames and deleted rows and never
blocks a deletion elsewhere.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdk.db import pk, utcnow
from mdk.extensions import db
from mdk.units.models import HSA_ID_LENGTH

REVIEW_OUTCOMES = ("ok", "follow_up")


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (
        # The log is read newest first in (occurred_at, id) order, page by page from a cursor
        # (keyset pagination): these serve the whole log (and the purge of old events), one
        # patient's log and one user's log, from any cursor without skipping rows.
        Index("ix_audit_events_occurred_at_id", "occurred_at", "id"),
        Index("ix_audit_events_patient_id_occurred_at_id", "patient_id", "occurred_at", "id"),
        Index("ix_audit_events_actor_id_occurred_at_id", "actor_id", "occurred_at", "id"),
        Index("ix_audit_events_object_type_object_id", "object_type", "object_id"),
    )

    id: Mapped[pk]
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None]  # a Person id; None for the system (CLI, scheduler)
    actor_name: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int | None]
    unit_hsa_id: Mapped[str | None] = mapped_column(String(HSA_ID_LENGTH))
    unit_name: Mapped[str | None] = mapped_column(String(200))
    care_provider_name: Mapped[str | None] = mapped_column(String(200))
    care_provider_org_number: Mapped[str | None] = mapped_column(String(11))
    role: Mapped[str | None] = mapped_column(String(20))
    care_area: Mapped[str | None] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[int | None]
    patient_id: Mapped[int | None]
    client_address: Mapped[str | None] = mapped_column(String(45))  # IPv6 at most
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action}>"


class AuditReview(db.Model):
    """A reviewer's verdict on one sampled event. Append-only too: a changed verdict is a new
    row, and the newest row per event is the verdict."""

    __tablename__ = "audit_reviews"
    __table_args__ = (
        CheckConstraint("outcome IN ('ok', 'follow_up')", name="outcome_known"),
    )

    id: Mapped[pk]
    # Purging old events (as the owner role) takes their reviews with them.
    event_id: Mapped[int] = mapped_column(ForeignKey("audit_events.id", ondelete="CASCADE"),
                                          index=True)
    reviewed_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewer_id: Mapped[int | None]
    reviewer_name: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(Text)
    sample_seed: Mapped[int | None]

    event: Mapped[AuditEvent] = relationship()
