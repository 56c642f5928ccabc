"""Material, meetings and areas for the readiness tests, on top of tests/cases/factories.

Items are made as rows (the material feature's own service and forms have their own tests):
what is judged here is what the rows say. Call inside an app context.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from mdk.care_areas.service import EXTENSION_KEY, care_area
from mdk.cases.models import Case
from mdk.conferences.models import Conference
from mdk.extensions import db
from mdk.material.gate import cutoff_of
from mdk.material.models import TRANSFERRED_KINDS, MaterialAvailability, MaterialItem
from mdk.people import service as people
from mdk.units.models import Unit
from tests.cases.factories import OTHER_AREA, World, _nhv_unit, refer
from tests.units.factories import make_unit

STOCKHOLM = ZoneInfo("Europe/Stockholm")
CRS_ANSWERS = {"primary_tumour": "colorectal", "previously_operated": False,
               "who_performance_status": 1}


def meeting(host: Unit, day: date, *, area: str = "analcancer", series: str = "national",
            capacity: int = 9, hour: int = 8, status: str = "planned",
            planned_day: date | None = None) -> Conference:
    """A meeting on `day` at `hour`:00 Swedish time (planned for `planned_day`, if moved)."""
    starts = datetime.combine(day, time(hour), tzinfo=STOCKHOLM)
    planned = planned_day or day
    # The series may already plan a meeting that day (the case world's, a week and two
    # ahead, fall on a Wednesday when the tests run on one): this one then counts as moved
    # there from the day before, as the planned day is unique in a series.
    while db.session.scalar(select(Conference.id).where(
            Conference.care_area == area, Conference.series_key == series,
            Conference.planned_day == planned)) is not None:
        planned -= timedelta(days=1)
    conference = Conference(care_area=area, series_key=series, planned_day=planned,
                            starts_at=starts, ends_at=starts + timedelta(minutes=90),
                            host_unit_id=host.id, capacity=capacity, status=status)
    db.session.add(conference)
    db.session.commit()
    return conference


def wednesday_after(days: int, start: date | None = None) -> date:
    """The first Wednesday at least `days` days after `start` (today)."""
    day = (start or date.today()) + timedelta(days=days)
    return day + timedelta(days=(2 - day.weekday()) % 7)


def item(case: Case, key: str | None, *, kind: str | None = None,
         examined_on: date | None = None, reference: str | None = None,
         at: tuple[Unit, str] | list[tuple[Unit, str]] = (), required: bool | None = None,
         label: str | None = None) -> MaterialItem:
    """One material row of the case: a checklist entry (`key`) or an extra item."""
    entry = care_area(case.care_area).material_item(key) if key else None
    # Accepting a case already made the (empty) rows of the entries reviewed at the host.
    row = db.session.scalar(select(MaterialItem).where(
        MaterialItem.case_id == case.id, MaterialItem.checklist_key == key)) if key else None
    if row is None:
        row = MaterialItem(case_id=case.id, checklist_key=key)
        db.session.add(row)
    row.kind = kind or (entry.kind if entry else "other")
    row.label = label
    row.required = entry.required if required is None and entry else bool(required)
    row.examined_on, row.reference = examined_on, reference
    db.session.flush()
    for unit, status in ([at] if isinstance(at, tuple) and at else list(at)):
        # A task that followed its case to another host already requested the item there.
        there = row.availability_at(unit.id)
        if there is None:
            there = MaterialAvailability(item_id=row.id, unit_id=unit.id)
            db.session.add(there)
        there.status, there.status_on = status, date.today()
    db.session.commit()
    db.session.expire(case, ["material_items"])
    db.session.expire(row)
    return row


def complete(case: Case, host: Unit, day: date, *, status: str = "available",
             skip: tuple[str, ...] = ()) -> None:
    """Every checklist entry of the case's area given, dated `day`, at `host`."""
    for entry in care_area(case.care_area).material_checklist:
        if entry.key not in skip:
            item(case, entry.key, examined_on=day, reference=f"REF-{entry.key}",
                 at=(host, status))


def make_available(case: Case, unit: Unit, status: str = "available") -> None:
    """Every image and slide item of the case available at `unit` too."""
    for row in case.material_items:
        if row.kind not in TRANSFERRED_KINDS:
            continue
        # Requested there already when a review task followed the case to `unit`.
        there = row.availability_at(unit.id)
        if there is None:
            there = MaterialAvailability(item_id=row.id, unit_id=unit.id)
            db.session.add(there)
        if there.status in (None, "requested"):
            there.status, there.status_on = status, date.today()
    db.session.commit()
    db.session.expire(case, ["material_items"])


def crs_setup(world: World) -> tuple[list[Unit], Unit]:
    """The CRS/HIPEC area's NHV units and a referrer of world.referring in it; returns the
    units and the first one (host of series "as")."""
    area = care_area(OTHER_AREA)
    units = [_nhv_unit(unit.hsa_id, unit.name, unit.short_name) for unit in area.nhv_units]
    people.grant_role(world.people["referrer"], "referrer", OTHER_AREA, world.referring.id)
    db.session.commit()
    return units, units[0]


def crs_case(world: World, number_index: int = 3) -> Case:
    return refer(world, care_area=OTHER_AREA, answers=dict(CRS_ANSWERS),
                 number_index=number_index)


def set_gate(monkeypatch, area_key: str, gate: str) -> None:
    """The area's gate setting for this test only (the loaded CareArea is frozen)."""
    areas = current_app.extensions[EXTENSION_KEY]
    monkeypatch.setitem(areas, area_key, dataclasses.replace(areas[area_key], gate=gate))


def after_cutoff(conference: Conference, minutes: int = 1) -> datetime:
    return cutoff_of(conference) + timedelta(minutes=minutes)


def cases_on(conference: Conference) -> list[Case]:
    return list(db.session.scalars(select(Case).where(Case.conference_id == conference.id)))


__all__ = ["make_unit"]
