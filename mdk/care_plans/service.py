"""The individual care plan of a case at its meeting: drafted once the meeting's protocol
exists, established (fastställd) once the protocol is signed, revised as a new revision.

- Who: the area's coordinators and the meeting's chair draft, establish and revise; the
  area's MDT reads established revisions (drafts are read by those who write them).
- A first draft starts from the area file's template ([templates.care_plan]): sections
  prefilled from the protocol ("protocol:<key>"), the treating NHV unit's contact details
  (mdk.units) and the template's rehabilitation and schedule rows, all editable.
- Every save names the version the page was made from; one conditional UPDATE raises it
  only if it is still that one, so of two saves the second is refused (CarePlanConflict)
  and nothing of the first is lost (as mdk.protocols.service).
- Establishing checks the protocol is signed and the required sections filled, and keeps
  the template as established. The revision is then never changed (the database refuses
  it too); a change is a new revision, a copy of the last, drafted and established again.

Every read and change writes an audit event on the case (with its patient).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mdk.access import policy
from mdk.audit import service as audit
from mdk.audit.service import Actor
from mdk.care_areas.domain import PROTOCOL_PREFILL, CareArea, DocumentTemplate
from mdk.care_areas.service import care_area
from mdk.care_plans.models import CarePlan
from mdk.cases.models import Case
from mdk.conferences.models import Conference
from mdk.db import utcnow
from mdk.documents.locking import DraftLock
from mdk.documents.models import added_if_new, first_draft
from mdk.extensions import db
from mdk.protocols import fields
from mdk.protocols import service as protocols
from mdk.protocols.models import Protocol
from mdk.reports import service as reports
from mdk.units.service import unit_by_hsa_id
from mdk.validation import ConflictError, FieldError, Problems

ESTABLISHED = _l("This version of the care plan is established and can no longer be "
                 "changed: revise it to make a new version.")


class CarePlanConflict(ConflictError):
    """The plan was saved by someone else since the page was opened (409)."""

    def __init__(self) -> None:
        super().__init__("version", _l(
            "The care plan has been saved by someone else since you opened it. Nothing of "
            "yours was saved: your text is still in the form below, beside the saved care "
            "plan as it is now; make your change again."))


class NotAllowed(FieldError):
    """The reader may see the plan but not change it (403)."""

    status = 403


_LOCK = DraftLock(CarePlanConflict, ESTABLISHED,
                  _l("Open the care plan again and make your change."))


# --- reading -------------------------------------------------------------------------------

def template_of(area: CareArea) -> DocumentTemplate:
    template = area.template("care_plan")
    if template is None:
        raise ConflictError("care_plan", _l("The care area's file has no care-plan template."))
    return template


def revisions_of(case: Case, protocol: Protocol) -> list[CarePlan]:
    """The plan's revisions at the protocol's meeting, the first first (one statement)."""
    return list(db.session.scalars(
        select(CarePlan).options(selectinload(CarePlan.protocol))
        .where(CarePlan.case_id == case.id, CarePlan.conference_id == protocol.conference_id)
        .order_by(CarePlan.revision)))


def may_edit(principal: policy.Principal, case: Case, conference: Conference | None) -> bool:
    return policy.can(principal, "care_plan.edit", case) and (
        policy.can(principal, "care_plan.coordinate", case)
        or protocols.is_chair(principal, conference))


def _require_may_edit(principal: policy.Principal, case: Case,
                      conference: Conference | None) -> None:
    if not may_edit(principal, case, conference):
        raise NotAllowed("care_plan", _l("The care plan is written by the area's "
                                         "coordinators and the meeting's chair."))


def may_read(principal: policy.Principal, case: Case, plan: CarePlan) -> bool:
    if not policy.can(principal, "care_plan.view", case):
        return False
    return plan.established or may_edit(principal, case, plan.conference)


def readable_revisions(principal: policy.Principal, case: Case,
                       revisions: list[CarePlan]) -> list[CarePlan]:
    return [plan for plan in revisions if may_read(principal, case, plan)]


def read_plan(actor: Actor, case: Case, plan: CarePlan) -> CarePlan:
    """The plan as shown to a user: writes care_plan.read on the case (with the patient)."""
    audit.record(actor, "care_plan.read", case, details={
        "care_plan_id": plan.id, "revision": plan.revision, "state": plan.state})
    db.session.commit()
    return plan


def sections_for(case: Case, plan: CarePlan) -> list[dict[str, Any]]:
    """The sections to show: as established, or (a draft) as the area file has them now."""
    if plan.sections is not None:
        return plan.sections
    area = care_area(case.care_area)
    return fields.sections_of(area, template_of(area))


def prom_time_points(plan: CarePlan) -> list[dict[str, Any]]:
    """The plan's PROM time points as stored (for the follow-up): each row of a schedule
    section marked `prom`, with the section's key."""
    return [{"section": section["key"], **row}
            for section in (plan.sections or []) if section.get("prom")
            for row in plan.values.get(section["key"], [])]


# --- the draft -----------------------------------------------------------------------------

def unit_contact(hsa_id: object) -> str | None:
    """The contact details of an NHV unit as the units register has them, in Swedish: the
    plan is the patient's document (Min vårdplan), whoever opens the draft."""
    unit = unit_by_hsa_id(hsa_id) if isinstance(hsa_id, str) else None
    if unit is None:
        return None
    place = ", ".join(part for part in (unit.address, unit.city) if part)
    lines = [unit.name, f"Telefon: {unit.phone}", f"Funktionsbrevlåda: {unit.mailbox}", place]
    return "\n".join(line for line in lines if line)


def _prefilled(case: Case, protocol: Protocol, template: DocumentTemplate) -> dict[str, Any]:
    statement = getattr(case, "review_statement", None)
    sources: dict[str, Any] = {
        "case_question": case.question,
        "review_statement": statement.text if statement is not None else None,
        "treating_unit_contact": unit_contact(protocol.values.get("treating_unit"))}
    values: dict[str, Any] = {}
    for section in template.sections:
        prefill = section.prefill or ""
        value = (protocol.values.get(prefill[len(PROTOCOL_PREFILL):])
                 if prefill.startswith(PROTOCOL_PREFILL) else sources.get(prefill))
        if section.rows:
            values[section.key] = [dict(row) for row in section.rows]
        elif isinstance(value, str) and value.strip():
            values[section.key] = value.strip()[:fields.TEXT_LENGTH]
    return values


def open_draft(actor: Actor, principal: policy.Principal, case: Case) -> CarePlan:
    """The plan of the case's protocol: its latest revision, or a first draft (prefilled)."""
    policy.require(principal, "care_plan.edit", case)
    protocol = protocols.protocol_for(case)
    if protocol is None:
        raise ConflictError("protocol", _l("The care plan is set up with the protocol: start "
                                           "the protocol first."))
    _require_may_edit(principal, case, protocol.conference)
    existing = revisions_of(case, protocol)
    if existing:
        return existing[-1]
    area = care_area(case.care_area)
    plan = CarePlan(case_id=case.id, conference_id=protocol.conference_id,
                    protocol_id=protocol.id, revision=1,
                    values=_prefilled(case, protocol, template_of(area)), **first_draft(actor))
    if not added_if_new(plan):  # opened by someone else at the same moment: theirs
        return revisions_of(case, protocol)[-1]
    audit.record(actor, "care_plan.create", case, details={"care_plan_id": plan.id,
                                                           "revision": 1})
    db.session.commit()
    return plan


def _require_editable(principal: policy.Principal, case: Case, plan: CarePlan) -> None:
    policy.require(principal, "care_plan.edit", case)
    _require_may_edit(principal, case, plan.conference)
    if plan.established:
        raise ConflictError("state", ESTABLISHED)


def save_draft(actor: Actor, principal: policy.Principal, case: Case, plan: CarePlan,
               values: Mapping[str, Any], raw_version: object) -> CarePlan:
    """Save the draft's sections (every one the form sends; checked per kind). A refused
    save changes nothing: bad values name their sections, a stale page is a conflict."""
    _require_editable(principal, case, plan)
    _LOCK.check_fresh(plan, raw_version)
    area = care_area(case.care_area)
    cleaned = fields.clean_values(area, template_of(area), values)
    _LOCK.claim(plan, raw_version)
    plan.values = cleaned
    plan.note_update(actor, utcnow())
    audit.record(actor, "care_plan.update", case, details={
        "care_plan_id": plan.id, "revision": plan.revision, "sections_filled": len(cleaned)})
    db.session.commit()
    return plan


# --- establishing and revising -------------------------------------------------------------

def establish(actor: Actor, principal: policy.Principal, case: Case, plan: CarePlan,
              raw_version: object, confirmed: bool) -> CarePlan:
    """Establish the revision as saved (the version the page had): it locks."""
    _require_editable(principal, case, plan)
    if not plan.protocol.signed:
        raise ConflictError("protocol", _l("The care plan is established once the protocol "
                                           "is signed."))
    _LOCK.check_fresh(plan, raw_version)
    area = care_area(case.care_area)
    template = template_of(area)
    problems = Problems()
    if not confirmed:
        problems.add(FieldError("confirm", _l("Confirm that you have read the care plan and "
                                              "establish it as it is.")))
    for missing in fields.missing_required(template, plan.values, _l(
            "Fill in this section before the care plan is established.")):
        problems.add(missing)
    problems.raise_any()
    _LOCK.claim(plan, raw_version)
    plan.sections = fields.sections_of(area, template)
    plan.established_by, plan.established_by_name = actor.person_id, actor.name
    plan.established_at = utcnow().replace(microsecond=0)
    plan.note_update(actor, plan.established_at)
    plan.state = "established"
    db.session.flush()  # the last change the row takes: the database refuses any after it
    audit.record(actor, "care_plan.establish", case, details={
        "care_plan_id": plan.id, "revision": plan.revision})
    reports.issue(actor, principal, case, plan)  # the report goes out with it, or nothing does
    db.session.commit()
    return plan


def revise(actor: Actor, principal: policy.Principal, case: Case,
           plan: CarePlan) -> CarePlan:
    """A new draft revision, a copy of the established latest one (kept as it was)."""
    policy.require(principal, "care_plan.edit", case)
    _require_may_edit(principal, case, plan.conference)
    latest = revisions_of(case, plan.protocol)[-1]
    if latest.id != plan.id or not plan.established:
        raise ConflictError("state", _l("Only the latest established version is revised: "
                                        "a newer version is already being written."))
    draft = CarePlan(case_id=case.id, conference_id=plan.conference_id,
                     protocol_id=plan.protocol_id, revision=plan.revision + 1,
                     values=dict(plan.values), **first_draft(actor))
    if not added_if_new(draft):  # revised by someone else at the same moment
        raise ConflictError("state", _l("The care plan has just been revised by someone "
                                        "else: open it again."))
    audit.record(actor, "care_plan.revise", case, details={
        "care_plan_id": draft.id, "revision": draft.revision, "from_id": plan.id})
    db.session.commit()
    return draft
