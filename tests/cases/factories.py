"""A small world for case tests, on the shipped anal cancer area: its four NHV units, a
referring unit with a referrer, a coordinator and a member at NHV units, a coming meeting
hosted by the first NHV unit, and one fictitious patient's identity.

Call inside an app context (the test's transaction rolls it all back).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from mdk.access.policy import Principal, principal_for
from mdk.audit.service import Actor, actor_for
from mdk.care_areas.service import care_area
from mdk.cases import service
from mdk.cases.models import Case
from mdk.conferences.models import Conference
from mdk.db import utcnow
from mdk.extensions import db
from mdk.patients.service import fictitious_identity_numbers
from mdk.people import service as people
from mdk.people.models import Person
from mdk.units.models import Unit
from tests.units.factories import make_person, make_provider, make_unit

AREA = "analcancer"
OTHER_AREA = "crs_hipec"
# Generated, valid and fictitious (never a number from real data).
NUMBERS = fictitious_identity_numbers(20, seed=4242)


@dataclass
class World:
    nhv: list[Unit]
    referring: Unit
    other_referring: Unit
    people: dict[str, Person] = field(default_factory=dict)
    conference: Conference | None = None
    later_conference: Conference | None = None

    def principal(self, who: str) -> Principal:
        return principal_for(self.people[who])

    def actor(self, who: str) -> Actor:
        return actor_for(self.people[who])


def _nhv_unit(hsa_id: str, name: str, short_name: str) -> Unit:
    existing = db.session.scalar(select(Unit).where(Unit.hsa_id == hsa_id))
    if existing is not None:
        return existing
    provider = make_provider()
    return make_unit(provider, hsa_id=hsa_id, name=name, short_name=short_name)


def _person(unit: Unit, role: str | None, area: str = AREA) -> Person:
    person = make_person(unit=unit)
    if role:
        people.grant_role(person, role, area, unit.id)
    db.session.commit()
    return person


def _meeting(host: Unit, days_ahead: int, capacity: int = 9) -> Conference:
    starts = utcnow().replace(microsecond=0) + timedelta(days=days_ahead)
    conference = Conference(care_area=AREA, series_key="national",
                            planned_day=starts.date(), starts_at=starts,
                            ends_at=starts + timedelta(minutes=90), host_unit_id=host.id,
                            capacity=capacity, status="planned")
    db.session.add(conference)
    db.session.commit()
    return conference


def make_world() -> World:
    area = care_area(AREA)
    nhv = [_nhv_unit(unit.hsa_id, unit.name, unit.short_name) for unit in area.nhv_units]
    world = World(nhv=nhv, referring=make_unit(), other_referring=make_unit())
    world.people = {
        "referrer": _person(world.referring, "referrer"),
        "other_referrer": _person(world.other_referring, "referrer"),
        "coordinator": _person(nhv[0], "coordinator"),
        "other_coordinator": _person(nhv[1], "coordinator"),
        "host_member": _person(nhv[0], "member"),
        "treating_member": _person(nhv[2], "member"),
        "member": _person(nhv[3], "member"),
        "reviewer": _person(nhv[3], "reviewer"),
        "crs_coordinator": _person(nhv[0], "coordinator", OTHER_AREA),
        "nobody": _person(world.referring, None),
    }
    world.conference = _meeting(nhv[0], 7)
    world.later_conference = _meeting(nhv[1], 14)
    return world


def referral(number_index: int = 0, **overrides) -> dict:
    """A complete anal cancer referral, as a form or the API would send it."""
    data = {
        "care_area": AREA, "identity_kind": "national",
        "identity_number": NUMBERS[number_index], "given_name": "Testpatient",
        "family_name": f"Nummer{number_index}", "protected_identity": False,
        "question": "Kurativ kemoradioterapi? Bedömning av MR och PET-DT önskas.",
        "case_type": "primary", "priority": "normal", "consent_recorded": True,
        "answers": {"diagnosis_basis": "pad_verified", "histology": "squamous_cell"},
    }
    data.update(overrides)
    return data


def refer(world: World, who: str = "referrer", *, submit: bool = True, **overrides) -> Case:
    data = referral(**overrides)
    data.setdefault("submit", submit)
    return service.register_case(world.actor(who), world.principal(who), data)


def accept(world: World, case: Case, **extra) -> Case:
    data = {"conference_id": world.conference.id, **extra}
    return service.move_case(world.actor("coordinator"), world.principal("coordinator"),
                             case, "accept", data)
