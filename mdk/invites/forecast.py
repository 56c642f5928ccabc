"""The quorum forecast of a meeting (issue #13 point 5): per competence the area's quorum
names (and, apart, those joining when needed), who of the invited has confirmed, answered
tentatively, declined, or not answered (NEEDS-ACTION, or not yet sent the invite).

A quorum competence is covered when at least one invited person with it has accepted. From
the second working day before the meeting (WARN_WORKING_DAYS, weekends and Swedish public
holidays not counted, at WARN_TIME local time) an uncovered one is a warning: on the agenda
page and, once, in a mail to the area's coordinators (mdk.invites.quorum_warning).

An answer counts only while it is to the meeting's current version: a meeting that moved
asks again (the invite job resets the answer when it sends the update; until then the old
answer is shown as unknown too). A constant number of SQL statements for any number of
meetings and attendees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from mdk.calendar.closures import working_days_before
from mdk.care_areas.service import CareAreaNotFound, care_area
from mdk.conferences.models import Conference
from mdk.db import utcnow
from mdk.extensions import db
from mdk.i18n import to_local
from mdk.invites import service
from mdk.invites.ical import Attendee
from mdk.invites.models import InviteSent
from mdk.people.models import Person

WARN_WORKING_DAYS = 2
WARN_TIME = time(7, 0)  # local: the warning is due from this time on that working day
TAKING_PLACE = ("planned", "agenda_locked")


@dataclass(frozen=True)
class Invitee:
    name: str
    answer: str  # ACCEPTED, TENTATIVE, DECLINED or NEEDS-ACTION
    sent: bool  # False: the invite has not gone out to them yet


@dataclass(frozen=True)
class CompetenceForecast:
    key: str
    confirmed: tuple[Invitee, ...]
    tentative: tuple[Invitee, ...]
    declined: tuple[Invitee, ...]
    unknown: tuple[Invitee, ...]

    @property
    def covered(self) -> bool:
        return bool(self.confirmed)

    @property
    def invited(self) -> int:
        return len(self.confirmed) + len(self.tentative) + len(self.declined) + len(self.unknown)


@dataclass(frozen=True)
class QuorumForecast:
    conference: Conference
    quorum: tuple[CompetenceForecast, ...]
    when_needed: tuple[CompetenceForecast, ...]
    warning_from: datetime  # when an uncovered quorum competence becomes a warning

    @property
    def uncovered(self) -> tuple[str, ...]:
        return tuple(item.key for item in self.quorum if not item.covered)

    def warning_due(self, now: datetime | None = None) -> bool:
        """An uncovered quorum competence, the meeting to take place within the warning time."""
        now = now or utcnow()
        return (bool(self.uncovered) and self.conference.status in TAKING_PLACE
                and self.warning_from <= now < self.conference.starts_at)


def warning_from(conference: Conference) -> datetime:
    """WARN_TIME on the WARN_WORKING_DAYS-th working day before the meeting's day, in UTC."""
    local = to_local(conference.starts_at)
    day = working_days_before(local.date(), WARN_WORKING_DAYS)
    return datetime.combine(day, WARN_TIME, tzinfo=local.tzinfo).astimezone(UTC)


def sends_invites(conference: Conference) -> bool:
    """Only an area with a [calendar] organizer invites anyone: no forecast for the others."""
    try:
        return care_area(conference.care_area).calendar is not None
    except CareAreaNotFound:
        return False


def quorum_forecast(conference: Conference) -> QuorumForecast | None:
    return quorum_forecasts([conference]).get(conference.id)


def quorum_forecasts(conferences: Sequence[Conference]) -> dict[int, QuorumForecast]:
    """Per meeting (of an area that sends invites): its forecast."""
    conferences = [conference for conference in conferences if sends_invites(conference)]
    if not conferences:
        return {}
    attendees = service.meeting_attendees(conferences)
    emails = sorted({attendee.email.lower() for found in attendees.values()
                     for attendee in found})
    competences = _competences(emails)
    uids = {service.meeting_uid(conference): conference for conference in conferences}
    rows = {(row.uid, row.attendee_email.lower()): row for row in db.session.scalars(
        select(InviteSent).where(InviteSent.uid.in_(sorted(uids))))}
    return {conference.id: _forecast(conference, attendees[conference.id], competences,
                                     rows, service.meeting_uid(conference))
            for conference in conferences}


def _competences(emails: list[str]) -> dict[str, frozenset[str]]:
    if not emails:
        return {}
    people = db.session.scalars(
        select(Person).where(func.lower(Person.email).in_(emails))
        .options(selectinload(Person.competences)))
    return {person.email.lower(): frozenset(person.competence_keys) for person in people}


def _forecast(conference: Conference, attendees: Sequence[Attendee],
              competences: dict[str, frozenset[str]], rows: dict, uid: str) -> QuorumForecast:
    area = care_area(conference.care_area)
    invitees = [(attendee, _invitee(conference, attendee, rows.get((uid, attendee.email.lower()))))
                for attendee in attendees]

    def per_competence(key: str) -> CompetenceForecast:
        holders = [invitee for attendee, invitee in invitees
                   if key in competences.get(attendee.email.lower(), ())]
        return CompetenceForecast(
            key=key,
            confirmed=tuple(i for i in holders if i.answer == "ACCEPTED"),
            tentative=tuple(i for i in holders if i.answer == "TENTATIVE"),
            declined=tuple(i for i in holders if i.answer in ("DECLINED", "DELEGATED")),
            unknown=tuple(i for i in holders if i.answer == "NEEDS-ACTION"))

    when_needed = [key for key in area.quorum_when_needed if key not in area.quorum]
    return QuorumForecast(conference=conference,
                          quorum=tuple(per_competence(key) for key in area.quorum),
                          when_needed=tuple(per_competence(key) for key in when_needed),
                          warning_from=warning_from(conference))


def _invitee(conference: Conference, attendee: Attendee, row: InviteSent | None) -> Invitee:
    current = (row is not None and row.method == "REQUEST"
               and row.meeting_sequence == conference.ical_sequence)
    return Invitee(name=attendee.name, answer=row.partstat if current else "NEEDS-ACTION",
                   sent=current)
