"""The PROM follow-up of a reported case: one row per PROM time point of its established
care plan, and one row per case with the days the time points count from.

No questionnaire is answered here: the treating unit's contact nurse records that it was
done (with the day and a score where the instrument has one), declined or not reached.
`due_on` is known once the time point's anchor is: the meeting's day at once, the start of
treatment when it is recorded (mdk.treatment), the end of treatment or the discharge when
the treating unit records it on the case's PROM page; a fixed date from the plan at once.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdk.db import one_of_values, pk, utcnow
from mdk.extensions import db

NAME_LENGTH = 200
NOTE_LENGTH = 2000
CELL_LENGTH = 1000  # a care-plan schedule cell (mdk.protocols.rows.CELL_LENGTH)
STATUSES = ("done", "declined", "not_reached")
UNITS = ("days", "weeks", "months", "years")
ANCHORS = ("treatment_start", "treatment_end", "discharge", "conference")
# Time points counted from the treatment: not due for a patient who was not treated.
TREATMENT_ANCHORS = ("treatment_start", "treatment_end", "discharge")
# The due list's and the reminder's rows: time points not yet followed up.
PENDING = "status IS NULL"
SCORE_DIGITS, SCORE_PLACES = 8, 2


class PromSchedule(db.Model):
    """The case's days the PROM time points count from, besides the meeting's and the
    treatment start's (mdk.treatment keeps that): recorded by the treating unit."""

    __tablename__ = "prom_schedules"

    id: Mapped[pk]
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    care_plan_id: Mapped[int | None] = mapped_column(ForeignKey("care_plans.id"))
    # The NHV unit whose contact nurse follows the PROMs up (the treatment follow-up's);
    # None when the patient is followed up in the home region.
    treating_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    meeting_on: Mapped[date | None]
    treatment_ended_on: Mapped[date | None]
    discharged_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    dates_recorded_at: Mapped[datetime | None]
    dates_recorded_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    dates_recorded_by_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    # The highest position ever given to one of the case's time points: a new one gets the
    # next, so a position removed by a replan is never given to another time point (the
    # log's prom.* events and the API's URLs name time points by position).
    positions_used: Mapped[int] = mapped_column(default=0, server_default="0")

    case = relationship("Case")
    treating_unit = relationship("Unit")


class PromFollowUp(db.Model):
    """One PROM time point of a case: what, which instrument, when (an offset after an
    anchor, or a fixed date), its due day once known, and what became of it."""

    __tablename__ = "prom_follow_ups"
    __table_args__ = (
        UniqueConstraint("case_id", "position"),
        CheckConstraint("position >= 1", name="position_positive"),
        CheckConstraint(one_of_values("status", STATUSES) + " OR status IS NULL",
                        name="status_known"),
        CheckConstraint(one_of_values("unit", UNITS) + " OR unit IS NULL", name="unit_known"),
        CheckConstraint(one_of_values("anchor", ANCHORS) + " OR anchor IS NULL",
                        name="anchor_known"),
        # When: either a fixed date or a count of units after an anchor, never both.
        CheckConstraint("(fixed_on IS NULL) = (count IS NOT NULL AND unit IS NOT NULL "
                        "AND anchor IS NOT NULL)", name="date_or_offset"),
        CheckConstraint("count IS NULL OR count >= 0", name="count_not_negative"),
        # A completion day exactly when done; a score only when done.
        CheckConstraint("(status = 'done') = (completed_on IS NOT NULL) OR status IS NULL",
                        name="completed_on_when_done"),
        CheckConstraint("status IS NULL OR status = 'done' OR completed_on IS NULL",
                        name="completed_on_only_when_done"),
        CheckConstraint("score IS NULL OR status = 'done'", name="score_only_when_done"),
        CheckConstraint("status IS NULL OR recorded_at IS NOT NULL", name="recorded_when_set"),
        # The due list's and the reminder's query: time points not followed up yet.
        Index("ix_prom_follow_ups_pending", "due_on", postgresql_where=text(PENDING),
              sqlite_where=text(PENDING)),
    )

    id: Mapped[pk]
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))  # first of the unique pair
    care_plan_id: Mapped[int | None] = mapped_column(ForeignKey("care_plans.id"))
    position: Mapped[int]  # the order of the plan's PROM rows, from 1
    section: Mapped[str] = mapped_column(String(40))
    what: Mapped[str] = mapped_column(String(CELL_LENGTH))
    instrument: Mapped[str | None] = mapped_column(String(CELL_LENGTH))
    count: Mapped[int | None]
    unit: Mapped[str | None] = mapped_column(String(10))
    anchor: Mapped[str | None] = mapped_column(String(20))  # the schedule row's `from`
    fixed_on: Mapped[date | None]
    due_on: Mapped[date | None]
    status: Mapped[str | None] = mapped_column(String(12))
    completed_on: Mapped[date | None]
    score: Mapped[Decimal | None] = mapped_column(Numeric(SCORE_DIGITS, SCORE_PLACES))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reminded_at: Mapped[datetime | None]
    recorded_at: Mapped[datetime | None]
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    recorded_by_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    corrected_at: Mapped[datetime | None]
    corrected_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    corrected_by_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH))

    case = relationship("Case")

    @property
    def recorded(self) -> bool:
        return self.status is not None

    @property
    def treatment_anchored(self) -> bool:
        return self.anchor in TREATMENT_ANCHORS
