"""Calendar feeds (ICS subscriptions, RFC 7986): a person's own meetings and case slots, and
a care area's whole plan for its coordinators, each behind the person's secret feed token.

Rules (issue #13, DESIGN.md §2 and §5):
- A feed is a VCALENDAR without METHOD (a subscription, not an iTIP message) made of the same
  VEVENTs as the invites (mdk.invites.service), so a client that got an invite and also
  subscribes sees one event (same UID).
- Window: WEEKS_BACK weeks back to the calendar horizon (MDK_CALENDAR_HORIZON_MONTHS). A
  cancelled meeting stays as STATUS:CANCELLED until CANCELLED_KEPT_DAYS after its day, so
  clients that last looked before the cancellation learn of it, then leaves the feed.
- DTSTAMP is the feed's last change (the newest row it is made of), not the time of the
  request, so the same plan gives the same bytes: the ETag is the hash of the body.
- No patient data: the events carry the case number only (the slot's summary), never a name
  or an identity number.
- A constant number of SQL statements however many events (the tests count them).
"""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from icalendar import vDuration
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from mdk.access import policy
from mdk.agenda.service import slot_times_among
from mdk.audit import service as audit
from mdk.audit.service import Actor
from mdk.care_areas.service import care_area, care_areas
from mdk.cases import triage
from mdk.cases.models import Case
from mdk.conferences.models import Conference
from mdk.conferences.service import local_midnight
from mdk.db import utcnow
from mdk.extensions import db
from mdk.feeds.models import FeedToken
from mdk.i18n import to_local
from mdk.invites.ical import CalendarEvent, build_calendar
from mdk.invites.service import meeting_attendees, meeting_event, slot_event
from mdk.people.models import Person

WEEKS_BACK = 8
CANCELLED_KEPT_DAYS = 30
REFRESH = timedelta(hours=1)
TOKEN_BYTES = 32  # 256 bits


@dataclass(frozen=True)
class Feed:
    body: bytes
    last_modified: datetime  # whole seconds, UTC

    @property
    def etag(self) -> str:
        return hashlib.sha256(self.body).hexdigest()[:32]


# --- settings and tokens --------------------------------------------------------------------

def feeds_enabled() -> bool:
    return current_app.config["MDK"].feeds_enabled


def hash_token(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def has_token(person: Person) -> bool:
    return db.session.scalar(select(FeedToken.id).where(FeedToken.person_id == person.id)) \
        is not None


def regenerate_token(actor: Actor, person: Person) -> str:
    """A new secret for the person's feeds; the old one (if any) stops working at once. The
    secret is returned to be shown, never stored or logged; the audit event says only that
    it was made."""
    replaced = db.session.execute(delete(FeedToken).where(FeedToken.person_id == person.id))
    secret = secrets.token_urlsafe(TOKEN_BYTES)
    token = FeedToken(person_id=person.id, token_hash=hash_token(secret))
    db.session.add(token)
    db.session.flush()
    audit.record(actor, "feed_token.regenerate", person,
                 details={"replaced": bool(replaced.rowcount)})
    db.session.commit()
    return secret


def token_owner(secret: str) -> tuple[Person, FeedToken] | None:
    """The active person whose feed token this is, or None (unknown, replaced, inactive)."""
    if not secret or len(secret) > 200:
        return None
    row = db.session.execute(
        select(Person, FeedToken).join(FeedToken, FeedToken.person_id == Person.id)
        .where(FeedToken.token_hash == hash_token(secret), Person.active)
        .options(selectinload(Person.role_grants))).first()
    return (row[0], row[1]) if row else None


def coordinated_areas(person: Person) -> list[str]:
    """The configured areas the person coordinates: those whose feed they may subscribe to."""
    mine = policy.principal_for(person).areas("coordinator")
    return [key for key in care_areas() if key in mine]


# --- what is in a feed ----------------------------------------------------------------------

def window(today: date) -> tuple[date, date]:
    horizon = current_app.config["MDK"].calendar_horizon_months
    return today - timedelta(weeks=WEEKS_BACK), today + timedelta(days=31 * horizon)


def _meetings(first: date, last: date, today: date, area_key: str | None = None
              ) -> list[Conference]:
    query = (select(Conference)
             .where(Conference.starts_at >= local_midnight(first),
                    Conference.starts_at < local_midnight(last + timedelta(days=1)),
                    Conference.care_area.in_(list(care_areas())))
             .options(selectinload(Conference.host_unit))
             .order_by(Conference.starts_at, Conference.id))
    if area_key is not None:
        query = query.where(Conference.care_area == area_key)
    return [conference for conference in db.session.scalars(query)
            if not (conference.is_cancelled
                    and conference.day + timedelta(days=CANCELLED_KEPT_DAYS) < today)]


def _slots(person: Person, meetings: list[Conference]) -> list[tuple[Case, Conference, datetime,
                                                                     datetime]]:
    """The person's cases (as contact person) on these meetings, at the agenda's slot times:
    two queries for all of them (the cases on those meetings, to know each one's place)."""
    by_id = {conference.id: conference for conference in meetings}
    mine = select(Case.conference_id).where(Case.contact_person_id == person.id,
                                            Case.conference_id.in_(list(by_id)),
                                            Case.state.in_(sorted(triage.BOOKED)))
    on_agenda: dict[int, list[Case]] = defaultdict(list)
    for case in db.session.scalars(
            select(Case).where(Case.conference_id.in_(mine),
                               Case.state.in_(sorted(triage.BOOKED)))
            .options(selectinload(Case.contact_person))):
        on_agenda[case.conference_id].append(case)
    slots = []
    for conference_id, found in on_agenda.items():
        conference = by_id[conference_id]
        times = slot_times_among(conference, found)
        slots += [(case, conference, *times[case.id]) for case in found
                  if case.contact_person_id == person.id]
    return sorted(slots, key=lambda slot: (slot[2], slot[0].id))


def _last_modified(token: FeedToken, rows) -> datetime:
    newest = max([token.created_at, *(row.updated_at for row in rows)])
    return newest.astimezone(UTC).replace(microsecond=0)


def _calendar(title: str, events: list[CalendarEvent], stamp: datetime) -> bytes:
    extra = (("name", title), ("x-wr-calname", title),
             ("refresh-interval", vDuration(REFRESH, params={"VALUE": "DURATION"})),
             ("x-published-ttl", "PT1H"))
    return build_calendar(events, stamp, extra=extra)


def personal_feed(person: Person, token: FeedToken, today: date | None = None) -> Feed:
    """The meetings the person is invited to (mdk.invites.service.meeting_attendees decides),
    and the slots of the cases they are the contact person of."""
    today = today or to_local(utcnow()).date()
    first, last = window(today)
    meetings = _meetings(first, last, today)
    attendees = meeting_attendees(meetings)
    email = person.email.casefold()
    invited = [conference for conference in meetings
               if any(a.email.casefold() == email for a in attendees[conference.id])]
    slots = _slots(person, meetings)
    stamp = _last_modified(token, [*invited, *(case for case, *_ in slots),
                                   *(conference for _, conference, *_ in slots)])
    events = [meeting_event(conference, attendees[conference.id]) for conference in invited]
    events += [slot_event(case, conference, starts_at=starts, ends_at=ends,
                          cancelled=conference.is_cancelled)
               for case, conference, starts, ends in slots]
    events.sort(key=lambda event: (event.starts_at, event.uid))
    return Feed(_calendar(f"nMDK – {person.name}", events, stamp), stamp)


def area_feed(area_key: str, token: FeedToken, today: date | None = None) -> Feed:
    """Every meeting of the care area in the window, with its invited MDT."""
    today = today or to_local(utcnow()).date()
    area = care_area(area_key)
    first, last = window(today)
    meetings = _meetings(first, last, today, area.key)
    attendees = meeting_attendees(meetings)
    stamp = _last_modified(token, meetings)
    events = [meeting_event(conference, attendees[conference.id]) for conference in meetings]
    return Feed(_calendar(area.calendar.name, events, stamp), stamp)
