"""Patients: one identity (kind + normalised number), a name, the protected-identity flag."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from mdk.db import created_at, pk, updated_at
from mdk.extensions import db

IDENTITY_KINDS = ("personnummer", "samordningsnummer", "reservnummer")
NATIONAL_KINDS = ("personnummer", "samordningsnummer")


class Patient(db.Model):
    __tablename__ = "patients"
    __table_args__ = (
        UniqueConstraint("identity_kind", "identity_value"),
        CheckConstraint(
            "identity_kind IN ('personnummer', 'samordningsnummer', 'reservnummer')",
            name="identity_kind_known"),
        # A reservnummer means nothing without the region that issued it.
        CheckConstraint("identity_kind != 'reservnummer' OR identity_issuer IS NOT NULL",
                        name="reservnummer_has_issuer"),
        # The patient list's order: its first page reads 50 index entries, not every row.
        Index("ix_patients_family_name_given_name_id", "family_name", "given_name", "id"),
    )
    audit_type = "patient"

    id: Mapped[pk]
    identity_kind: Mapped[str] = mapped_column(String(20))
    # personnummer/samordningsnummer: 12 digits YYYYMMDDNNNC; reservnummer: as the region
    # writes it, without a dash.
    identity_value: Mapped[str] = mapped_column(String(40))
    identity_issuer: Mapped[str | None] = mapped_column(String(60))  # reservnummer only
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    protected_identity: Mapped[bool] = mapped_column(default=False, server_default=false())
    fictitious: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def display_identity(self) -> str:
        """YYYYMMDD-NNNN for personnummer and samordningsnummer; a reservnummer as stored."""
        if self.identity_kind in NATIONAL_KINDS:
            return f"{self.identity_value[:8]}-{self.identity_value[8:]}"
        return self.identity_value

    @property
    def masked_identity(self) -> str:
        """The birth-date part only: 19800517-****."""
        if self.identity_kind in NATIONAL_KINDS:
            return f"{self.identity_value[:8]}-****"
        return f"{self.identity_value[:-4]}****"

    def __repr__(self) -> str:  # never the identity or the name: reprs end up in logs
        return f"<Patient {self.id}>"
