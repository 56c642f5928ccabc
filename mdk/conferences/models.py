"""Conferences (one meeting of a care area's series), unit unavailability and closures.

Conferences are generated from the series cadence (mdk.conferences.cadence) and get their host
from the rotation planner (mdk.rotation.planner); coordinators then add, move, cancel, swap and
override with a reason. A cancelled conference keeps its row.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdk.db import created_at, pk, updated_at, utcnow
from mdk.extensions import db
from mdk.i18n import to_local
from mdk.people.models import Person
from mdk.units.models import Unit

STATUSES = ("planned", "agenda_locked", "held", "closed", "cancelled")
AREA_KEY_LENGTH = 60
SERIES_KEY_LENGTH = 60
HOST_NOTE_LENGTH = 500
REASON_LENGTH = 200


class Conference(db.Model):
    __tablename__ = "conferences"
    audit_type = "conference"
    __table_args__ = (
        # One conference per cadence day of a series: extending the calendar is idempotent.
        UniqueConstraint("care_area", "series_key", "planned_day"),
        CheckConstraint("status IN ('planned', 'agenda_locked', 'held', 'closed', 'cancelled')",
                        name="status_known"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("ical_sequence >= 0", name="ical_sequence_not_negative"),
        # Calendar pages and the planner read an area's conferences by time.
        Index("ix_conferences_care_area_starts_at", "care_area", "starts_at"),
    )

    id: Mapped[pk]
    care_area: Mapped[str] = mapped_column(String(AREA_KEY_LENGTH))
    series_key: Mapped[str] = mapped_column(String(SERIES_KEY_LENGTH))
    planned_day: Mapped[date]  # the cadence day; the meeting may be held on another (moved)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    host_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    chair_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    video_link: Mapped[str | None] = mapped_column(String(500))
    capacity: Mapped[int]  # cases: series duration / case slot minutes unless changed
    status: Mapped[str] = mapped_column(String(20), default="planned",
                                        server_default="planned")
    status_reason: Mapped[str | None] = mapped_column(Text)  # why cancelled, moved or added
    moved_from: Mapped[date | None]
    # A manual swap or override: the planner never changes a pinned host.
    host_pinned: Mapped[bool] = mapped_column(default=False, server_default=false())
    host_note: Mapped[str | None] = mapped_column(String(HOST_NOTE_LENGTH))  # why this host
    # Set by the material feature once images/slides have been sent to the host: frozen.
    material_at_host: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The agenda (mdk.agenda): raised by every change of its order or cases, so a save made
    # on an agenda opened before another coordinator's save is refused, not applied.
    agenda_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # A coordinator unlocked the agenda after its cut-off: the lock job leaves it open.
    agenda_unlocked_at: Mapped[datetime | None]
    # The iCalendar SEQUENCE of the meeting's invite: raised by one (once per transaction) when
    # its time, host or video link changes or it is cancelled (mdk.invites.hooks).
    ical_sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    host_unit: Mapped[Unit | None] = relationship()
    chair: Mapped[Person | None] = relationship()

    @property
    def day(self) -> date:
        """The day it is held, in the service's zone (a meeting never spans midnight)."""
        return to_local(self.starts_at).date()

    @property
    def is_cancelled(self) -> bool:
        return self.status == "cancelled"

    def is_frozen(self, now: datetime | None = None) -> bool:
        """The planner must not touch its host: started, past planning, or material sent."""
        now = now or utcnow()
        return self.starts_at <= now or self.status != "planned" or self.material_at_host

    def __repr__(self) -> str:
        return f"<Conference {self.care_area}/{self.series_key} {self.planned_day}>"


class UnitUnavailability(db.Model):
    """A unit cannot host from first_day to last_day (in one care area, or in all of them)."""

    __tablename__ = "unit_unavailabilities"
    __table_args__ = (
        CheckConstraint("last_day >= first_day", name="last_day_not_before_first"),
    )

    id: Mapped[pk]
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    care_area: Mapped[str | None] = mapped_column(String(AREA_KEY_LENGTH))  # None: every area
    first_day: Mapped[date]
    last_day: Mapped[date]
    reason: Mapped[str] = mapped_column(String(REASON_LENGTH))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]

    unit: Mapped[Unit] = relationship()

    def covers(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


class CalendarClosure(db.Model):
    """A service-wide closed period set by coordinators, e.g. summer weeks (no meetings)."""

    __tablename__ = "calendar_closures"
    __table_args__ = (
        CheckConstraint("last_day >= first_day", name="last_day_not_before_first"),
    )

    id: Mapped[pk]
    care_area: Mapped[str | None] = mapped_column(String(AREA_KEY_LENGTH))  # None: every area
    first_day: Mapped[date]
    last_day: Mapped[date]
    reason: Mapped[str] = mapped_column(String(REASON_LENGTH))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]

    def covers(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day
