"""The calendar objects of meetings and case slots, from the database: what the invite mail
carries (mdk.invites.ical builds the bytes), what `mdk invites show` prints and what
`mdk calendar export` writes.

Rules (issue #13, DESIGN.md §2 and §5):
- UID: one per meeting (`mdk-conference-<id>@<service host>`) and one per case slot
  (`mdk-case-<case id>-conference-<id>@<service host>`); it never changes.
- SEQUENCE: the meeting's `ical_sequence` (mdk.invites.hooks raises it when time, host or
  link changes, and on cancellation); a CANCEL of a meeting not yet cancelled is one higher.
  A slot uses the meeting's unless the caller (the agenda, when a slot moves) passes its own.
- ORGANIZER: the care area's service-owned address ([calendar] in the area file), whatever
  unit hosts; the host goes in SUMMARY and DESCRIPTION.
- No patient data: the case number only, never a name or an identity number.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mdk.care_areas.domain import CareArea
from mdk.care_areas.service import care_area
from mdk.cases.models import Case
from mdk.conferences.models import Conference
from mdk.db import utcnow
from mdk.extensions import db
from mdk.invites.ical import Attendee, CalendarEvent, build_calendar
from mdk.outbox.service import absolute_url
from mdk.people.models import Person, PersonCompetence
from mdk.units.models import Unit

REQUEST, CANCEL = "REQUEST", "CANCEL"


class InviteError(ValueError):
    """The object asked for cannot be made (the command says why)."""


# --- identity and links -------------------------------------------------------------------

def service_host() -> str:
    """The service's host name (from MDK_BASE_URL): UIDs are unique under it."""
    return urlsplit(current_app.config["MDK"].base_url).hostname or "localhost"


def meeting_uid(conference: Conference) -> str:
    return f"mdk-conference-{conference.id}@{service_host()}"


def slot_uid(case: Case, conference: Conference) -> str:
    return f"mdk-case-{case.id}-conference-{conference.id}@{service_host()}"



def meeting_url(conference: Conference) -> str:
    """The meeting's page (it will show the agenda): login needed, no patient data in it."""
    return absolute_url("calendar.show_conference", conference_id=conference.id)


def case_url(case: Case) -> str:
    return absolute_url("cases.show_case", case_id=case.id)


def _area(conference: Conference) -> CareArea:
    area = care_area(conference.care_area)
    if area.calendar is None:
        raise InviteError(f"the care area {area.key!r} names no [calendar] organizer")
    return area


def _host_texts(conference: Conference) -> tuple[str, str]:
    """(short, long) names of the host unit; a meeting not yet planned says so."""
    host = conference.host_unit
    if host is None:
        return "ej planerad", "Värdenhet ej planerad ännu"
    return host.short_name, f"{host.name} ({host.short_name})"


# --- who is invited -------------------------------------------------------------------------

def invited_competences(area: CareArea) -> tuple[str, ...]:
    """The MDT of a meeting: the quorum, who joins when needed and the secondary reviewers."""
    return tuple(dict.fromkeys(area.quorum + area.quorum_when_needed + area.secondary_review))


def _inviting_units(area: CareArea, conference: Conference) -> list[str]:
    """A national MDK (one meeting of all the area's units) invites every NHV unit's MDT; a
    unit's own MDK (fixed host) invites its host's."""
    if area.national_mdk or conference.host_unit is None:
        return [unit.hsa_id for unit in area.nhv_units]
    return [conference.host_unit.hsa_id]


def meeting_attendees(conferences: Sequence[Conference]) -> dict[int, tuple[Attendee, ...]]:
    """Per meeting: the active MDT members of its units not away that day, and its chair
    (ROLE=CHAIR) first. One query for all the meetings of a range (export, a feed)."""
    if not conferences:
        return {}
    areas = {conference.care_area: _area(conference) for conference in conferences}
    hsa_ids = {hsa_id for conference in conferences
               for hsa_id in _inviting_units(areas[conference.care_area], conference)}
    competences = {key for area in areas.values() for key in invited_competences(area)}
    people = db.session.execute(
        select(Person, Unit.hsa_id).join(Person.unit)
        .where(Unit.hsa_id.in_(hsa_ids), Person.active,
               Person.id.in_(select(PersonCompetence.person_id)
                             .where(PersonCompetence.competence.in_(competences))))
        .options(selectinload(Person.competences), selectinload(Person.absences))
        .order_by(Person.name, Person.email)).all()
    chair_ids = {c.chair_person_id for c in conferences if c.chair_person_id is not None}
    chairs = {person.id: person for person in db.session.scalars(
        select(Person).where(Person.id.in_(chair_ids)))} if chair_ids else {}
    return {conference.id: _attendees_of(conference, areas[conference.care_area], people,
                                         chairs.get(conference.chair_person_id))
            for conference in conferences}


def _attendees_of(conference: Conference, area: CareArea,
                  people: Sequence[tuple[Person, str]], chair: Person | None
                  ) -> tuple[Attendee, ...]:
    units = set(_inviting_units(area, conference))
    wanted = set(invited_competences(area))
    day = conference.day
    members = [person for person, hsa_id in people
               if hsa_id in units and wanted & set(person.competence_keys)
               and not any(a.first_day <= day <= a.last_day for a in person.absences)
               and (chair is None or person.id != chair.id)]
    ordered = ([chair] if chair is not None else []) + members
    return tuple(Attendee(email=person.email, name=person.name,
                          chair=chair is not None and person.id == chair.id)
                 for person in ordered)


# --- the events -----------------------------------------------------------------------------

def _description(what: str, cancelled: str | None, video_link: str | None,
                 page: str) -> str:
    """An event's DESCRIPTION (Swedish, as every calendar object): what and where, the
    login page, and the promise that no patient data is in it."""
    lines = [cancelled] if cancelled else []
    lines += [what,
              f"Videolänk: {video_link}" if video_link else "Videolänk: kommer i en uppdatering.",
              page, "Kallelsen innehåller inga patientuppgifter."]
    return "\n".join(lines)


def meeting_event(conference: Conference, attendees: Sequence[Attendee] = (),
                  cancelled: bool | None = None, sequence: int | None = None) -> CalendarEvent:
    """The meeting's VEVENT. Cancelled by default when the meeting is."""
    area = _area(conference)
    short, long = _host_texts(conference)
    cancelled = conference.is_cancelled if cancelled is None else cancelled
    link = conference.video_link
    description = _description(
        f"{area.calendar.name}, värd: {long}.", "INSTÄLLT." if cancelled else None, link,
        f"Agenda och mötessida (inloggning): {meeting_url(conference)}")
    return CalendarEvent(
        uid=meeting_uid(conference),
        sequence=conference.ical_sequence if sequence is None else sequence,
        starts_at=conference.starts_at, ends_at=conference.ends_at,
        summary=f"{area.calendar.name} (värd: {short})",
        description=description,
        organizer_email=area.calendar.organizer, organizer_name=area.calendar.name,
        attendees=tuple(attendees), location=link or "Videomöte", url=link,
        cancelled=cancelled)


def slot_times(case: Case, conference: Conference, starts_at: datetime | None = None,
               ends_at: datetime | None = None) -> tuple[datetime, datetime]:
    """The case's slot: given by the agenda, or else the meeting's first slot."""
    if starts_at is None:
        starts_at = conference.starts_at
    if ends_at is None:
        series = care_area(conference.care_area).series_by_key(conference.series_key)
        minutes = series.case_slot_minutes if series is not None else 10
        ends_at = min(starts_at + timedelta(minutes=minutes), conference.ends_at)
    if not conference.starts_at <= starts_at < ends_at <= conference.ends_at:
        raise InviteError("the slot must lie within the meeting")
    return starts_at, ends_at


def slot_event(case: Case, conference: Conference, *, starts_at: datetime | None = None,
               ends_at: datetime | None = None, cancelled: bool = False,
               sequence: int | None = None) -> CalendarEvent:
    """The referring physician's event for one case's slot: the case number, the video link,
    never the patient. Its attendee is the case's contact person (when there is one)."""
    area = _area(conference)
    short, long = _host_texts(conference)
    starts_at, ends_at = slot_times(case, conference, starts_at, ends_at)
    link = conference.video_link
    description = _description(
        f"Ärende {case.number} på {area.calendar.name}, värd: {long}.",
        "INSTÄLLT för detta ärende." if cancelled else None, link,
        f"Ärendet (inloggning): {case_url(case)}")
    contact = case.contact_person
    attendees = (Attendee(email=contact.email, name=contact.name),) if contact else ()
    if sequence is None:
        sequence = conference.ical_sequence + (1 if cancelled and not conference.is_cancelled
                                               else 0)
    return CalendarEvent(
        uid=slot_uid(case, conference), sequence=sequence,
        starts_at=starts_at, ends_at=ends_at,
        summary=f"{area.calendar.name} – ärende {case.number}",
        description=description,
        organizer_email=area.calendar.organizer, organizer_name=area.calendar.name,
        attendees=attendees, location=link or "Videomöte", url=link, cancelled=cancelled)


# --- what is mailed, exported, shown --------------------------------------------------------

def _method(conference: Conference, method: str | None) -> str:
    method = (method or (CANCEL if conference.is_cancelled else REQUEST)).upper()
    if method not in (REQUEST, CANCEL):
        raise InviteError(f"unknown method {method!r}: request or cancel")
    if method == REQUEST and conference.is_cancelled:
        raise InviteError("the meeting is cancelled: only a CANCEL can be sent for it")
    return method


def meeting_invite(conference: Conference, method: str | None = None, *,
                   attendees: Sequence[Attendee] | None = None,
                   now: datetime | None = None) -> bytes:
    """The iTIP object mailed to the meeting's attendees: REQUEST (new or changed) or CANCEL
    (same UID, STATUS:CANCELLED, SEQUENCE above the last REQUEST). `attendees` with their
    PARTSTAT when the caller has them (RSVP); by default the meeting's MDT, NEEDS-ACTION."""
    method = _method(conference, method)
    if attendees is None:
        attendees = meeting_attendees([conference])[conference.id]
    if method == CANCEL:
        sequence = conference.ical_sequence + (0 if conference.is_cancelled else 1)
        event = meeting_event(conference, attendees, cancelled=True, sequence=sequence)
    else:
        event = meeting_event(conference, attendees)
    return build_calendar([event], now or utcnow(), method)


def slot_invite(case: Case, conference: Conference | None = None, method: str | None = None,
                *, starts_at: datetime | None = None, ends_at: datetime | None = None,
                sequence: int | None = None, now: datetime | None = None) -> bytes:
    """The iTIP object mailed to the referring physician for the case's slot on `conference`
    (by default the case's own meeting). The agenda passes the slot's times and, once slots
    move on their own, their SEQUENCE; by default the meeting's (one higher for a CANCEL of a
    slot on a meeting that still takes place)."""
    conference = conference or case.conference
    if conference is None:
        raise InviteError(f"the case {case.number} is on no meeting")
    if case.care_area != conference.care_area:
        raise InviteError(f"the case {case.number} is not of this meeting's care area")
    method = _method(conference, method)
    event = slot_event(case, conference, starts_at=starts_at, ends_at=ends_at,
                       cancelled=method == CANCEL, sequence=sequence)
    return build_calendar([event], now or utcnow(), method)


def area_meetings(area_key: str, first: date, last: date) -> list[Conference]:
    """The area's meetings held from `first` to `last` (local days), cancelled ones too."""
    from mdk.conferences.service import local_midnight

    return list(db.session.scalars(
        select(Conference)
        .where(Conference.care_area == area_key,
               Conference.starts_at >= local_midnight(first),
               Conference.starts_at < local_midnight(last + timedelta(days=1)))
        .options(selectinload(Conference.host_unit))
        .order_by(Conference.starts_at, Conference.id)))


def export_calendar(area_key: str, first: date, last: date,
                    now: datetime | None = None) -> bytes:
    """One VCALENDAR (no METHOD) of the area's meetings in the range, for import or a
    calendar server; a cancelled meeting stays in it as STATUS:CANCELLED."""
    area = care_area(area_key)
    meetings = area_meetings(area.key, first, last)
    attendees = meeting_attendees(meetings)
    events = [meeting_event(conference, attendees[conference.id]) for conference in meetings]
    return build_calendar(events, now or utcnow(), extra=(("x-wr-calname", area.calendar.name),))


def case_by_number(number: str) -> Case | None:
    return db.session.scalar(select(Case).where(Case.number == number.strip().upper()))
