"""A meeting's attendance: who took part, in which competence, from which unit, remote or
on site (mdk.conference_day.models.Attendance).

Opening the conference view or the attendance page as a coordinator adds the invited MDT
(mdk.invites.service.meeting_attendees) not yet listed, in their first MDT competence,
remote unless at the host unit, and expected present where they accepted the meeting's
invite (InviteSent.partstat ACCEPTED). A row not yet corrected follows a changed answer;
the coordinator's corrections and additions on the day are source "day", and audited.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from mdk.access import policy
from mdk.audit import service as audit
from mdk.audit.service import Actor
from mdk.care_areas.domain import CareArea
from mdk.care_areas.service import care_area
from mdk.conference_day.models import Attendance
from mdk.conferences.models import Conference
from mdk.db import commit_keeping_loaded, utcnow
from mdk.extensions import db
from mdk.invites import service as invites
from mdk.invites.models import InviteSent
from mdk.people.models import Person, PersonCompetence
from mdk.units.models import Unit
from mdk.validation import ConflictError, FieldError, parse_id

log = logging.getLogger(__name__)

ACCEPTED = "ACCEPTED"
# The meeting's states in which attendance is noted (a closed meeting's list stays
# correctable: the protocol names its participants).
ATTENDANCE_STATES = ("planned", "agenda_locked", "held", "closed")
# The states in which the invited MDT is added to the list.
PREFILL_STATES = ("planned", "agenda_locked", "held")


def may_note_attendance(principal: policy.Principal, conference: Conference) -> bool:
    return policy.can(principal, "conference_day.attendance", conference)


def attendance_of(conference: Conference) -> list[Attendance]:
    """The list in the area's MDT order (the quorum's competences first, as the area file
    names them), then by name: not the competence keys' English alphabet."""
    rows = db.session.scalars(
        select(Attendance).where(Attendance.conference_id == conference.id)
        .options(joinedload(Attendance.person), joinedload(Attendance.unit))
        .order_by(Attendance.id)).all()
    order = {key: index for index, key
             in enumerate(invites.invited_competences(care_area(conference.care_area)))}
    return sorted(rows, key=lambda row: (order.get(row.competence, len(order)), row.competence,
                                         row.person.name, row.id))


def _meeting_competence(area: CareArea, person: Person) -> str | None:
    """The competence a person takes part in: their first of the area's MDT (quorum first),
    else their first competence at all (a chair outside the MDT)."""
    keys = person.competence_keys
    for key in invites.invited_competences(area):
        if key in keys:
            return key
    return keys[0] if keys else None


def prefill_attendance(conference: Conference) -> int:
    """Add the invited MDT not yet on the list: expected present where they accepted the
    meeting's invite. A row still as the answers left it (source rsvp) follows a changed
    answer; a row noted on the day is left alone. In the caller's transaction; returns how
    many rows were added."""
    if conference.status not in PREFILL_STATES:
        return 0
    area = care_area(conference.care_area)
    emails = [attendee.email for attendee
              in invites.meeting_attendees([conference]).get(conference.id, ())]
    if not emails:
        return 0
    people = db.session.scalars(
        select(Person).where(Person.email.in_(emails))
        .options(selectinload(Person.competences))).all()
    answers = dict(db.session.execute(
        select(InviteSent.attendee_email, InviteSent.partstat)
        .where(InviteSent.uid == invites.meeting_uid(conference),
               InviteSent.case_id.is_(None))).all())
    listed: dict[int, list[Attendance]] = {}
    for row in db.session.scalars(select(Attendance)
                                  .where(Attendance.conference_id == conference.id)):
        listed.setdefault(row.person_id, []).append(row)
    added = []
    for person in people:
        expected = answers.get(person.email) == ACCEPTED
        if person.id in listed:
            for row in listed[person.id]:
                if row.source == "rsvp" and row.present != expected:
                    row.present = expected
            continue
        competence = _meeting_competence(area, person)
        if competence is None:
            continue
        added.append(Attendance(conference_id=conference.id, person_id=person.id,
                                competence=competence, unit_id=person.unit_id,
                                remote=person.unit_id != conference.host_unit_id,
                                present=expected, source="rsvp", noted_at=utcnow()))
    if added:
        try:
            with db.session.begin_nested():
                db.session.add_all(added)
        except IntegrityError:
            # Another coordinator's page added them at the same moment: theirs stand.
            log.info("conference %d: attendance already prefilled", conference.id)
            return 0
    return len(added)


def open_attendance(principal: policy.Principal, conference: Conference) -> list[Attendance]:
    """The attendance page: the list, with the invited MDT added."""
    policy.require(principal, "conference_day.attendance", conference)
    prefill_attendance(conference)
    commit_keeping_loaded(db.session)
    return attendance_of(conference)


def _require_noting(principal: policy.Principal, conference: Conference) -> None:
    policy.require(principal, "conference_day.attendance", conference)
    if conference.status not in ATTENDANCE_STATES:
        raise ConflictError("attendance", _l("A cancelled meeting has no attendance."))


def _yes(data: Mapping[str, Any], key: str) -> bool:
    value = data.get(key)
    if value in (None, "", "0", "false", "no", False):
        return False
    if value in ("1", "true", "yes", "on", True):
        return True
    raise FieldError(key, _l("Answer yes or no."))


def correct_attendance(actor: Actor, principal: policy.Principal, conference: Conference,
                       data: Mapping[str, Any]) -> Attendance:
    """Present or absent, remote or on site, as noted on the day (one row)."""
    _require_noting(principal, conference)
    unknown = sorted(set(data) - {"attendance_id", "present", "remote"})
    if unknown:
        raise FieldError(unknown[0], _l("Unknown field."))
    row_id = parse_id(data.get("attendance_id"))
    row = db.session.get(Attendance, row_id) if row_id is not None else None
    if row is None or row.conference_id != conference.id:
        raise FieldError("attendance_id", _l("Choose a person on this meeting's list."))
    row.present, row.remote = _yes(data, "present"), _yes(data, "remote")
    _noted(actor, conference, row)
    db.session.commit()
    return row


def add_attendee(actor: Actor, principal: policy.Principal, conference: Conference,
                 data: Mapping[str, Any]) -> Attendance:
    """A person of the area not invited (or in another competence), present from now on."""
    _require_noting(principal, conference)
    unknown = sorted(set(data) - {"person_id", "competence", "remote"})
    if unknown:
        raise FieldError(unknown[0], _l("Unknown field."))
    person_id = parse_id(data.get("person_id"))
    person = db.session.get(Person, person_id) if person_id is not None else None
    area = care_area(conference.care_area)
    if person is None or not person.active or not policy.can_see(principal, person) \
            or person.unit is None \
            or person.unit.hsa_id not in {unit.hsa_id for unit in area.nhv_units}:
        # Only the area's NHV units take part (and count for the quorum).
        raise FieldError("person_id", _l("Choose a person of this care area."))
    competence = data.get("competence")
    if not isinstance(competence, str) or competence not in person.competence_keys:
        raise FieldError("competence", _l("Choose one of the person's competences."))
    remote = _yes(data, "remote")
    exists = db.session.scalar(select(Attendance).where(
        Attendance.conference_id == conference.id, Attendance.person_id == person.id,
        Attendance.competence == competence))
    if exists is not None:
        raise ConflictError("person_id", _l("The person is already on the list in this "
                                            "competence: mark them present there."))
    row = Attendance(conference_id=conference.id, person_id=person.id, competence=competence,
                     unit_id=person.unit_id, remote=remote, present=True)
    db.session.add(row)
    _noted(actor, conference, row)
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise ConflictError("person_id", _l("The person is already on the list in this "
                                            "competence: mark them present there.")) from exc
    return row


def _noted(actor: Actor, conference: Conference, row: Attendance) -> None:
    row.source, row.noted_by, row.noted_at = "day", actor.person_id, utcnow()
    db.session.flush()
    audit.record(actor, "attendance.update", conference,
                 details={"attendance_id": row.id, "present": row.present,
                          "remote": row.remote})


def addable_people(conference: Conference) -> list[Person]:
    """Whom the coordinator may add: active staff of the area's NHV units with a
    competence (the list of a select; no patient data)."""
    area = care_area(conference.care_area)
    hsa_ids = [unit.hsa_id for unit in area.nhv_units]
    return list(db.session.scalars(
        select(Person).join(Person.unit).where(
            Unit.hsa_id.in_(hsa_ids), Person.active,
            Person.id.in_(select(PersonCompetence.person_id)))
        .options(selectinload(Person.competences), joinedload(Person.unit))
        .order_by(Person.name, Person.id)))
