"""Optimistic locking of a document's draft (the protocol, a care-plan revision): every save
names the version its page was made from, and one conditional UPDATE raises it only if it
is still that one and the document still a draft. Of two saves at once exactly one passes;
the other is refused (a conflict) and nothing of the first is lost. As the agenda's
agenda_version (mdk.agenda.service).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update

from mdk.documents.models import DraftedDocument
from mdk.extensions import db
from mdk.validation import MAX_ID, ConflictError, FieldError


@dataclass(frozen=True)
class DraftLock:
    """How one kind of document says what went wrong: `conflict` (a ConflictError made
    without arguments) when saved by someone else, `locked` when no longer a draft (signed,
    established), `reopen` when the page's version is not one."""

    conflict: type[ConflictError]
    locked: str
    reopen: str

    def version(self, raw: object) -> int:
        if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 10:
            raw = int(raw)
        if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw <= MAX_ID:
            return raw
        raise FieldError("version", self.reopen)

    def check_fresh(self, document: DraftedDocument, raw_version: object) -> None:
        """Refuse a stale page before its values are judged."""
        if self.version(raw_version) != document.version:
            raise self.conflict()

    def claim(self, document: DraftedDocument, raw_version: object) -> None:
        """Raise the version if it is still the page's and the document a draft; the
        conflict, or `locked`, otherwise (the session rolled back, the document fresh)."""
        expected = self.version(raw_version)
        model = type(document)
        claimed = db.session.execute(
            update(model).where(model.id == document.id, model.version == expected,
                                model.state == "draft")
            .values(version=expected + 1).execution_options(synchronize_session=False))
        if claimed.rowcount != 1:
            db.session.rollback()
            db.session.refresh(document)
            if document.state != "draft":
                raise ConflictError("state", self.locked)
            raise self.conflict()
        db.session.expire(document, ["version"])
