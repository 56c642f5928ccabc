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
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from mdk.db import utcnow

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
