"""Secondary review at the host unit: one task per item that needs review (its checklist
entry's review_by: radiology for CT/MRI, nuclear medicine for PET-CT, pathology for PAD), and
one combined review statement (demonstrationsutlåtande) per case.

A task belongs to the host unit of the case's meeting; when the host or the meeting changes,
an open task moves with it (mdk.reviews.service). A finished task keeps its statement.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from mdk.cases.models import Case
from mdk.conferences.models import Conference
from mdk.db import created_at, one_of_values, pk, updated_at
from mdk.extensions import db
from mdk.material.models import MaterialItem
from mdk.people.models import Person
from mdk.units.models import Unit

STATES = ("open", "done", "cancelled")
DISCREPANCIES = ("concordant", "minor", "major")
STATEMENT_LENGTH = 8000
COMMENT_LENGTH = 2000



class ReviewTask(db.Model):
    __tablename__ = "review_tasks"
    audit_type = "review_task"
    __table_args__ = (
        CheckConstraint(one_of_values("state", STATES), name="state_known"),
        CheckConstraint(f"discrepancy IS NULL OR {one_of_values('discrepancy', DISCREPANCIES)}",
                        name="discrepancy_known"),
        # One task per item: a case moved to another meeting keeps (and moves) its task.
        UniqueConstraint("case_id", "item_id"),
        # The worklists: a person's open tasks due first; a unit's open tasks.
        Index("ix_review_tasks_assignee_state_due", "assignee_id", "state", "due_at"),
        Index("ix_review_tasks_host_state_due", "host_unit_id", "state", "due_at"),
    )

    id: Mapped[pk]
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("material_items.id"))
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"), index=True)
    competence: Mapped[str] = mapped_column(String(60))  # who reviews: radiologist, ...
    host_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(20), default="open", server_default="open")
    due_at: Mapped[datetime]  # noon, the working day before the meeting
    statement: Mapped[str | None] = mapped_column(Text)
    discrepancy: Mapped[str | None] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    # When the coordinator was told the task is late / has nobody to do it (once each).
    late_notice_at: Mapped[datetime | None]
    unassigned_notice_at: Mapped[datetime | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    case: Mapped[Case] = relationship(backref=backref("review_tasks", order_by="ReviewTask.id"))
    item: Mapped[MaterialItem] = relationship()
    conference: Mapped[Conference] = relationship()
    host_unit: Mapped[Unit] = relationship()
    assignee: Mapped[Person | None] = relationship(foreign_keys=[assignee_id])

    def __repr__(self) -> str:
        return f"<ReviewTask {self.id} {self.competence} {self.state}>"


class ReviewStatement(db.Model):
    """The combined review statement of a case (demonstrationsutlåtande), shown at the MDK."""

    __tablename__ = "review_statements"
    audit_type = "review_statement"

    id: Mapped[pk]
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    text: Mapped[str] = mapped_column(Text)
    written_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    case: Mapped[Case] = relationship(backref=backref("review_statement", uselist=False))
    author: Mapped[Person | None] = relationship()
