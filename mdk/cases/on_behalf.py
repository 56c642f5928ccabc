"""Referrals registered on the referring unit's behalf: a remiss that reached the MDK through
the journal system, by letter or by fax, which a coordinator of the care area registers for
the unit that sent it.

The referral itself is any referral (mdk.cases.service.register_case, the same checks). On
top of it the case says who registered it, how the remiss came, the day it arrived and the
sender's own reference; its contact is the person the remiss names at the unit (one of the
unit's referrers in the area; none when the unit has no referrer here, then the unit's
mailbox alone is told); and the remiss, a PDF, is kept with the case's material. It is all
one transaction: a refused field saves nothing, and the file is stored only once every
other field is known to be right (a refused file leaves no bytes behind either).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any, BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from mdk.access import policy
from mdk.audit import service as audit
from mdk.audit.service import Actor
from mdk.care_areas.service import CareAreaNotFound, care_area
from mdk.cases import service
from mdk.cases.models import REMISS_REFERENCE_LENGTH, REMISS_SOURCES, Case
from mdk.db import utcnow
from mdk.extensions import db
from mdk.i18n import to_local
from mdk.material import service as material
from mdk.material import uploads
from mdk.people.models import Person, RoleGrant
from mdk.units.models import Unit
from mdk.validation import FieldError, Problems, clean_text, parse_day, parse_id

log = logging.getLogger(__name__)

REMISS_KEYS = frozenset({"contact_person_id", "remiss_source", "remiss_received_on",
                         "remiss_reference"})
# The material item the remiss is kept as (an extra item: no care area lists it).
REMISS_LABEL = "Remiss"
# A remiss is registered when it arrives: one dated further back is a typing error.
OLDEST_DAYS = 366
NOT_A_PDF = _l("Attach the remiss as a PDF; this file is not one.")


def may_register(principal: policy.Principal, area_key: str) -> bool:
    """The area's coordinators register remisses on a referring unit's behalf."""
    return policy.can(principal, "case.register_on_behalf", Case(care_area=area_key))


def contacts(area_key: str, unit_ids: list[int] | None = None) -> list[Person]:
    """Who a remiss may name as the contact: the active referrers of the units in the area,
    by unit and name, each once."""
    query = (select(Person).join(RoleGrant, RoleGrant.person_id == Person.id)
             .where(RoleGrant.role == "referrer", RoleGrant.care_area == area_key,
                    Person.active).distinct())
    if unit_ids is not None:
        query = query.where(RoleGrant.unit_id.in_(unit_ids))
    return list(db.session.scalars(query.order_by(Person.name, Person.id)))


def contacts_by_unit(area_key: str) -> dict[int, list[Person]]:
    """The contacts the form offers, under the unit they refer from."""
    rows = db.session.execute(
        select(RoleGrant.unit_id, Person).join(Person, RoleGrant.person_id == Person.id)
        .where(RoleGrant.role == "referrer", RoleGrant.care_area == area_key, Person.active)
        .order_by(Person.name, Person.id))
    found: dict[int, list[Person]] = {}
    for unit_id, person in rows:
        if person not in found.setdefault(unit_id, []):
            found[unit_id].append(person)
    return found


def register_on_behalf(actor: Actor, principal: policy.Principal, data: Mapping[str, Any],
                       remiss: BinaryIO | None, filename: object) -> Case:
    """Register a referral from a remiss for its referring unit: the referral's fields (as
    register_case takes them) and `contact_person_id`, `remiss_source`,
    `remiss_received_on`, `remiss_reference`; `remiss` is the uploaded PDF. Every problem
    is reported at once, each at its field; nothing is saved unless all is right."""
    area = _area(data.get("care_area"))
    unit_id = data.get("referring_unit_id")
    policy.require(principal, "case.register_on_behalf", Case(
        care_area=area.key, referring_unit_id=unit_id if isinstance(unit_id, int) else None))
    problems = Problems()
    contact = problems.check(_contact, area.key, unit_id, data.get("contact_person_id"))
    source = problems.check(_source, data.get("remiss_source"))
    received_on = problems.check(_received_on, data.get("remiss_received_on"))
    reference = problems.check(clean_text, data.get("remiss_reference"), "remiss_reference",
                               max_length=REMISS_REFERENCE_LENGTH, required=False)
    if remiss is None:
        problems.add(FieldError("remiss_file", _l("Attach the remiss (a PDF).")))
    reached = False

    def complete(case: Case) -> None:  # the referral is right: the rest, in its transaction
        nonlocal reached
        reached = True
        problems.raise_any()
        stored = uploads.store(remiss, filename, "remiss_file",  # type: ignore[arg-type]
                               accept=(uploads.PDF,), refused=NOT_A_PDF)
        case.contact_person = contact
        case.registered_on_behalf_by = db.session.get(Person, actor.person_id) \
            if actor.person_id is not None else None
        case.remiss_source, case.remiss_received_on = source, received_on
        case.remiss_reference = reference
        document = material.add_document(actor, case, stored, label=REMISS_LABEL)
        audit.record(actor, "case.register_on_behalf", case, details={
            "referring_unit_id": case.referring_unit_id,
            "contact_person_id": contact.id if contact is not None else None,
            "remiss_source": source, "remiss_received_on": received_on.isoformat(),
            "material_file_id": document.id})

    referral = {key: value for key, value in data.items() if key not in REMISS_KEYS}
    try:
        case = service.register_case(actor, principal, referral, complete=complete)
    except FieldError as error:
        if reached:
            raise
        every = Problems()  # the referral's own problems, and the remiss's with them
        every.add(error)
        every.errors.extend(problems.errors)
        every.raise_any()
        raise
    log.info("case %d registered on behalf of unit %d", case.id, case.referring_unit_id)
    return case


def _area(key: object):
    try:
        return care_area(key) if isinstance(key, str) else care_area("")
    except CareAreaNotFound as exc:
        raise FieldError("care_area", _l("Choose a care area.")) from exc


def _contact(area_key: str, unit_raw: object, raw: object) -> Person | None:
    """The person the remiss names: a referrer of the chosen unit in the area. Needed when
    the unit has referrers here; none otherwise (its mailbox is told). An unknown unit is
    the unit field's problem (register_case names it), not this one's."""
    unit_id = parse_id(unit_raw) if isinstance(unit_raw, int) else None
    unit = db.session.get(Unit, unit_id) if unit_id is not None else None
    if unit is None or not unit.active:
        return None
    offered = contacts(area_key, [unit.id])
    if raw in (None, ""):
        if offered:
            raise FieldError("contact_person_id", _l(
                "Choose the contact the remiss names at the referring unit."))
        return None
    chosen = parse_id(raw) if isinstance(raw, int) else None
    person = next((person for person in offered if person.id == chosen), None)
    if person is None:
        raise FieldError("contact_person_id", _l(
            "Choose one of the referring unit's referrers as the contact."))
    return person


def _source(raw: object) -> str:
    if raw not in REMISS_SOURCES:
        raise FieldError("remiss_source", _l("Choose how the remiss came."))
    return raw  # type: ignore[return-value]


def _received_on(raw: object) -> date:
    if raw in (None, ""):
        raise FieldError("remiss_received_on", _l("Enter the day the remiss arrived."))
    day = parse_day(raw, "remiss_received_on")
    today = to_local(utcnow()).date()
    if day > today:
        raise FieldError("remiss_received_on", _l("The remiss cannot have arrived after today."))
    if day < today - timedelta(days=OLDEST_DAYS):
        raise FieldError("remiss_received_on", _l(
            "A remiss is registered when it arrives: enter a day within the last year."))
    return day
