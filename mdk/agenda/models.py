"""What was done to an agenda as a whole (locked, unlocked, ordered), with its reason.

A case's own moves (to another meeting, off the agenda) are its CaseTransitions; this is
the agenda's history beside them: who locked or unlocked it and why, who ordered it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mdk.db import one_of_values, pk, utcnow
from mdk.extensions import db

ACTIONS = ("lock", "unlock", "reorder", "reset_order")
REASON_LENGTH = 1000


class AgendaEvent(db.Model):
    __tablename__ = "agenda_events"
    __table_args__ = (CheckConstraint(one_of_values("action", ACTIONS), name="action_known"),)

    id: Mapped[pk]
    conference_id: Mapped[int] = mapped_column(
        ForeignKey("conferences.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(200))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
