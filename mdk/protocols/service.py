"""The protocol of a case at its meeting: opened as a draft by a coordinator of the area,
saved as often as needed, signed by the meeting's chair, then locked.

- A draft starts from the area file's template ([templates.protocol]), its question and
  review-statement sections filled from the case and the combined review statement.
- Every save names the version the page was made from; one conditional UPDATE raises it
  only if it is still that one, so of two saves at once the second is refused
  (ProtocolConflict) and nothing of the first is lost (as the agenda, mdk.agenda.service).
- Only the meeting's chair (Conference.chair_person_id) signs; a meeting without a chair
  has its chair set on the meeting's page first. The signature checks the required
  sections, keeps the template as signed, the signer, the time and a SHA-256 of all of it,
  and moves the case to discussed (the workflow's "discuss" move).
- A signed protocol is never changed: corrections are addenda (text and reason), from the
  area's coordinators or the chair. There is no deletion, here or in the database.

Every read and change writes an audit event on the case (with its patient), so the case's
log shows its protocol too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mdk.access import policy
from mdk.audit import service as audit
from mdk.audit.service import Actor
from mdk.care_areas.domain import CareArea, DocumentTemplate
from mdk.care_areas.service import care_area
from mdk.cases import service as cases
from mdk.cases.models import Case
from mdk.cases.workflow import ON_AGENDA
from mdk.conferences.models import Conference
from mdk.db import utcnow
from mdk.documents.locking import DraftLock
from mdk.documents.models import added_if_new, first_draft
from mdk.extensions import db
from mdk.protocols import fields
from mdk.protocols.models import ADDENDUM_LENGTH, REASON_LENGTH, Protocol, ProtocolAddendum
from mdk.validation import ConflictError, FieldError, Problems, clean_text

ENDED_MEETINGS = frozenset({"cancelled", "closed"})


class ProtocolConflict(ConflictError):
    """The protocol was saved by someone else since the page was opened (409)."""

    def __init__(self) -> None:
        super().__init__("version", _l(
            "The protocol has been saved by someone else since you opened it. Nothing of "
            "yours was saved: your text is still in the form below, beside the saved "
            "protocol as it is now; make your change again."))


class NotAllowed(FieldError):
    """The reader may see the protocol but not do this to it (403): e.g. sign it without
    being the meeting's chair."""

    status = 403


SIGNED = _l("The protocol is signed and can no longer be changed: add an addendum instead.")


_LOCK = DraftLock(ProtocolConflict, SIGNED,
                  _l("Open the protocol again and make your change."))


# --- reading -------------------------------------------------------------------------------

def template_of(area: CareArea) -> DocumentTemplate:
    template = area.template("protocol")
    if template is None:
        raise ConflictError("protocol", _l("The care area's file has no protocol template."))
    return template


def protocols_of(case: Case) -> list[Protocol]:
    """The case's protocols, newest meeting last (one statement; addenda with them)."""
    return list(db.session.scalars(
        select(Protocol).options(selectinload(Protocol.addenda),
                                 selectinload(Protocol.conference))
        .where(Protocol.case_id == case.id).order_by(Protocol.id)))


def protocol_for(case: Case) -> Protocol | None:
    """The protocol of the case's current meeting, else its latest signed one."""
    found = protocols_of(case)
    current = next((p for p in found if p.conference_id == case.conference_id), None)
    return current or next((p for p in reversed(found) if p.signed), None)


def is_chair(principal: policy.Principal, conference: Conference | None) -> bool:
    return (conference is not None and conference.chair_person_id is not None
            and principal.person_id == conference.chair_person_id)


def may_draft(principal: policy.Principal, case: Case) -> bool:
    return policy.can(principal, "protocol.draft", case)


def may_read(principal: policy.Principal, case: Case, protocol: Protocol) -> bool:
    """The area's coordinators and the meeting's chair read a draft; the area's MDT reads
    the signed protocol."""
    if not policy.can(principal, "protocol.view", case):
        return False
    return protocol.signed or may_draft(principal, case) or is_chair(principal,
                                                                     protocol.conference)


def may_sign(principal: policy.Principal, case: Case, protocol: Protocol) -> bool:
    return (not protocol.signed and policy.can(principal, "protocol.sign", case)
            and is_chair(principal, protocol.conference))


def may_add_addendum(principal: policy.Principal, case: Case, protocol: Protocol) -> bool:
    return (protocol.signed and policy.can(principal, "protocol.addendum", case)
            and (may_draft(principal, case) or is_chair(principal, protocol.conference)))


def may_open_draft(principal: policy.Principal, case: Case) -> bool:
    return (may_draft(principal, case) and case.state in ON_AGENDA
            and case.conference is not None and case.conference.status not in ENDED_MEETINGS)


def read_protocol(actor: Actor, case: Case, protocol: Protocol) -> Protocol:
    """The protocol as shown to a user: writes protocol.read on the case (with the patient)."""
    audit.record(actor, "protocol.read", case, details={"protocol_id": protocol.id,
                                                        "state": protocol.state})
    db.session.commit()
    return protocol


def sections_for(case: Case, protocol: Protocol) -> list[dict[str, Any]]:
    """The sections to show: as signed, or (a draft) as the area file has them now."""
    if protocol.sections is not None:
        return protocol.sections
    area = care_area(case.care_area)
    return fields.sections_of(area, template_of(area))


# --- the draft -----------------------------------------------------------------------------

def _prefilled(case: Case, template: DocumentTemplate) -> dict[str, Any]:
    statement = getattr(case, "review_statement", None)
    sources = {"case_question": case.question,
               "review_statement": statement.text if statement is not None else None,
               "attendance": _participants(case.conference)}
    values = {}
    for section in template.sections:
        text = sources.get(section.prefill or "")
        if text and text.strip():
            values[section.key] = text.strip()[:fields.TEXT_LENGTH]
    return values


def _participants(conference) -> str | None:
    """Those noted present at the meeting (its attendance), one per line: name, competence
    and unit, and whether remote; in Swedish, as the protocol is written."""
    from mdk.care_areas.service import competence_label
    from mdk.conference_day.attendance import attendance_of

    if conference is None:
        return None
    lines = [f"{row.person.name}, {competence_label(row.competence, 'sv')}, {row.unit.name}"
             + (" (på distans)" if row.remote else "")
             for row in attendance_of(conference) if row.present]
    return "\n".join(lines) or None


def open_draft(actor: Actor, principal: policy.Principal, case: Case) -> Protocol:
    """The draft of the case's protocol on its meeting: made (prefilled) if there is none."""
    policy.require(principal, "protocol.draft", case)
    if case.state not in ON_AGENDA or case.conference is None:
        raise ConflictError("state", _l("Only a case on a meeting's agenda gets a protocol."))
    if case.conference.status in ENDED_MEETINGS:
        raise ConflictError("state", _l("The meeting is cancelled or closed: its protocols "
                                        "can no longer be started."))
    existing = _on_meeting(case)
    if existing is not None:
        return existing
    area = care_area(case.care_area)
    protocol = Protocol(case_id=case.id, conference_id=case.conference_id,
                        values=_prefilled(case, template_of(area)), **first_draft(actor))
    if not added_if_new(protocol):  # opened by another coordinator at the same moment: theirs
        return _on_meeting(case)
    audit.record(actor, "protocol.create", case, details={"protocol_id": protocol.id})
    db.session.commit()
    return protocol


def _on_meeting(case: Case) -> Protocol | None:
    return db.session.scalar(select(Protocol).where(Protocol.case_id == case.id,
                                                    Protocol.conference_id == case.conference_id))


def _require_draft(protocol: Protocol) -> None:
    if protocol.signed:
        raise ConflictError("state", SIGNED)


def save_draft(actor: Actor, principal: policy.Principal, case: Case, protocol: Protocol,
               values: Mapping[str, Any], raw_version: object) -> Protocol:
    """Save the draft's sections (every one the form sends; checked per kind). A refused
    save changes nothing: bad values name their sections, a stale page is a conflict."""
    policy.require(principal, "protocol.draft", case)
    _require_draft(protocol)
    _LOCK.check_fresh(protocol, raw_version)
    area = care_area(case.care_area)
    cleaned = fields.clean_values(area, template_of(area), values)
    _LOCK.claim(protocol, raw_version)
    protocol.values = cleaned
    protocol.note_update(actor, utcnow())
    audit.record(actor, "protocol.update", case,
                 details={"protocol_id": protocol.id, "sections_filled": len(cleaned)})
    db.session.commit()
    return protocol


# --- the signature -------------------------------------------------------------------------

def content_digest(case: Case, protocol: Protocol) -> str:
    """SHA-256 (hex) of what was signed: case, meeting, sections, values, signer, time."""
    content = {"case_id": case.id, "case_number": case.number,
               "conference_id": protocol.conference_id, "sections": protocol.sections,
               "values": protocol.values, "signed_by": protocol.signed_by,
               "signed_by_name": protocol.signed_by_name,
               "signed_at": protocol.signed_at.isoformat() if protocol.signed_at else None}
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def is_intact(case: Case, protocol: Protocol) -> bool:
    """Whether a signed protocol still reads as it was signed (its digest matches)."""
    return protocol.signed and protocol.content_sha256 == content_digest(case, protocol)


def sign(actor: Actor, principal: policy.Principal, case: Case, protocol: Protocol,
         raw_version: object, confirmed: bool) -> Protocol:
    """The chair signs the protocol as saved (the version they read): it locks, and the
    case moves to discussed, all in one transaction."""
    policy.require(principal, "protocol.sign", case)
    _require_draft(protocol)
    conference = protocol.conference
    if conference.chair_person_id is None:
        raise ConflictError("chair", _l(
            "The meeting has no chair. The chair signs the protocol: set the meeting's chair "
            "on the meeting's page first."))
    if not is_chair(principal, conference):
        raise NotAllowed("chair", _l("Only the meeting's chair, %(name)s, signs the protocol.",
                                     name=conference.chair.name if conference.chair else ""))
    if conference.is_cancelled or conference.starts_at > utcnow():
        # The protocol records what the meeting decided: signed once it has begun.
        raise ConflictError("state", _l("The protocol is signed at the meeting or after it: "
                                        "this meeting has not begun, or was cancelled."))
    _LOCK.check_fresh(protocol, raw_version)
    problems = Problems()
    if not confirmed:
        problems.add(FieldError("confirm", _l("Confirm that you have read the protocol and "
                                              "sign it as it is.")))
    area = care_area(case.care_area)
    template = template_of(area)
    for missing in fields.missing_required(template, protocol.values):
        problems.add(missing)
    problems.raise_any()
    if case.state not in ON_AGENDA or case.conference_id != protocol.conference_id:
        raise ConflictError("state", _l("The case is no longer on this meeting's agenda: its "
                                        "protocol cannot be signed."))
    _LOCK.claim(protocol, raw_version)
    protocol.sections = fields.sections_of(area, template)
    protocol.signed_by, protocol.signed_by_name = actor.person_id, actor.name
    protocol.signed_at = utcnow().replace(microsecond=0)
    protocol.note_update(actor, protocol.signed_at)
    protocol.content_sha256 = content_digest(case, protocol)
    protocol.state = "signed"
    db.session.flush()  # the last change the row takes: the database refuses any after it
    audit.record(actor, "protocol.sign", case, details={"protocol_id": protocol.id})
    cases.protocol_signed_move(actor, principal, case)
    db.session.commit()
    return protocol


# --- addenda -------------------------------------------------------------------------------

def add_addendum(actor: Actor, principal: policy.Principal, case: Case, protocol: Protocol,
                 text: object, reason: object) -> ProtocolAddendum:
    """A correction or addition to a signed protocol, with why; kept as written."""
    policy.require(principal, "protocol.addendum", case)
    if not protocol.signed:
        raise ConflictError("state", _l("The protocol is not signed yet: change the draft "
                                        "instead."))
    if not may_add_addendum(principal, case, protocol):
        raise NotAllowed("text", _l("Addenda are written by the area's coordinators and the "
                                    "meeting's chair."))
    problems = Problems()
    body = problems.check(clean_text, text, "text", max_length=ADDENDUM_LENGTH,
                          multiline=True)
    why = problems.check(clean_text, reason, "reason", max_length=REASON_LENGTH,
                         multiline=True)
    problems.raise_any()
    addendum = ProtocolAddendum(protocol_id=protocol.id, text=body, reason=why,
                                author_id=actor.person_id, author_name=actor.name)
    db.session.add(addendum)
    db.session.flush()
    audit.record(actor, "protocol.addendum", case,
                 details={"protocol_id": protocol.id, "addendum_id": addendum.id})
    db.session.refresh(protocol, ["addenda"])
    # An issued report shows the addendum: a new revision, and the referrer is told.
    from mdk.reports import service as reports  # reports build on the protocol

    reports.reissue_after_addendum(actor, principal, case, protocol)
    db.session.commit()
    return addendum
