"""Who can host when: closures, unit unavailability and staffing, loaded for a date range at once.

The planner asks "can unit U host on day D?" for every unit and every meeting; answering each
question with its own queries would make planning ten years ten times more queries than one
year and slow. `AvailabilityIndex` reads everything for the range in a handful of statements
(closures, unavailability, units, competence holders, absences) and answers from memory.

Staffing follows the competence register (mdk.people.service.competence_register): a unit can
staff a competence in an ISO week when an active person there holds it and is not away on every
one of the unit's meeting days that week. Reasons are Swedish and carry no patient data.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_, select

from mdk.calendar.closures import Closure
from mdk.care_areas.domain import CareArea
from mdk.care_areas.service import competences
from mdk.conferences.models import CalendarClosure, UnitUnavailability
from mdk.extensions import db
from mdk.people.models import Absence, Person, PersonCompetence
from mdk.people.service import meeting_days
from mdk.units.models import Unit

NOT_REGISTERED = "finns inte i enhetsregistret"


def required_competences(area: CareArea) -> tuple[str, ...]:
    """What a host must staff: the meeting quorum and the area's secondary review."""
    return tuple(dict.fromkeys(area.quorum + area.secondary_review))


def competence_noun(key: str) -> str:
    """'Radiolog (bild- och funktionsmedicin)' -> 'radiolog', for 'ingen radiolog v. 49'."""
    competence = competences().get(key)
    label = competence.label.sv if competence else key
    label = label.split(" (", 1)[0]
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def missing_text(keys: list[str], iso_week: int) -> str:
    nouns = [competence_noun(key) for key in keys]
    listed = nouns[0] if len(nouns) == 1 else ", ".join(nouns[:-1]) + " eller " + nouns[-1]
    return f"ingen {listed} v. {iso_week}"


def area_closures(area_key: str, first: date, last: date) -> list[Closure]:
    """The service-wide closures of the area (and of every area) touching the range."""
    rows = db.session.scalars(
        select(CalendarClosure)
        .where(or_(CalendarClosure.care_area.is_(None), CalendarClosure.care_area == area_key),
               CalendarClosure.first_day <= last, CalendarClosure.last_day >= first)
        .order_by(CalendarClosure.first_day, CalendarClosure.id))
    return [Closure(row.first_day, row.last_day, row.reason) for row in rows]


@dataclass
class _Holder:
    person_id: int
    hsa_id: str
    competence: str


class AvailabilityIndex:
    """Everything that decides whether an area's units can host, for days first..last."""

    def __init__(self, area: CareArea, first: date, last: date) -> None:
        self.area = area
        # Whole ISO weeks, so staffing is judged on the same week the register shows.
        self.first = first - timedelta(days=first.weekday())
        self.last = last + timedelta(days=6 - last.weekday())
        self.closures = area_closures(area.key, self.first, self.last)
        hsa_ids = [nhv.hsa_id for nhv in area.nhv_units]
        self.units: dict[str, Unit] = {unit.hsa_id: unit for unit in db.session.scalars(
            select(Unit).where(Unit.hsa_id.in_(hsa_ids)))}
        self.unavailable: dict[str, list[UnitUnavailability]] = defaultdict(list)
        for row, hsa_id in db.session.execute(
                select(UnitUnavailability, Unit.hsa_id).join(UnitUnavailability.unit)
                .where(Unit.hsa_id.in_(hsa_ids),
                       or_(UnitUnavailability.care_area.is_(None),
                           UnitUnavailability.care_area == area.key),
                       UnitUnavailability.first_day <= self.last,
                       UnitUnavailability.last_day >= self.first)
                .order_by(UnitUnavailability.first_day, UnitUnavailability.id)):
            self.unavailable[hsa_id].append(row)
        self._load_staffing(hsa_ids)
        self._staffing_cache: dict[tuple[str, int, int], str | None] = {}

    def _load_staffing(self, hsa_ids: list[str]) -> None:
        self.required = required_competences(self.area)
        self.holders: dict[tuple[str, str], list[int]] = defaultdict(list)
        for person_id, hsa_id, competence in db.session.execute(
                select(Person.id, Unit.hsa_id, PersonCompetence.competence)
                .join(Person.unit).join(Person.competences)
                .where(Unit.hsa_id.in_(hsa_ids), Person.active,
                       PersonCompetence.competence.in_(self.required))
                .order_by(Person.id)):
            self.holders[(hsa_id, competence)].append(person_id)
        self.absences: dict[int, list[tuple[date, date]]] = defaultdict(list)
        for person_id, first_day, last_day in db.session.execute(
                select(Absence.person_id, Absence.first_day, Absence.last_day)
                .join(Person, Absence.person_id == Person.id).join(Person.unit)
                .where(Unit.hsa_id.in_(hsa_ids), Absence.first_day <= self.last,
                       Absence.last_day >= self.first)):
            self.absences[person_id].append((first_day, last_day))

    # --- the questions ---------------------------------------------------------------------

    def closed(self, day: date) -> str | None:
        return next((closure.reason for closure in self.closures if closure.covers(day)), None)

    def hard_reason(self, hsa_id: str, day: date) -> str | None:
        """Closed, not registered, or marked unavailable: the unit cannot host at all."""
        if (reason := self.closed(day)) is not None:
            return reason
        if hsa_id not in self.units:
            return NOT_REGISTERED
        if not self.units[hsa_id].active:
            return "enheten är inaktiv"
        for row in self.unavailable.get(hsa_id, ()):
            if row.covers(day):
                return row.reason
        return None

    def staffing_reason(self, hsa_id: str, day: date) -> str | None:
        """'ingen radiolog v. 49' when the unit cannot staff the quorum and secondary review."""
        iso_year, iso_week, _ = day.isocalendar()
        key = (hsa_id, iso_year, iso_week)
        if key not in self._staffing_cache:
            self._staffing_cache[key] = self._missing(hsa_id, iso_year, iso_week)
        return self._staffing_cache[key]

    def reason(self, hsa_id: str, day: date) -> str | None:
        return self.hard_reason(hsa_id, day) or self.staffing_reason(hsa_id, day)

    def _missing(self, hsa_id: str, iso_year: int, iso_week: int) -> str | None:
        days = meeting_days(self.area, hsa_id, iso_year, iso_week)
        missing = [key for key in self.required
                   if not any(self._present(person_id, days)
                              for person_id in self.holders.get((hsa_id, key), ()))]
        return missing_text(missing, iso_week) if missing else None

    def _present(self, person_id: int, days: tuple[date, ...]) -> bool:
        spans = self.absences.get(person_id)
        if not spans:
            return True
        return not all(any(first <= day <= last for first, last in spans) for day in days)
