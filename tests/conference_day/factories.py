"""A meeting on its day: cases accepted while it was coming, then started (locked, its
start a few minutes ago); the MDT of its units with competences; their invite answers."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from mdk.conferences.models import Conference
from mdk.db import utcnow
from mdk.extensions import db
from mdk.invites.models import InviteSent
from mdk.invites.service import meeting_uid
from mdk.people.models import Person
from mdk.units.models import Unit
from tests.units.factories import make_person


def start(conference: Conference, minutes_ago: int = 5, status: str = "agenda_locked") -> None:
    """The meeting began `minutes_ago` (its agenda locked at the cut-off)."""
    conference = db.session.get(Conference, conference.id)  # this context's session
    starts = utcnow().replace(microsecond=0) - timedelta(minutes=minutes_ago)
    conference.starts_at, conference.ends_at = starts, starts + timedelta(minutes=90)
    # Its series may already hold a meeting on this day (the demo's meeting held today):
    # then it keeps the day it was planned on, which is unique in the series.
    taken = db.session.scalar(select(Conference.id).where(
        Conference.care_area == conference.care_area,
        Conference.series_key == conference.series_key,
        Conference.planned_day == starts.date(), Conference.id != conference.id))
    if taken is None:
        conference.planned_day = starts.date()
    conference.status = status
    db.session.commit()


def mdt_member(unit: Unit, *competences: str) -> Person:
    person = make_person(unit=unit, competences=list(competences))
    db.session.commit()
    return person


def answered(conference: Conference, person: Person, partstat: str) -> None:
    db.session.add(InviteSent(uid=meeting_uid(conference), attendee_email=person.email,
                              conference_id=conference.id, method="REQUEST", sequence=0,
                              partstat=partstat))
    db.session.commit()
