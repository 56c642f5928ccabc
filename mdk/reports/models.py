"""A report issued to the referring unit, and what became of it.

One row per issue: the first when the case's care plan is established (its protocol is
signed by then), another whenever the care plan gets a new established version or the
protocol an addendum, the earlier one marked superseded. The content is not copied: it is
the signed protocol, its addenda up to `addenda_count` and the established care-plan
version `care_plan_id`, all of them locked in the database, so the report reads the same
every time it is opened (and `content_sha256` proves it).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdk.db import pk, utcnow
from mdk.extensions import db

NAME_LENGTH = 200
AWAITING = "acknowledged_at IS NULL AND superseded_at IS NULL"


class Report(db.Model):
    __tablename__ = "reports"
    audit_type = "report"
    __table_args__ = (
        UniqueConstraint("case_id", "revision"),
        CheckConstraint("revision >= 1", name="revision_positive"),
        CheckConstraint("addenda_count >= 0", name="addenda_not_negative"),
        # The reminder job's query: the current reports not yet acknowledged.
        Index("ix_reports_awaiting", "remind_on", postgresql_where=text(AWAITING),
              sqlite_where=text(AWAITING)),
    )

    id: Mapped[pk]
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))  # first of the unique pair
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"), index=True)
    protocol_id: Mapped[int] = mapped_column(ForeignKey("protocols.id"))
    care_plan_id: Mapped[int] = mapped_column(ForeignKey("care_plans.id"))
    revision: Mapped[int] = mapped_column(default=1)
    addenda_count: Mapped[int] = mapped_column(default=0)
    # SHA-256 (hex) of the report's plain text, the part every format shares.
    content_sha256: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    issued_by_name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    # Working days in the area's calendar (mdk.calendar.closures), fixed at the issue: to be
    # acknowledged by the end of ack_due_on; the reminder is due from remind_on, the
    # escalation from escalate_on (each from 07:00 local time).
    ack_due_on: Mapped[date]
    remind_on: Mapped[date]
    escalate_on: Mapped[date]
    first_opened_at: Mapped[datetime | None]
    first_opened_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    first_opened_by_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    acknowledged_by_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    reminded_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    superseded_at: Mapped[datetime | None]

    case = relationship("Case")
    conference = relationship("Conference")
    protocol = relationship("Protocol")
    care_plan = relationship("CarePlan")

    @property
    def current(self) -> bool:
        return self.superseded_at is None

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None
