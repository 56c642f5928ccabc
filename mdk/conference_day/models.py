"""Who took part in a meeting: one row per person and competence, prefilled from the invite
answers (source "rsvp") and corrected on the day (source "day").

A row of a person who has not answered or declined is kept too (present false), so the
coordinator marks them present with one click when they join after all.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdk.db import one_of_values, pk, utcnow
from mdk.extensions import db
from mdk.people.models import Person
from mdk.units.models import Unit

SOURCES = ("rsvp", "day")


class Attendance(db.Model):
    __tablename__ = "attendances"
    audit_type = "attendance"
    __table_args__ = (
        CheckConstraint(one_of_values("source", SOURCES), name="source_known"),
        UniqueConstraint("conference_id", "person_id", "competence",
                         name="uq_attendances_conference_person_competence"),
    )

    id: Mapped[pk]
    conference_id: Mapped[int] = mapped_column(
        ForeignKey("conferences.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    competence: Mapped[str] = mapped_column(String(60))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    remote: Mapped[bool] = mapped_column(default=False, server_default=false())
    present: Mapped[bool] = mapped_column(default=False, server_default=false())
    source: Mapped[str] = mapped_column(String(10), default="rsvp", server_default="rsvp")
    noted_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    noted_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    unit: Mapped[Unit] = relationship()

    def __repr__(self) -> str:
        return f"<Attendance {self.id} {self.competence} present={self.present}>"
