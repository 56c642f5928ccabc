"""Diagnostic material per case, where it is available, the files uploaded, and the readiness
checks made at each meeting's cut-off.

A case's list is its care area's checklist (config/care_areas/<area>.toml, [[material]])
plus extra items: a checklist entry becomes a row once someone fills it in, so an empty
entry is simply missing (mdk.material.readiness). Nothing here is ever deleted while its case
is kept: uploads in particular are journal material.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from mdk.cases.models import Case
from mdk.conferences.models import Conference
from mdk.db import created_at, one_of_values, pk, updated_at, utcnow
from mdk.extensions import db
from mdk.people.models import Person
from mdk.units.models import Unit

# The kinds of an item (the area files' [[material]] kind uses the same keys).
KINDS = ("clinical", "pad", "molecular", "mri", "pet_ct", "ct", "colonoscopy", "lab", "other")
# Kinds whose material must physically reach the host unit: images in its PACS, slides at its
# pathology department. The rest travels with the referral (a report, a lab sheet, a text).
TRANSFERRED_KINDS = frozenset({"pad", "mri", "pet_ct", "ct"})
# What the reference is: a PAD number, a RIS/PACS accession number, a DICOM StudyInstanceUID.
REFERENCE_KINDS = ("pad_number", "accession_number", "study_uid")
# Per unit: the referrer has asked for it to be sent; it can be read there; it was sent
# (transferred) to that unit's own system.
AVAILABILITY = ("requested", "available", "transferred")
AT_UNIT = frozenset({"available", "transferred"})
# The readiness gate's outcomes at a meeting's cut-off.
GATE_OUTCOMES = ("ready", "held", "deferred")

LABEL_LENGTH = 200
HOSPITAL_LENGTH = 200
REFERENCE_LENGTH = 100
NOTE_LENGTH = 2000
FILE_NAME_LENGTH = 255



class MaterialItem(db.Model):
    """One item of a case's material: a checklist entry filled in, or an extra one."""

    __tablename__ = "material_items"
    audit_type = "material_item"
    __table_args__ = (
        CheckConstraint(one_of_values("kind", KINDS), name="kind_known"),
        CheckConstraint("reference_kind IS NULL OR "
                        + one_of_values("reference_kind", REFERENCE_KINDS),
                        name="reference_kind_known"),
        # A checklist entry is one row per case (extra items have no key).
        UniqueConstraint("case_id", "checklist_key"),
    )

    id: Mapped[pk]
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    checklist_key: Mapped[str | None] = mapped_column(String(60))  # None: an extra item
    kind: Mapped[str] = mapped_column(String(20))
    label: Mapped[str | None] = mapped_column(String(LABEL_LENGTH))  # an extra item's name
    required: Mapped[bool] = mapped_column(default=False)
    review_by: Mapped[str | None] = mapped_column(String(60))  # competence reviewing it
    examined_on: Mapped[date | None]  # examination or sampling date
    source_hospital: Mapped[str | None] = mapped_column(String(HOSPITAL_LENGTH))
    reference_kind: Mapped[str | None] = mapped_column(String(20))
    reference: Mapped[str | None] = mapped_column(String(REFERENCE_LENGTH))
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    case: Mapped[Case] = relationship(backref=backref("material_items",
                                                      order_by="MaterialItem.id"))
    availability: Mapped[list[MaterialAvailability]] = relationship(
        back_populates="item", order_by="MaterialAvailability.id")
    files: Mapped[list[MaterialFile]] = relationship(
        back_populates="item", order_by="MaterialFile.id")

    @property
    def provided(self) -> bool:
        """Something to go on: a date, a reference or a document (a note alone is not)."""
        return self.examined_on is not None or bool(self.reference) or bool(self.files)

    def availability_at(self, unit_id: int | None) -> MaterialAvailability | None:
        return next((row for row in self.availability if row.unit_id == unit_id), None)

    def __repr__(self) -> str:
        return f"<MaterialItem {self.id} {self.kind}>"


class MaterialAvailability(db.Model):
    """Where an item can be read: images sent to one host's PACS are not at another's."""

    __tablename__ = "material_availability"
    __table_args__ = (
        CheckConstraint(one_of_values("status", AVAILABILITY), name="status_known"),
        UniqueConstraint("item_id", "unit_id"),
    )

    id: Mapped[pk]
    item_id: Mapped[int] = mapped_column(ForeignKey("material_items.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    status_on: Mapped[date]  # the day it was requested, became available or was transferred
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    updated_at: Mapped[updated_at]

    item: Mapped[MaterialItem] = relationship(back_populates="availability")
    unit: Mapped[Unit] = relationship()

    @property
    def at_unit(self) -> bool:
        return self.status in AT_UNIT


class MaterialFile(db.Model):
    """An uploaded document (a remiss, a PAD report, a lab sheet). The bytes live under
    MDK_INSTANCE_DIR/uploads by a random name; the name the uploader gave is kept for the
    download only. Never deleted by the application while its case is kept."""

    __tablename__ = "material_files"
    audit_type = "material_file"

    id: Mapped[pk]
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("material_items.id"), index=True)
    storage_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(FILE_NAME_LENGTH))
    content_type: Mapped[str] = mapped_column(String(100))  # decided from the content
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship()
    item: Mapped[MaterialItem | None] = relationship(back_populates="files")
    uploader: Mapped[Person | None] = relationship()

    def __repr__(self) -> str:  # no file name: it may name the patient
        return f"<MaterialFile {self.id}>"


class ReadinessCheck(db.Model):
    """The readiness gate's verdict on one case for one meeting, made once at its cut-off
    (the unique pair makes the job idempotent). `problems` holds codes and checklist keys,
    never patient data (mdk.material.readiness.Problem)."""

    __tablename__ = "readiness_checks"
    __table_args__ = (
        CheckConstraint(one_of_values("outcome", GATE_OUTCOMES), name="outcome_known"),
        UniqueConstraint("case_id", "conference_id"),
        Index("ix_readiness_checks_conference_outcome", "conference_id", "outcome"),
    )

    id: Mapped[pk]
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"))
    outcome: Mapped[str] = mapped_column(String(20))
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when a coordinator decided on a held case (accepted anyway, deferred, returned...).
    decided_at: Mapped[datetime | None]

    case: Mapped[Case] = relationship()
    conference: Mapped[Conference] = relationship()
