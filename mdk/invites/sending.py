"""Mailing the invites (iTIP over iMIP) through the outbox: the job `send-invites`.

One job reconciles "what should be in the calendars" with "what was sent" (InviteSent, one
row per event UID and attendee) and queues only the difference, one mail per attendee:

- a meeting of the coming window (MDK_INVITE_WINDOW_WEEKS) that takes place: its REQUEST to
  every invited MDT member not yet sent it, an update (the meeting's SEQUENCE) to those who
  hold an older one, a CANCEL to those no longer invited; a cancelled meeting: a CANCEL to
  everyone who was sent it. A meeting once sent stays followed when it moves out of the
  window.
- a case booked on such a meeting: the slot's REQUEST to the case's contact person (and
  nobody else), with the slot time from the agenda; an update with the slot's own SEQUENCE
  raised by one when the slot time or the meeting changes; a CANCEL when the case leaves the
  meeting (moved, deferred to another, withdrawn, taken off the agenda) or the meeting is
  cancelled, and a new REQUEST for the new slot (its own UID).

Derived from database state only, so a second run sends nothing and a missed run catches up.
Meetings that have begun are left as they are. The rows are written in the same transaction
as the outbox rows: either both exist or neither.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from email.utils import formataddr

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mdk.agenda.service import slot_times_of
from mdk.care_areas.service import CareAreaNotFound, care_area
from mdk.cases.models import Case
from mdk.cases.triage import BOOKED
from mdk.conferences.models import Conference
from mdk.db import utcnow
from mdk.extensions import db
from mdk.i18n import format_datetime_local
from mdk.invites import answers, service
from mdk.invites.ical import Attendee, CalendarEvent, build_calendar
from mdk.invites.models import InviteSent
from mdk.invites.service import CANCEL, REQUEST, InviteError
from mdk.outbox.service import Attachment, Recipient, queue_mail
from mdk.people.models import Person
from mdk.people.service import mail_locale

log = logging.getLogger(__name__)

TAKING_PLACE = ("planned", "agenda_locked")


@dataclass
class SendResult:
    requests: int = 0
    cancels: int = 0

    @property
    def total(self) -> int:
        return self.requests + self.cancels


@dataclass(frozen=True)
class _Wanted:
    """One event one attendee's calendar should hold now."""

    uid: str
    conference: Conference
    attendee: Attendee
    case: Case | None = None
    starts_at: datetime | None = None  # a slot's
    ends_at: datetime | None = None


def send_invites(now: datetime | None = None) -> SendResult:
    """Queue every invite, update and cancellation that is due; commit. Idempotent."""
    now = now or utcnow()
    window_end = now + timedelta(weeks=current_app.config["MDK"].invite_window_weeks)
    sent = _sent_for_coming(now)
    followed = {row.conference_id for row in sent.values()}
    live = [conference for conference in _coming(now, window_end, followed)
            if conference.status in TAKING_PLACE]
    live = [conference for conference in live if _has_calendar(conference)]
    wanted = {(item.uid, item.attendee.email.lower()): item
              for item in [*_wanted_meetings(live), *_wanted_slots(live)]}
    people = _people({email for _uid, email in [*wanted, *sent]})
    result = SendResult()
    built: dict[tuple[str, str, int], bytes] = {}
    for key, item in wanted.items():
        row = sent.get(key)
        sequence = _request_sequence(item, row)
        if sequence is None:
            continue
        update = row is not None and row.method == REQUEST
        if _queue(item, REQUEST, sequence, people, built, now, update=update):
            _record(row, item, REQUEST, sequence, now)
            result.requests += 1
    for key, row in sent.items():
        if key in wanted or row.method != REQUEST:
            continue
        item = _withdrawn(row, people)
        if item is None:
            continue
        sequence = row.sequence + 1
        if item.case is None and item.conference.is_cancelled:
            sequence = max(sequence, item.conference.ical_sequence)
        if _queue(item, CANCEL, sequence, people, built, now):
            _record(row, item, CANCEL, sequence, now)
            result.cancels += 1
    db.session.commit()
    return result


def run_scheduled() -> None:
    """The scheduler's job (scheduler/registry.py: send-invites)."""
    result = send_invites()
    if result.total:
        log.info("send-invites queued %d request(s), %d cancel(s)", result.requests,
                 result.cancels)


def slot_plan(case: Case, conference: Conference, method: str = REQUEST
              ) -> tuple[datetime | None, datetime | None, int | None]:
    """(start, end, SEQUENCE) of the case's slot object the job would mail now (what
    `mdk invites show --case` prints): the agenda's slot time, and the slot's own SEQUENCE
    from what its contact person was last sent. Nones leave the defaults of slot_invite."""
    times = slot_times_of(conference).get(case.id)
    contact = case.contact_person
    row = db.session.scalar(select(InviteSent).where(
        InviteSent.uid == service.slot_uid(case, conference),
        InviteSent.attendee_email == contact.email)) if contact is not None else None
    if method == CANCEL:
        if row is None:
            return None, None, None
        return row.slot_starts_at, row.slot_ends_at, row.sequence + (row.method == REQUEST)
    if times is None:
        return None, None, None
    if contact is None:
        return times[0], times[1], None
    item = _Wanted(uid=row.uid if row else "", conference=conference,
                   attendee=Attendee(email=contact.email, name=contact.name), case=case,
                   starts_at=times[0], ends_at=times[1])
    due = _request_sequence(item, row)
    return times[0], times[1], row.sequence if due is None and row is not None else due


# --- what should be in the calendars ---------------------------------------------------------

def _sent_for_coming(now: datetime) -> dict[tuple[str, str], InviteSent]:
    """What was sent for the meetings still to come (cancelled ones too), by (UID, address)."""
    rows = db.session.scalars(
        select(InviteSent).join(Conference, Conference.id == InviteSent.conference_id)
        .where(Conference.starts_at > now).order_by(InviteSent.id))
    return {(row.uid, row.attendee_email.lower()): row for row in rows}


def _coming(now: datetime, window_end: datetime, followed: set[int]) -> list[Conference]:
    """The meetings of the window, and those after it already in someone's calendar."""
    in_window = (Conference.starts_at > now) & (Conference.starts_at <= window_end)
    condition = in_window | Conference.id.in_(followed) if followed else in_window
    return list(db.session.scalars(
        select(Conference).where(condition, Conference.starts_at > now)
        .options(selectinload(Conference.host_unit))
        .order_by(Conference.starts_at, Conference.id)))


def _has_calendar(conference: Conference) -> bool:
    """An area without a [calendar] organizer sends no invites (its file names none)."""
    try:
        return care_area(conference.care_area).calendar is not None
    except CareAreaNotFound:
        return False


def _wanted_meetings(live: list[Conference]) -> Iterable[_Wanted]:
    attendees = service.meeting_attendees(live)
    for conference in live:
        for attendee in attendees[conference.id]:
            yield _Wanted(uid=service.meeting_uid(conference), conference=conference,
                          attendee=attendee)


def _wanted_slots(live: list[Conference]) -> Iterable[_Wanted]:
    """The referring physician's slot of every case booked on a live meeting."""
    for conference in live:
        times = slot_times_of(conference)
        if not times:
            continue
        booked = db.session.scalars(
            select(Case).where(Case.id.in_(times), Case.state.in_(sorted(BOOKED)))
            .options(selectinload(Case.contact_person)).order_by(Case.id))
        for case in booked:
            contact = case.contact_person
            if contact is None or not contact.email:
                continue
            starts_at, ends_at = times[case.id]
            yield _Wanted(uid=service.slot_uid(case, conference), conference=conference,
                          attendee=Attendee(email=contact.email, name=contact.name),
                          case=case, starts_at=starts_at, ends_at=ends_at)


def _request_sequence(item: _Wanted, row: InviteSent | None) -> int | None:
    """The SEQUENCE of the REQUEST this attendee is due, or None when theirs is current. A
    meeting's is its own (ical_sequence); a slot's starts at 0 and rises by one whenever
    its time or its meeting changes. After a CANCEL it is always above the CANCEL's."""
    meeting_sequence = item.conference.ical_sequence
    if item.case is None:
        if row is None:
            return meeting_sequence
        if row.method == REQUEST and row.meeting_sequence == meeting_sequence:
            return None
        return max(meeting_sequence, row.sequence + 1)
    if row is None:
        return 0
    if (row.method == REQUEST and row.meeting_sequence == meeting_sequence
            and row.slot_starts_at == item.starts_at and row.slot_ends_at == item.ends_at):
        return None
    return row.sequence + 1


def _withdrawn(row: InviteSent, people: dict[str, Person]) -> _Wanted | None:
    """The event a CANCEL takes back from this attendee, as it was sent to them."""
    conference = db.session.get(Conference, row.conference_id)
    if conference is None or not _has_calendar(conference):
        return None
    person = people.get(row.attendee_email.lower())
    attendee = Attendee(email=row.attendee_email,
                        name=person.name if person is not None else row.attendee_email)
    case = db.session.get(Case, row.case_id) if row.case_id is not None else None
    if row.case_id is not None and case is None:
        return None
    return _Wanted(uid=row.uid, conference=conference, attendee=attendee, case=case,
                   starts_at=row.slot_starts_at, ends_at=row.slot_ends_at)


def _people(emails: set[str]) -> dict[str, Person]:
    if not emails:
        return {}
    found = db.session.scalars(select(Person).where(Person.email.in_(sorted(emails))))
    return {person.email.lower(): person for person in found}


# --- the mail ----------------------------------------------------------------------------------

def _event(item: _Wanted, method: str, sequence: int) -> CalendarEvent:
    conference = item.conference
    cancelled = method == CANCEL
    if item.case is None:
        attendees = (item.attendee,) if cancelled else \
            service.meeting_attendees([conference])[conference.id]
        return service.meeting_event(conference, attendees, cancelled=cancelled,
                                     sequence=sequence)
    event = service.slot_event(item.case, conference, cancelled=cancelled, sequence=sequence)
    return replace(event, attendees=(item.attendee,),
                   starts_at=item.starts_at or event.starts_at,
                   ends_at=item.ends_at or event.ends_at)


def _calendar(item: _Wanted, method: str, sequence: int, built: dict, now: datetime) -> bytes:
    """A REQUEST of a meeting is the same object for all its attendees: built once."""
    if method == REQUEST and item.case is None:
        key = (item.uid, method, sequence)
        if key not in built:
            built[key] = build_calendar([_event(item, method, sequence)], now, method)
        return built[key]
    return build_calendar([_event(item, method, sequence)], now, method)


def _queue(item: _Wanted, method: str, sequence: int, people: dict[str, Person],
           built: dict, now: datetime, *, update: bool = False) -> bool:
    """Add the attendee's mail to the outbox; False when the object cannot be made."""
    person = people.get(item.attendee.email.lower())
    locale = mail_locale(person) if person is not None else "sv"
    recipient = Recipient(email=item.attendee.email,
                          person_id=person.id if person is not None else None, locale=locale)
    try:
        calendar = _calendar(item, method, sequence, built, now)
    except InviteError:
        log.warning("invite %s to one attendee not made", item.uid)
        return False
    area = care_area(item.conference.care_area)
    template = "invite_meeting" if item.case is None else "invite_slot"
    queue_mail(recipient, kind=template, template=template,
               context=_context(item, method, sequence, update, locale, area),
               idempotency_key=f"invite:{item.uid}:{method}:{sequence}",
               case_id=item.case.id if item.case is not None else None,
               reply_to=area.calendar.organizer,
               from_address=formataddr((area.calendar.name, area.calendar.organizer)),
               calendar=calendar.decode("utf-8"), calendar_method=method,
               attachments=[Attachment("invite.ics", "application/ics", calendar)])
    return True


def _context(item: _Wanted, method: str, sequence: int, update: bool, locale: str,
             area) -> dict:
    """Only what may leave the protected network: the case number, units, times, links.
    A meeting's REQUEST carries the attendee's answer links (mdk.invites.answers)."""
    conference = item.conference
    host = conference.host_unit
    links = answers.answer_links(conference, item.attendee.email, sequence) \
        if method == REQUEST and item.case is None else {}
    return {
        "answer_links": links,
        "area_name": area.name(locale),
        "cancelled": method == CANCEL,
        "meeting_cancelled": conference.is_cancelled,
        "update": update,  # the attendee holds an older version of the event
        "meeting_time": format_datetime_local(item.starts_at or conference.starts_at, locale),
        "host_unit": host.name if host is not None else None,
        "video_link": conference.video_link,
        "meeting_url": service.meeting_url(conference),
        "case_number": item.case.number if item.case is not None else None,
        "case_url": service.case_url(item.case) if item.case is not None else None,
    }


def _record(row: InviteSent | None, item: _Wanted, method: str, sequence: int,
            now: datetime) -> None:
    if row is None:
        row = InviteSent(uid=item.uid, attendee_email=item.attendee.email,
                         conference_id=item.conference.id,
                         case_id=item.case.id if item.case is not None else None)
        db.session.add(row)
    if row.method != method or row.sequence != sequence:
        # A new version of the event asks again (RSVP): the old answer was to another one.
        row.partstat, row.answered_at, row.answered_via = "NEEDS-ACTION", None, None
    row.method = method
    row.sequence = sequence
    row.meeting_sequence = item.conference.ical_sequence
    row.slot_starts_at = item.starts_at
    row.slot_ends_at = item.ends_at
    row.sent_at = now
