"""Feed tokens: one secret per person opens their calendar feeds (ICS subscriptions).

Only the SHA-256 of the token is stored (256 random bits, so a plain hash is as good as a
slow one). A person has at most one: regenerating replaces the row, so the old URL dies.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdk.db import created_at, pk
from mdk.extensions import db
from mdk.people.models import Person

HASH_LENGTH = 64  # SHA-256, hex


class FeedToken(db.Model):
    __tablename__ = "feed_tokens"
    audit_type = "feed_token"

    id: Mapped[pk]
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"),
                                           unique=True)
    token_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), unique=True)
    created_at: Mapped[created_at]

    person: Mapped[Person] = relationship()
