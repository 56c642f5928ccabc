"""Reviewers for the review tests: people of a host unit with a competence and a reviewer
grant there, and meetings on chosen days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from mdk.conferences.models import Conference
from mdk.extensions import db
from mdk.outbox.models import OutboxMessage
from mdk.people import service as people
from mdk.people.models import Person
from mdk.reviews.models import ReviewTask
from mdk.units.models import Unit
from tests.cases.factories import AREA
from tests.units.factories import make_person

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def reviewer(unit: Unit, *competences: str, area: str = AREA) -> Person:
    person = make_person(unit=unit, competences=list(competences))
    people.grant_role(person, "reviewer", area, unit.id)
    db.session.commit()
    return person


def host_reviewers(world) -> dict[str, Person]:
    """One reviewer per reviewing competence at the first meeting's host (nhv[0])."""
    unit = world.nhv[0]
    return {"pathologist": reviewer(unit, "pathologist"),
            "radiologist": reviewer(unit, "radiologist"),
            "nuclear_medicine_physician": reviewer(unit, "nuclear_medicine_physician")}


def meeting_on(day: date, host: Unit, area: str = AREA, series: str = "national",
               at: time = time(8, 0)) -> Conference:
    starts = datetime.combine(day, at, tzinfo=STOCKHOLM).astimezone(UTC)
    conference = Conference(care_area=area, series_key=series, planned_day=day,
                            starts_at=starts, ends_at=starts + timedelta(minutes=90),
                            host_unit_id=host.id, capacity=9, status="planned")
    db.session.add(conference)
    db.session.commit()
    return conference


def coming_weekday(weekday: int, weeks_ahead: int = 2) -> date:
    """A day of ISO `weekday` at least `weeks_ahead` weeks from today."""
    day = date.today() + timedelta(weeks=weeks_ahead)
    return day + timedelta(days=(weekday - day.isoweekday()) % 7)


def tasks_of(case) -> list[ReviewTask]:
    return list(db.session.scalars(select(ReviewTask).where(ReviewTask.case_id == case.id)
                                   .order_by(ReviewTask.id)))


def by_competence(case) -> dict[str, ReviewTask]:
    return {task.competence: task for task in tasks_of(case)}


def mails(kind: str, person: Person | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.kind == kind)
    if person is not None:
        query = query.where(OutboxMessage.recipient_person_id == person.id)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))
