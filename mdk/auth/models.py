"""Password credentials and server-side login sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdk.db import created_at, pk
from mdk.extensions import db
from mdk.people.models import Person


class PasswordCredential(db.Model):
    """A person's password (only for the password provider; SITHS/OIDC users have none)."""

    __tablename__ = "password_credentials"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    changed_at: Mapped[datetime]
    failed_count: Mapped[int] = mapped_column(default=0, server_default="0")
    last_failed_at: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]

    person: Mapped[Person] = relationship()


class LoginSession(db.Model):
    """One login. The browser holds a random token; only its SHA-256 is stored, so a copy of
    the database cannot be used to take over sessions."""

    __tablename__ = "login_sessions"

    id: Mapped[pk]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"),
                                           index=True)
    provider: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[created_at]
    last_seen_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    ended_reason: Mapped[str | None] = mapped_column(String(20))  # logout|idle|absolute|login
    client_address: Mapped[str | None] = mapped_column(String(45))

    person: Mapped[Person] = relationship()
