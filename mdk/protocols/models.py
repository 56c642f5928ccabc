"""The protocol of a case at a meeting, and the addenda that correct it once signed.

A journal document (DESIGN.md §4): kept at least 10 years and never deleted by the
application. The database holds that too, on both engines (migration 5c1e7a9d3b20): a
signed protocol's row cannot be updated, no protocol or addendum can be deleted, and an
addendum cannot be changed. The application role may not even try (mdk.audit.roles).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdk.db import one_of_values, pk, utcnow
from mdk.documents.models import AFTER_SHARED, NAME_LENGTH, DraftedDocument
from mdk.extensions import db

STATES = ("draft", "signed")
ADDENDUM_LENGTH = 10_000
REASON_LENGTH = 1_000


class Protocol(DraftedDocument, db.Model):
    """One per case and meeting. `values` maps a section key of the area's protocol template
    to its value (mdk.protocols.fields); `sections` is the template as signed, so the signed
    document reads the same after the area file changes."""

    __tablename__ = "protocols"
    audit_type = "protocol"
    __table_args__ = (
        UniqueConstraint("case_id", "conference_id"),
        CheckConstraint(one_of_values("state", STATES), name="state_known"),
        CheckConstraint("state = 'draft' OR (signed_at IS NOT NULL AND signed_by IS NOT NULL"
                        " AND content_sha256 IS NOT NULL AND sections IS NOT NULL)",
                        name="signed_complete"),
        CheckConstraint("version >= 0", name="version_not_negative"),
    )

    id: Mapped[pk]
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))  # first of the unique pair
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"), index=True)
    state: Mapped[str] = mapped_column(String(10), default="draft", server_default="draft")
    # values, version, drafted_*, updated_*, sections: DraftedDocument
    signed_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"),
                                                  sort_order=AFTER_SHARED)
    signed_by_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH),
                                                       sort_order=AFTER_SHARED)
    signed_at: Mapped[datetime | None] = mapped_column(sort_order=AFTER_SHARED)
    # SHA-256 (hex) of the signed content: case, meeting, sections, values, signer, time
    # (mdk.protocols.service.content_digest), so a copy can be checked against the original.
    content_sha256: Mapped[str | None] = mapped_column(String(64), sort_order=AFTER_SHARED)

    case = relationship("Case")
    conference = relationship("Conference")
    addenda: Mapped[list[ProtocolAddendum]] = relationship(
        back_populates="protocol", order_by="ProtocolAddendum.id")

    @property
    def signed(self) -> bool:
        return self.state == "signed"


class ProtocolAddendum(db.Model):
    """A correction or addition to a signed protocol: its text and why; never changed."""

    __tablename__ = "protocol_addenda"
    audit_type = "protocol_addendum"

    id: Mapped[pk]
    protocol_id: Mapped[int] = mapped_column(ForeignKey("protocols.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    author_name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    protocol: Mapped[Protocol] = relationship(back_populates="addenda")
