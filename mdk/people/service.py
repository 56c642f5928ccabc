"""People: create/update, competences, absences, role grants; the competence register."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import selectinload

from mdk.audit import service as audit
from mdk.audit.service import Actor
from mdk.care_areas.domain import CareArea, Competence, Label, NhvUnit
from mdk.care_areas.service import care_areas, competences
from mdk.config import LOCALES
from mdk.db import matching_any
from mdk.extensions import db
from mdk.people.models import ROLES, Absence, Person, PersonCompetence, RoleGrant
from mdk.units.models import Unit
from mdk.units.service import UNKNOWN_UNIT, Cleaner, clean_fields, get_unit
from mdk.validation import (
    FIRST_YEAR,
    LAST_YEAR,
    ConflictError,
    FieldError,
    clean_bool,
    clean_email,
    clean_hsa_id,
    clean_id,
    clean_text,
    parse_day,
)

PERSON_FIELDS: dict[str, Cleaner] = {
    "name": lambda v: clean_text(v, "name", max_length=200),
    "email": clean_email,
    "hsa_id": lambda v: clean_hsa_id(v, "hsa_id", required=False),
    "title": lambda v: clean_text(v, "title", max_length=200, required=False),
    "unit_id": lambda v: clean_id(v, "unit_id", UNKNOWN_UNIT),
    "active": lambda v: clean_bool(v, "active"),
}
PERSON_DEFAULTS = {"hsa_id": None, "title": None, "active": True}
WORKING_DAYS = (1, 2, 3, 4, 5)  # ISO weekdays Monday-Friday
PAGE_SIZE = 50


@dataclass(frozen=True)
class PersonPage:
    people: list[Person]
    page: int
    pages: int
    total: int


# --- people ---------------------------------------------------------------------------------

def list_people(query: str | None = None, unit_id: int | None = None) -> list[Person]:
    statement = (select(Person).join(Person.unit)
                 .options(selectinload(Person.unit), selectinload(Person.competences),
                          selectinload(Person.role_grants))
                 .order_by(Person.name, Person.id))
    if unit_id is not None:
        statement = statement.where(Person.unit_id == unit_id)
    search = matching_any(query, Person.name, Person.email, Unit.name, Unit.short_name)
    if search is not None:
        statement = statement.where(search)
    return list(db.session.scalars(statement))


def people_page(areas: frozenset[str] | None, query: str | None = None, page: int = 1,
                per_page: int = PAGE_SIZE, without_roles: bool = False) -> PersonPage:
    """One page of people, by name. `areas`: only the people of these care areas (staff of
    their NHV units and holders of a role in them, as the access policy counts a person's
    areas); None: everyone. `without_roles`: only those holding no role (registered at
    their first OIDC login, say). Three statements whatever the page holds."""
    conditions = [clause for clause in (
        None if areas is None else _of_areas(areas),
        matching_any(query, Person.name, Person.email, Unit.name, Unit.short_name),
        ~Person.role_grants.any() if without_roles else None,
    ) if clause is not None]
    count = select(func.count(Person.id)).join(Person.unit).where(*conditions)
    total = db.session.scalar(count) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = (select(Person).join(Person.unit).where(*conditions)
            .options(selectinload(Person.unit), selectinload(Person.competences),
                     selectinload(Person.role_grants))
            .order_by(Person.name, Person.id).limit(per_page).offset((page - 1) * per_page))
    return PersonPage(people=list(db.session.scalars(rows)), page=page, pages=pages,
                      total=total)


def _of_areas(areas: frozenset[str]):
    if not areas:
        return false()
    configured = care_areas()
    hsa_ids = sorted({nhv.hsa_id for key in areas if key in configured
                      for nhv in configured[key].nhv_units})
    with_role = select(RoleGrant.person_id).where(RoleGrant.care_area.in_(sorted(areas)))
    return or_(Unit.hsa_id.in_(hsa_ids), Person.id.in_(with_role))


def get_person(person_id: int) -> Person | None:
    return db.session.get(Person, person_id)


def person_by_email(email: str) -> Person | None:
    return db.session.scalar(select(Person).where(Person.email == email.strip().lower()))


def create_person(data: Mapping[str, Any]) -> Person:
    data = dict(data)
    keys = clean_competences(data.pop("competences", []))
    values = clean_fields(PERSON_FIELDS, data, defaults=PERSON_DEFAULTS)
    _check_person_references(values, None)
    person = Person(**values)
    person.competences = [PersonCompetence(competence=key) for key in keys]
    db.session.add(person)
    db.session.commit()
    return person


def update_person(person: Person, data: Mapping[str, Any]) -> Person:
    data = dict(data)
    keys = clean_competences(data.pop("competences")) if "competences" in data else None
    values = clean_fields(PERSON_FIELDS, data, partial=True)
    _check_person_references(values, person.id)
    for name, value in values.items():
        setattr(person, name, value)
    if keys is not None:
        _replace_competences(person, keys)
    db.session.commit()
    return person


def _check_person_references(values: dict, own_id: int | None) -> None:
    if "email" in values:
        taken = db.session.scalar(select(Person.id).where(Person.email == values["email"]))
        if taken is not None and taken != own_id:
            raise ConflictError("email", _l("Another person already has this e-mail address."))
    if values.get("hsa_id") is not None:
        taken = db.session.scalar(select(Person.id).where(Person.hsa_id == values["hsa_id"]))
        if taken is not None and taken != own_id:
            raise ConflictError("hsa_id", _l("Another person already has this HSA-id."))
    if "unit_id" in values and get_unit(values["unit_id"]) is None:
        raise FieldError("unit_id", UNKNOWN_UNIT)


def mail_locale(person: Person) -> str:
    """The language mail to this person is written in: their choice, else Swedish."""
    return person.locale if person.locale in LOCALES else "sv"


def set_mail_preferences(actor: Actor, person: Person, locale: object,
                         informational_mail: object) -> Person:
    """The person's own choice of mail language and of the mails that only inform;
    a change is audited (person.mail_preferences)."""
    if locale not in LOCALES:
        raise FieldError("locale", _l("Choose Swedish or English."))
    values = {"locale": locale,
              "informational_mail": clean_bool(informational_mail, "informational_mail")}
    changed = {name: value for name, value in values.items()
               if getattr(person, name) != value}
    if changed:
        for name, value in changed.items():
            setattr(person, name, value)
        audit.record(actor, "person.mail_preferences", person, details=changed)
        db.session.commit()
    return person


# --- competences ----------------------------------------------------------------------------

def clean_competences(keys: object) -> list[str]:
    """Known competence keys, each once, in the vocabulary's order."""
    if keys is None:
        keys = []
    if isinstance(keys, str) or not isinstance(keys, Iterable):
        raise FieldError("competences", _l("Choose competences from the list."))
    vocabulary = competences()
    chosen = list(keys)
    for key in chosen:
        if key not in vocabulary:
            raise FieldError("competences", _l("Unknown competence: %(key)s.", key=key))
    return [key for key in vocabulary if key in chosen]


def set_competences(person: Person, keys: Iterable[str]) -> Person:
    _replace_competences(person, clean_competences(keys))
    db.session.commit()
    return person


def _replace_competences(person: Person, keys: list[str]) -> None:
    held = {row.competence: row for row in person.competences}
    for key, row in held.items():
        if key not in keys:
            person.competences.remove(row)
    for key in keys:
        if key not in held:
            person.competences.append(PersonCompetence(competence=key))


def competence_labels(keys: Iterable[str], language: str) -> list[str]:
    vocabulary = competences()
    return [vocabulary[key].label(language) if key in vocabulary else key for key in keys]


# --- absences -------------------------------------------------------------------------------

def add_absence(person: Person, first_day: object, last_day: object,
                reason: object = None) -> Absence:
    first = parse_day(first_day, "first_day")
    last = parse_day(last_day, "last_day")
    if last < first:
        raise FieldError("last_day", _l("The last day cannot be before the first day."))
    absence = Absence(first_day=first, last_day=last,
                      reason=clean_text(reason, "reason", max_length=200, required=False))
    person.absences.append(absence)
    db.session.commit()
    return absence


def remove_absence(person: Person, absence_id: int) -> bool:
    """Remove one of the person's absences; False when it is not theirs or already gone."""
    absence = db.session.get(Absence, absence_id)
    if absence is None or absence.person_id != person.id:
        return False
    person.absences.remove(absence)
    db.session.commit()
    return True


# --- role grants ----------------------------------------------------------------------------

def grant_role(person: Person, role: object, care_area: object,
               unit_id: int | None = None) -> RoleGrant:
    """Give `person` a role in a care area, acting for `unit_id` (default: their own unit).

    Granting a role the person already has in that area returns the existing grant.
    """
    if role not in ROLES:
        raise FieldError("role", _l("Unknown role: %(role)s.", role=role))
    care_area_or_error(care_area)
    unit_id = person.unit_id if unit_id is None else clean_id(unit_id, "unit_id", UNKNOWN_UNIT)
    if get_unit(unit_id) is None:
        raise FieldError("unit_id", UNKNOWN_UNIT)
    existing = next((grant for grant in person.role_grants
                     if grant.role == role and grant.care_area == care_area), None)
    if existing is not None:
        existing.unit_id = unit_id
        db.session.commit()
        return existing
    grant = RoleGrant(role=role, care_area=care_area, unit_id=unit_id)
    person.role_grants.append(grant)
    db.session.commit()
    return grant


def revoke_role(person: Person, grant_id: int) -> bool:
    grant = db.session.get(RoleGrant, grant_id)
    if grant is None or grant.person_id != person.id:
        return False
    person.role_grants.remove(grant)
    db.session.commit()
    return True


# --- the competence register ----------------------------------------------------------------

@dataclass(frozen=True)
class RegisterCell:
    competence: Competence
    kind: str  # "quorum" | "secondary_review"
    available: tuple[str, ...]  # names of people holding it who are there
    absent: tuple[str, ...]  # names of people holding it who are away that week

    @property
    def staffed(self) -> bool:
        return bool(self.available)


@dataclass(frozen=True)
class RegisterRow:
    nhv_unit: NhvUnit
    unit: Unit | None  # None: the area file names a unit not yet registered
    meeting_days: tuple[date, ...]
    cells: tuple[RegisterCell, ...]

    @property
    def missing(self) -> tuple[RegisterCell, ...]:
        return tuple(cell for cell in self.cells if not cell.staffed)


def week_days(iso_year: int, iso_week: int) -> tuple[date, ...]:
    """Monday..Sunday of an ISO week; ValueError if the week does not exist."""
    monday = date.fromisocalendar(iso_year, iso_week, 1)
    return tuple(monday + timedelta(days=offset) for offset in range(7))


def meeting_days(area: CareArea, hsa_id: str, iso_year: int, iso_week: int) -> tuple[date, ...]:
    """The days of that week the unit may meet: the weekdays of the area's series it takes
    part in (rotating series, or fixed to this unit); without any, every working day."""
    weekdays = sorted({
        series.weekday for series in area.series
        if series.host_policy.kind != "fixed" or series.host_policy.fixed_unit == hsa_id})
    days = week_days(iso_year, iso_week)
    return tuple(days[weekday - 1] for weekday in (weekdays or WORKING_DAYS))


def register_competences(area: CareArea) -> list[tuple[str, str]]:
    """(competence key, kind) for the register: the quorum, then secondary review."""
    keys = [(key, "quorum") for key in area.quorum]
    keys += [(key, "secondary_review") for key in area.secondary_review
             if key not in area.quorum]
    return keys


def competence_register(area: CareArea, iso_year: int, iso_week: int) -> list[RegisterRow]:
    """Per NHV unit of the area and per quorum (and secondary-review) competence: the active
    people there holding it, split by whether they are away on every meeting day that week.

    Three SQL statements whatever the number of people: units, holders, absences.
    """
    wanted = register_competences(area)
    keys = [key for key, _kind in wanted]
    hsa_ids = [nhv.hsa_id for nhv in area.nhv_units]
    units = {unit.hsa_id: unit for unit in db.session.scalars(
        select(Unit).where(Unit.hsa_id.in_(hsa_ids)))}
    holders = db.session.execute(
        select(Person.id, Person.name, Unit.hsa_id, PersonCompetence.competence)
        .join(Person.unit).join(Person.competences)
        .where(Unit.hsa_id.in_(hsa_ids), Person.active, PersonCompetence.competence.in_(keys))
        .order_by(Person.name, Person.id)).all()
    week = week_days(iso_year, iso_week)
    absences = db.session.execute(
        select(Absence.person_id, Absence.first_day, Absence.last_day)
        .where(Absence.person_id.in_({row.id for row in holders}),
               Absence.first_day <= week[-1], Absence.last_day >= week[0])).all()
    vocabulary = competences()
    rows = []
    for nhv in area.nhv_units:
        days = meeting_days(area, nhv.hsa_id, iso_year, iso_week)
        away = {person_id for person_id in {absence.person_id for absence in absences}
                if all(_is_absent(person_id, day, absences) for day in days)}
        cells = []
        for key, kind in wanted:
            people = [row for row in holders if row.hsa_id == nhv.hsa_id and row.competence == key]
            competence = vocabulary.get(key) or Competence(key=key, label=Label(sv=key, en=key))
            cells.append(RegisterCell(
                competence=competence, kind=kind,
                available=tuple(row.name for row in people if row.id not in away),
                absent=tuple(row.name for row in people if row.id in away)))
        rows.append(RegisterRow(nhv_unit=nhv, unit=units.get(nhv.hsa_id),
                                meeting_days=days, cells=tuple(cells)))
    return rows


def _is_absent(person_id: int, day: date, absences) -> bool:
    return any(a.person_id == person_id and a.first_day <= day <= a.last_day for a in absences)


ISO_WEEK_PATTERN = re.compile(r"([0-9]{4})-W([0-9]{2})")


def parse_iso_week(value: object, field: str = "week") -> tuple[int, int]:
    """'2026-W49' -> (2026, 49); a week that does not exist names the field."""
    match = ISO_WEEK_PATTERN.fullmatch(value) if isinstance(value, str) else None
    try:
        if match is None:
            raise ValueError(value)
        year, week = int(match[1]), int(match[2])
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError(value)
        date.fromisocalendar(year, week, 1)
    except ValueError as exc:
        raise FieldError(field, _l("Enter a week that exists as YYYY-Wnn, e.g. 2026-W49.")) from exc
    return year, week


def format_iso_week(iso_year: int, iso_week: int) -> str:
    return f"{iso_year:04d}-W{iso_week:02d}"


def care_area_or_error(key: object, field: str = "care_area") -> CareArea:
    area = care_areas().get(key) if isinstance(key, str) else None
    if area is None:
        raise FieldError(field, _l("Unknown care area: %(area)s.", area=key))
    return area
