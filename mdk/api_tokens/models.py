"""API tokens: a referring unit's own systems call /api/ with `Authorization: Bearer`.

Only the SHA-256 of a token is stored (a token is 256 random bits, so a plain hash is as good
as a slow one); the short prefix names it in lists and audit events and is not secret.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdk.db import UTCDateTime, created_at, pk
from mdk.extensions import db
from mdk.units.models import Unit

NAME_LENGTH = 100
PREFIX_LENGTH = 8
HASH_LENGTH = 64  # SHA-256, hex


class ApiToken(db.Model):
    __tablename__ = "api_tokens"
    audit_type = "api_token"

    id: Mapped[pk]
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    # The care-area keys the token acts in, chosen when it is made (it never grows).
    care_areas: Mapped[list[str]] = mapped_column(JSON)
    token_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), unique=True)
    prefix: Mapped[str] = mapped_column(String(PREFIX_LENGTH), unique=True)
    created_at: Mapped[created_at]
    created_by: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    unit: Mapped[Unit] = relationship()
