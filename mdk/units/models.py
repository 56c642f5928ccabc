"""Care providers (vårdgivare) and their units (vårdenheter).

Whether a unit is an NHV unit is not stored here: the care-area files list the NHV units by
HSA-id and are the single source of truth.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdk.db import created_at, pk, updated_at
from mdk.extensions import db

if TYPE_CHECKING:
    from mdk.people.models import Person

HSA_ID_LENGTH = 31


class CareProvider(db.Model):
    __tablename__ = "care_providers"

    id: Mapped[pk]
    name: Mapped[str] = mapped_column(String(200))
    organisation_number: Mapped[str] = mapped_column(String(11), unique=True)  # NNNNNN-NNNN
    hsa_id: Mapped[str | None] = mapped_column(String(HSA_ID_LENGTH), unique=True)
    is_private: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    units: Mapped[list[Unit]] = relationship(back_populates="provider",
                                             order_by="Unit.name")

    def __repr__(self) -> str:
        return f"<CareProvider {self.organisation_number} {self.name!r}>"


class Unit(db.Model):
    __tablename__ = "units"

    id: Mapped[pk]
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(40))
    hsa_id: Mapped[str] = mapped_column(String(HSA_ID_LENGTH), unique=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("care_providers.id"), index=True)
    mailbox: Mapped[str] = mapped_column(String(254))  # the unit's functional mailbox
    phone: Mapped[str] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    provider: Mapped[CareProvider] = relationship(back_populates="units")
    people: Mapped[list[Person]] = relationship(back_populates="unit",
                                                order_by="Person.name")

    def __repr__(self) -> str:
        return f"<Unit {self.hsa_id} {self.short_name!r}>"
