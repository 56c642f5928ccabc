"""People: their unit, competences (keys of config/competences.toml), absences, role grants."""

from __future__ import annotations

from datetime import date

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdk.db import created_at, pk, updated_at
from mdk.extensions import db
from mdk.units.models import HSA_ID_LENGTH, Unit

# registrar: reports the care area's discussed cases to its quality register (mdk.exports).
ROLES = ("admin", "coordinator", "member", "reviewer", "referrer", "registrar")


class Person(UserMixin, db.Model):
    __tablename__ = "people"
    audit_type = "person"

    id: Mapped[pk]
    name: Mapped[str] = mapped_column(String(200))
    # Stored lower-case, so uniqueness is case-insensitive on every engine.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    hsa_id: Mapped[str | None] = mapped_column(String(HSA_ID_LENGTH), unique=True)
    title: Mapped[str | None] = mapped_column(String(200))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    # The language the service writes to this person in (mail); None: the default, Swedish.
    # The UI language is the browser's cookie, which a mail sent later cannot read.
    locale: Mapped[str | None] = mapped_column(String(5))
    # Mails that only inform (a receipt, a decline, a withdrawal) may be turned off; the ones
    # that ask the person to act are always sent (mdk.cases.notifications).
    informational_mail: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    unit: Mapped[Unit] = relationship(back_populates="people")
    competences: Mapped[list[PersonCompetence]] = relationship(
        back_populates="person", cascade="all, delete-orphan",
        order_by="PersonCompetence.competence")
    absences: Mapped[list[Absence]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="Absence.first_day")
    role_grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="person", cascade="all, delete-orphan",
        order_by="(RoleGrant.care_area, RoleGrant.role)")

    # The token of the login session this instance was loaded for (see mdk.auth.session).
    session_token = None  # str | None; a plain attribute, not a column

    def get_id(self) -> str | None:
        """Flask-Login keeps the session token, never the database id, in the cookie."""
        return self.session_token

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    @property
    def competence_keys(self) -> list[str]:
        return [held.competence for held in self.competences]

    def __repr__(self) -> str:
        return f"<Person {self.email}>"


class PersonCompetence(db.Model):
    __tablename__ = "person_competences"
    __table_args__ = (UniqueConstraint("person_id", "competence"),)

    id: Mapped[pk]
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    competence: Mapped[str] = mapped_column(String(60), index=True)

    person: Mapped[Person] = relationship(back_populates="competences")


class Absence(db.Model):
    __tablename__ = "absences"
    __table_args__ = (CheckConstraint("last_day >= first_day", name="last_day_not_before_first"),)

    id: Mapped[pk]
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"),
                                           index=True)
    first_day: Mapped[date]
    last_day: Mapped[date]
    reason: Mapped[str | None] = mapped_column(String(200))

    person: Mapped[Person] = relationship(back_populates="absences")

    def covers(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


class RoleGrant(db.Model):
    __tablename__ = "role_grants"
    __table_args__ = (
        UniqueConstraint("person_id", "role", "care_area"),
        CheckConstraint("role IN ('admin', 'coordinator', 'member', 'reviewer', 'referrer',"
                        " 'registrar')", name="role_known"),
    )

    id: Mapped[pk]
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))
    care_area: Mapped[str] = mapped_column(String(60))  # key of a care-area file
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    created_at: Mapped[created_at]

    person: Mapped[Person] = relationship(back_populates="role_grants")
    unit: Mapped[Unit] = relationship()
