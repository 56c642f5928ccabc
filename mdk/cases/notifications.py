"""Who is told what when a case moves: one table, and the outbox rows it makes.

Called by the case service inside the move's transaction (mdk.cases.service._move), so a
move that fails or rolls back queues nothing. Mail leaves the protected network (DESIGN.md
§5): it carries the case number, what happened, what the reader should do and a link to
the case page; never the patient's name or identity number, the question, the referral's
answers, nor the reason a coordinator or referrer wrote for a move, which is free text and
may hold anything. The mail says the message is on the case page and links to it.

Mail the reader must act on (triage a case, complete a returned referral, send material
for a meeting) is always sent; a person may turn off the mail that only informs (a
receipt, a decline, a withdrawal) on their own page (Person.informational_mail).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from mdk.care_areas.service import CareAreaNotFound, care_area
from mdk.cases.models import Case, CaseTransition
from mdk.cases.workflow import REMISS_SOURCE_HOW
from mdk.conferences.models import Conference
from mdk.extensions import db
from mdk.i18n import format_datetime_local, format_day
from mdk.outbox.service import Recipient, absolute_url, queue_mail
from mdk.people.models import Person, RoleGrant
from mdk.people.service import mail_locale
from mdk.units.models import Unit

# Who a notice goes to.
REFERRER = "referrer"  # the case's contact person (the referring physician)
REFERRING_UNIT = "referring_unit"  # the referring unit's functional mailbox
COORDINATORS = "coordinators"  # the coordinators who triage or handle the case

ACT, INFORM = True, False


@dataclass(frozen=True)
class Notice:
    template: str  # templates/mail/<template>.subject.txt, .txt and .html
    audience: str
    asks_to_act: bool  # False: information only, which a person may turn off

    @property
    def kind(self) -> str:  # the outbox row's kind: "case.accepted"
        return self.template.replace("case_", "case.", 1)


def _told(template: str, *audiences: tuple[str, bool]) -> tuple[Notice, ...]:
    return tuple(Notice(template, audience, acts) for audience, acts in audiences)


# move (mdk.cases.workflow.MOVES) -> the mails it queues.
NOTICES: dict[str, tuple[Notice, ...]] = {
    "submit": (*_told("case_submitted", (REFERRER, INFORM), (REFERRING_UNIT, INFORM)),
               *_told("case_triage", (COORDINATORS, ACT))),
    "accept": _told("case_accepted", (REFERRER, ACT), (REFERRING_UNIT, ACT)),
    "return": _told("case_returned", (REFERRER, ACT), (REFERRING_UNIT, ACT)),
    "decline": _told("case_declined", (REFERRER, INFORM), (REFERRING_UNIT, INFORM)),
    "defer": _told("case_deferred", (REFERRER, ACT), (REFERRING_UNIT, ACT)),
    # Listed at a meeting, not discussed: told as of a deferral (the reason stays on the page).
    "not_discussed": _told("case_deferred", (REFERRER, ACT), (REFERRING_UNIT, ACT)),
    "withdraw": _told("case_withdrawn", (REFERRER, INFORM), (REFERRING_UNIT, INFORM),
                      (COORDINATORS, INFORM)),
}


# A remiss registered on the referring unit's behalf (mdk.cases.on_behalf): at its first
# submission the unit's mailbox and the named contact get this receipt instead of the
# referrer's own, always (nobody at the unit sent it through the service: it is how they
# learn that the MDK has it), and the coordinators are told as of any submission.
ON_BEHALF_RECEIPT = _told("case_registered_on_behalf", (REFERRER, ACT), (REFERRING_UNIT, ACT))


def _notices(case: Case, transition: CaseTransition) -> tuple[Notice, ...]:
    notices = NOTICES.get(transition.action, ())
    if transition.action == "submit" and case.registered_on_behalf and all(
            step is transition or step.action != "submit" for step in case.transitions):
        return (*ON_BEHALF_RECEIPT,
                *(notice for notice in notices if notice.audience == COORDINATORS))
    return notices


def case_moved(case: Case, transition: CaseTransition) -> int:
    """Queue the mails of this move (NOTICES); returns how many rows were queued. One
    address told twice of a move (a contact whose address is the unit's mailbox) gets one
    mail: the idempotency key is the same for both (mdk.outbox.service.queue_mail)."""
    db.session.flush()  # the transition's id makes the idempotency key
    queued = 0
    for notice in _notices(case, transition):
        for recipient in _recipients(case, notice):
            message = queue_mail(
                recipient, kind=notice.kind, template=notice.template,
                context=_context(case, transition, notice, recipient.locale),
                idempotency_key=f"case:{case.id}:transition:{transition.id}:{notice.template}",
                case_id=case.id, reply_to=_reply_to(case, notice))
            queued += message is not None
    return queued


# The readiness gate at a meeting's cut-off (mdk.material.gate): the material is not ready.
NOT_READY = _told("case_not_ready", (REFERRER, ACT), (REFERRING_UNIT, ACT), (COORDINATORS, ACT))


@dataclass(frozen=True)
class MissingItem:
    """One thing the gate found not ready, as a mail names it: the problem's code
    (mdk.material.readiness) and the checklist item's name in a language; never free text."""

    code: str
    name: Callable[[str], str]
    too_old_on: date | None = None


def case_not_ready(case: Case, conference: Conference, missing: Sequence[MissingItem],
                   moved_to: Conference | None = None) -> int:
    """Tell the referrer, the referring unit and the coordinators what kept the case from
    being ready at the meeting's cut-off (and where it was moved, if the gate deferred it).
    Once per case and meeting: a second run of the gate queues nothing."""
    queued = 0
    for notice in NOT_READY:
        for recipient in _recipients(case, notice):
            language = recipient.locale
            context = {
                **_context(case, None, notice, language),
                "held_day": format_day(conference.starts_at, language),
                "missing": [{"code": item.code, "name": item.name(language),
                             "day": format_day(item.too_old_on, language)
                             if item.too_old_on else None} for item in missing],
                "moved": moved_to is not None,
                "for_coordinator": notice.audience == COORDINATORS,
                **_meeting(moved_to or conference, language),
            }
            message = queue_mail(
                recipient, kind=notice.kind, template=notice.template, context=context,
                idempotency_key=f"case:{case.id}:gate:{conference.id}:{notice.template}",
                case_id=case.id, reply_to=_reply_to(case, notice))
            queued += message is not None
    return queued


# --- recipients -------------------------------------------------------------------------------

def _recipients(case: Case, notice: Notice) -> Iterator[Recipient]:
    if notice.audience == REFERRING_UNIT:
        unit = db.session.get(Unit, case.referring_unit_id)
        if unit is not None and unit.mailbox:
            yield Recipient(email=unit.mailbox, unit_id=unit.id)
        return
    people = [case.contact_person] if notice.audience == REFERRER else \
        coordinators_told(case)
    for person in people:
        if person is None or not person.active:
            continue
        if not notice.asks_to_act and not person.informational_mail:
            continue
        yield person_recipient(person)


def person_recipient(person: Person) -> Recipient:
    return Recipient(email=person.email, person_id=person.id, locale=mail_locale(person))


def coordinator_recipients(case: Case) -> Iterator[Recipient]:
    """The active coordinators the case concerns (coordinators_told), as mail recipients."""
    for person in coordinators_told(case):
        if person.active:
            yield person_recipient(person)


def unit_mailbox_recipient(unit: Unit | None) -> Recipient | None:
    """A unit's functional mailbox, if it has one."""
    if unit is None or not unit.mailbox:
        return None
    return Recipient(email=unit.mailbox, unit_id=unit.id)


def coordinators_told(case: Case) -> list[Person]:
    """The coordinators a case concerns: those of its handling unit once one has taken it;
    before that those of the units hosting the area's meetings when every series has a
    fixed host (CRS/HIPEC: each unit its own MDK), else all the area's coordinators (a
    rotating host: anal cancer). Nobody for a referral never submitted (not disclosed)."""
    if case.submitted_at is None:
        return []
    units = _triage_units(case)
    told = _coordinators(case.care_area, units)
    return told if told or units is None else _coordinators(case.care_area, None)


def _triage_units(case: Case) -> set[int] | None:
    if case.handling_unit_id is not None:
        return {case.handling_unit_id}
    try:
        series = care_area(case.care_area).series
    except CareAreaNotFound:
        return None
    hosts = {item.host_policy.fixed_unit for item in series}
    if not series or any(item.host_policy.kind != "fixed" for item in series) or None in hosts:
        return None
    return set(db.session.scalars(select(Unit.id).where(Unit.hsa_id.in_(sorted(hosts)))))


def _coordinators(area_key: str, units: set[int] | None) -> list[Person]:
    query = (select(Person).join(RoleGrant, RoleGrant.person_id == Person.id)
             .where(RoleGrant.role == "coordinator", RoleGrant.care_area == area_key,
                    Person.active).distinct().order_by(Person.id))
    if units is not None:
        query = query.where(RoleGrant.unit_id.in_(sorted(units)))
    return list(db.session.scalars(query))


def _reply_to(case: Case, notice: Notice) -> str | None:
    """An answer reaches the other side of the case: the referrer's side answers the
    handling unit (when one has taken the case), the coordinators answer the referring unit."""
    unit_id = case.referring_unit_id if notice.audience == COORDINATORS \
        else case.handling_unit_id
    unit = db.session.get(Unit, unit_id) if unit_id is not None else None
    if unit is None or not unit.mailbox:
        return None
    return unit.mailbox


# --- what the mail says ----------------------------------------------------------------------

def case_url(case: Case) -> str:
    """The case page, absolute (MDK_BASE_URL): mail is read outside the service."""
    return absolute_url("cases.show_case", case_id=case.id)


def own_page_url() -> str:
    return absolute_url("people.own_page")


def _meeting(conference: Conference | None, language: str) -> dict:
    return {
        "meeting_day": format_day(conference.starts_at, language) if conference else None,
        "meeting_time": format_datetime_local(conference.starts_at, language)
        if conference else None,
        "host_unit": conference.host_unit.name if conference and conference.host_unit
        else None,
    }


def _context(case: Case, transition: CaseTransition | None, notice: Notice,
             language: str) -> dict:
    """Only what may leave the protected network: numbers, units, meetings, links."""
    try:
        area_name = care_area(case.care_area).name(language)
    except CareAreaNotFound:
        area_name = case.care_area
    conference = case.conference if notice.template in ("case_accepted", "case_deferred") \
        else None
    handling = db.session.get(Unit, case.handling_unit_id) \
        if case.handling_unit_id is not None else None
    return {
        "case_number": case.number,
        "case_url": case_url(case),
        "area_name": area_name,
        "urgent": case.priority == "urgent",
        "referring_unit": case.referring_unit.name,
        "handling_unit": handling.name if handling is not None else None,
        "has_message": bool(transition is not None and transition.reason),
        **_meeting(conference, language),
        "for_person": notice.audience != REFERRING_UNIT,
        "informational": not notice.asks_to_act,
        "own_page_url": own_page_url(),
        **(_remiss(case, language) if notice in ON_BEHALF_RECEIPT else {}),
    }


def _remiss(case: Case, language: str) -> dict:
    """How the remiss came and when (never its reference: free text the sender chose)."""
    registrar = case.registered_on_behalf_by
    return {
        "remiss_how": REMISS_SOURCE_HOW.get(case.remiss_source or "", case.remiss_source),
        "remiss_day": format_day(case.remiss_received_on, language)
        if case.remiss_received_on else None,
        "registered_by": registrar.name if registrar is not None else None,
    }
