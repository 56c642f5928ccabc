"""Exports of a care area's discussed cases: each one made is a row (who, when, why, which
period, how many rows), and each research study keeps the secret its pseudonyms come from.

An export row is never changed or deleted (the application role may only add them, see
mdk.audit.roles): with the audit log it is the record that data left the service.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdk.db import one_of_values, pk, utcnow
from mdk.extensions import db

KINDS = ("register", "research")
AREA_KEY_LENGTH = 60
PURPOSE_LENGTH = 200  # an audit detail holds at most 200 characters (mdk.audit.service)
STUDY_NAME_LENGTH = 200
ETHICS_REFERENCE_LENGTH = 20
NAME_LENGTH = 200


class ResearchStudy(db.Model):
    """A study, known by its ethics approval (etikprövningsnummer): its extracts' pseudonyms
    are an HMAC of the patient's id under `secret`, so the same study gets the same
    pseudonyms every time and another study other ones. The secret never leaves the
    service; the first name given is kept."""

    __tablename__ = "research_studies"

    id: Mapped[pk]
    ethics_reference: Mapped[str] = mapped_column(String(ETHICS_REFERENCE_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(String(STUDY_NAME_LENGTH))
    secret: Mapped[str] = mapped_column(String(64))  # 32 random bytes, hex
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))


class Export(db.Model):
    __tablename__ = "exports"
    audit_type = "export"
    __table_args__ = (
        CheckConstraint(one_of_values("kind", KINDS), name="kind_known"),
        CheckConstraint("period_to >= period_from", name="period_in_order"),
        CheckConstraint("row_count >= 0", name="row_count_not_negative"),
        # A research extract names its ethics approval and study; a register export neither.
        CheckConstraint("(kind = 'research') = (ethics_reference IS NOT NULL)",
                        name="ethics_reference_for_research"),
        CheckConstraint("(kind = 'research') = (study_id IS NOT NULL)",
                        name="study_for_research"),
        # The list of an area's exports, newest first.
        Index("ix_exports_care_area_made_at", "care_area", "made_at"),
    )

    id: Mapped[pk]
    kind: Mapped[str] = mapped_column(String(20))
    care_area: Mapped[str] = mapped_column(String(AREA_KEY_LENGTH))
    period_from: Mapped[date]  # meeting days, Europe/Stockholm, both included
    period_to: Mapped[date]
    purpose: Mapped[str] = mapped_column(String(PURPOSE_LENGTH))
    ethics_reference: Mapped[str | None] = mapped_column(String(ETHICS_REFERENCE_LENGTH))
    study_id: Mapped[int | None] = mapped_column(ForeignKey("research_studies.id"), index=True)
    made_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    made_by_name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    made_at: Mapped[datetime] = mapped_column(default=utcnow)
    row_count: Mapped[int]

    study: Mapped[ResearchStudy | None] = relationship()
