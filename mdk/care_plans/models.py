"""The individual care plan of a case, set up with the MDK's recommendation (issue 14, point 3).

One plan per case and meeting, linked to that meeting's protocol, kept as numbered
revisions: revision 1 is drafted, then established (fastställd); a change after that is a
new revision (a copy, drafted and established again), the earlier ones kept as they were.
The database holds that too, on both engines (migration 9b4d2e7c1a58): an established
revision's row cannot be updated, and no revision is ever deleted.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdk.db import one_of_values, pk
from mdk.documents.models import AFTER_SHARED, NAME_LENGTH, DraftedDocument
from mdk.extensions import db

STATES = ("draft", "established")


class CarePlan(DraftedDocument, db.Model):
    """One revision of a case's care plan at a meeting. `values` maps a section key of the
    area's care-plan template to its value (mdk.protocols.fields); `sections` is the
    template as established, so an established revision reads the same after the area
    file changes."""

    __tablename__ = "care_plans"
    audit_type = "care_plan"
    __table_args__ = (
        UniqueConstraint("case_id", "conference_id", "revision"),
        CheckConstraint(one_of_values("state", STATES), name="state_known"),
        CheckConstraint("state = 'draft' OR (established_at IS NOT NULL AND established_by "
                        "IS NOT NULL AND sections IS NOT NULL)", name="established_complete"),
        CheckConstraint("version >= 0", name="version_not_negative"),
        CheckConstraint("revision >= 1", name="revision_positive"),
    )

    id: Mapped[pk]
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))  # first of the unique triple
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"))
    protocol_id: Mapped[int] = mapped_column(ForeignKey("protocols.id"), index=True)
    revision: Mapped[int] = mapped_column(default=1, server_default="1")
    state: Mapped[str] = mapped_column(String(12), default="draft", server_default="draft")
    # values, version, drafted_*, updated_*, sections: DraftedDocument
    established_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"),
                                                       sort_order=AFTER_SHARED)
    established_by_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH),
                                                            sort_order=AFTER_SHARED)
    established_at: Mapped[datetime | None] = mapped_column(sort_order=AFTER_SHARED)

    case = relationship("Case")
    conference = relationship("Conference")
    protocol = relationship("Protocol")

    @property
    def established(self) -> bool:
        return self.state == "established"
