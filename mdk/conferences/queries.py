"""Read-only look-ups the calendar pages need beyond mdk.conferences.service: closures and
unavailability to list, the area's NHV unit rows, and the people a chair can be chosen from."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from mdk.care_areas.domain import CareArea
from mdk.conferences.models import CalendarClosure, UnitUnavailability
from mdk.extensions import db
from mdk.people.models import Person
from mdk.units.models import Unit


def closures_between(area_key: str, first: date, last: date) -> list[CalendarClosure]:
    """Closures of this area, or of every area, that overlap first..last."""
    return list(db.session.scalars(
        select(CalendarClosure)
        .where(or_(CalendarClosure.care_area == area_key, CalendarClosure.care_area.is_(None)),
               CalendarClosure.last_day >= first, CalendarClosure.first_day <= last)
        .order_by(CalendarClosure.first_day, CalendarClosure.id)))


def unavailabilities_from(area_key: str, since: date) -> list[UnitUnavailability]:
    """Unit unavailability in this area (or in every area) that has not ended before `since`."""
    return list(db.session.scalars(
        select(UnitUnavailability)
        .options(selectinload(UnitUnavailability.unit))
        .where(or_(UnitUnavailability.care_area == area_key,
                   UnitUnavailability.care_area.is_(None)),
               UnitUnavailability.last_day >= since)
        .order_by(UnitUnavailability.first_day, UnitUnavailability.id)))


def nhv_unit_rows(area: CareArea) -> list[Unit]:
    """The unit rows of the area's NHV units, in the file's (rotation) order."""
    order = [unit.hsa_id for unit in area.nhv_units]
    rows = db.session.scalars(select(Unit).where(Unit.hsa_id.in_(order)))
    return sorted(rows, key=lambda unit: order.index(unit.hsa_id))


def people_at_unit(unit_id: int) -> list[Person]:
    """Active people of a unit: who may chair a meeting it hosts."""
    return list(db.session.scalars(
        select(Person).where(Person.unit_id == unit_id, Person.active.is_(True))
        .order_by(Person.name)))
