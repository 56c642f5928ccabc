"""Factories for the calendar page tests: the NHV unit rows of a care area, meetings on given
days, people with a role. Call them inside an app context."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from mdk.care_areas.service import care_areas
from mdk.conferences.cadence import local_span
from mdk.conferences.models import Conference
from mdk.extensions import db
from mdk.people import service as people_service
from mdk.people.models import Person
from mdk.units import service as units_service
from mdk.units.models import Unit
from tests.units.factories import make_person, make_provider, make_unit

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def area_units(area_key: str = "analcancer") -> dict[str, Unit]:
    """The area's NHV units as rows, by short name (KS, SU, SUS, AS for anal cancer)."""
    rows = {}
    for nhv in care_areas()[area_key].nhv_units:
        unit = units_service.unit_by_hsa_id(nhv.hsa_id)
        if unit is None:
            number = f"{nhv.hsa_id[2:8]}-{nhv.hsa_id[8:12]}"
            provider = (units_service.provider_by_organisation_number(number)
                        or make_provider(organisation_number=number))
            unit = make_unit(provider, name=nhv.name, short_name=nhv.short_name,
                             hsa_id=nhv.hsa_id)
        rows[nhv.short_name] = unit
    return rows


def unit_ids(area_key: str = "analcancer") -> dict[str, int]:
    """area_units() as ids, to carry out of an app context."""
    return {name: unit.id for name, unit in area_units(area_key).items()}


def make_conference(host: Unit | int | None, day: date, start: str = "08:00", *,
                    area_key: str = "analcancer", series_key: str = "national",
                    minutes: int = 90, **fields) -> Conference:
    starts_at, ends_at = local_span(day, start, minutes, STOCKHOLM)
    values = {"planned_day": day, "capacity": 9, "status": "planned"}
    values.update(fields)
    host_unit_id = host.id if isinstance(host, Unit) else host
    conference = Conference(care_area=area_key, series_key=series_key, starts_at=starts_at,
                            ends_at=ends_at, host_unit_id=host_unit_id, **values)
    db.session.add(conference)
    db.session.commit()
    return conference


def make_member(area_key: str = "analcancer", role: str = "member") -> Person:
    """A person who may read the area's calendar but not edit it."""
    person = make_person()
    people_service.grant_role(person, role, area_key)
    db.session.commit()
    return person


def local_start(conference: Conference) -> datetime:
    return conference.starts_at.astimezone(STOCKHOLM)
