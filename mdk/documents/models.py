"""The columns a document written from an area file's template has, whatever it is (the
protocol, a care-plan revision): its section values and the template as locked, who
drafted and last updated it, and the version that optimistic locking raises
(mdk.documents.locking).

The tables were made before this mixin (migrations 5c1e7a9d3b20, 9b4d2e7c1a58) with these
columns between the document's own: its leading ones (keys, state) before them, its
signature or establishing after. A mixin's columns are placed after the class's, so the
trailing ones say `sort_order=AFTER_SHARED`: the table is the same as migrated.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from mdk.db import utcnow
from mdk.extensions import db

if TYPE_CHECKING:
    from mdk.audit.service import Actor

NAME_LENGTH = 200
AFTER_SHARED = 1  # sort_order of a document's columns that follow the shared ones


class DraftedDocument:
    """Mixin of Protocol and CarePlan (the rules: mdk.protocols.fields for the values)."""

    # The column is not called "values": that is a reserved word in SQL.
    values: Mapped[dict[str, Any]] = mapped_column("section_values", JSON, default=dict)
    # Raised by every save: a save made on a page opened before another save is refused,
    # not applied (mdk.documents.locking, as the agenda's agenda_version).
    version: Mapped[int] = mapped_column(default=0, server_default="0")
    drafted_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    drafted_by_name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    drafted_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    updated_by_name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The template as signed (established), so the document reads the same after the area
    # file changes; None while a draft (shown from the area file as it is now).
    sections: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON(none_as_null=True))

    def note_update(self, actor: Actor, at: datetime) -> None:
        """Who changed it last (saved, signed, established) and when."""
        self.updated_by, self.updated_by_name = actor.person_id, actor.name
        self.updated_at = at


def first_draft(actor: Actor) -> dict[str, Any]:
    """The shared columns of a new draft (a document's constructor's arguments): version 0,
    drafted and last updated by `actor`."""
    return {"version": 0, "drafted_by": actor.person_id, "drafted_by_name": actor.name,
            "updated_by": actor.person_id, "updated_by_name": actor.name}


def added_if_new(document: DraftedDocument) -> bool:
    """Add a new document in a savepoint: False (nothing added, the session usable) when its
    unique constraint refuses it, i.e. someone else made it at the same moment."""
    try:
        with db.session.begin_nested():
            db.session.add(document)
            db.session.flush()
    except IntegrityError:
        return False
    return True
