"""The treatment start of a reported case, and whether the MDK's recommendation was followed.

One row per case, made when the case is reported (its first report is issued): it keeps the
meeting the recommendation came from, the treating unit the care plan names and the
lead-time target's last day with the reminder's day, so the waiting list and the reminder
job need no care plan or calendar. The outcome is empty until the referrer or the treating
unit records it; then the case is closed. A later correction changes the row (the audit log
keeps what it said before).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdk.db import pk, utcnow
from mdk.extensions import db

NAME_LENGTH = 200
KEY_LENGTH = 40
NOTE_LENGTH = 2000
OUTCOMES = ("started", "not_treated")
ADHERENCE = ("followed", "deviated")
WAITING = "outcome IS NULL"


class TreatmentOutcome(db.Model):
    __tablename__ = "treatment_outcomes"
    audit_type = "treatment"
    __table_args__ = (
        CheckConstraint("outcome IS NULL OR outcome IN ('started', 'not_treated')",
                        name="outcome_known"),
        CheckConstraint("adherence IS NULL OR adherence IN ('followed', 'deviated')",
                        name="adherence_known"),
        # A start date exactly when treatment started; a reason only for a deviation.
        CheckConstraint("(outcome = 'started') = (started_on IS NOT NULL) OR outcome IS NULL",
                        name="start_date_when_started"),
        CheckConstraint("outcome IS NULL OR adherence IS NOT NULL", name="adherence_recorded"),
        CheckConstraint("deviation_reason IS NULL OR adherence = 'deviated'",
                        name="reason_only_for_deviation"),
        # The reminder job's query: the cases still waiting for their outcome.
        Index("ix_treatment_outcomes_waiting", "remind_on", postgresql_where=text(WAITING),
              sqlite_where=text(WAITING)),
    )

    id: Mapped[pk]
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    # Indexed for the statistics of a period's meetings (mdk.stats).
    conference_id: Mapped[int | None] = mapped_column(ForeignKey("conferences.id"), index=True)
    # The NHV unit the care plan (else the protocol, else the case) names to treat; None
    # when the patient is treated in the home region or none is named.
    treating_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    # The last day of the area's meeting → treatment start target, and the day (from 07:00
    # local time) the reminder is due; None without such a target.
    due_on: Mapped[date | None]
    remind_on: Mapped[date | None]
    reminded_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    outcome: Mapped[str | None] = mapped_column(String(20))
    started_on: Mapped[date | None]
    adherence: Mapped[str | None] = mapped_column(String(20))
    deviation_reason: Mapped[str | None] = mapped_column(String(KEY_LENGTH))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime | None]
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    recorded_by_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    corrected_at: Mapped[datetime | None]
    corrected_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    corrected_by_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH))

    case = relationship("Case")
    conference = relationship("Conference")
    treating_unit = relationship("Unit")

    @property
    def recorded(self) -> bool:
        return self.outcome is not None
