"""A four-unit care area made for calendar tests, staffed in the database, and helpers.

Call inside an app context. `use_areas` makes the given areas the only loaded ones, so
extend_calendars() works on them alone.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import select

from mdk.audit.models import AuditEvent
from mdk.audit.service import system_actor
from mdk.care_areas.domain import CareArea, HostPolicy, Label, MeetingSeriesConfig, NhvUnit
from mdk.care_areas.service import EXTENSION_KEY
from mdk.conferences import service
from mdk.conferences.models import Conference
from mdk.extensions import db
from mdk.people.models import Person
from mdk.units import service as units_service
from mdk.units.models import Unit
from tests.units.factories import make_person, make_provider

AREA_KEY = "caltest"
# (HSA-id, short name): the rotation order.
UNITS = (("SE2321000016-CT01", "KS"), ("SE2321000131-CT02", "SU"),
         ("SE2321000255-CT03", "SUS"), ("SE2321000024-CT04", "AS"))
HSA_IDS = tuple(hsa_id for hsa_id, _short in UNITS)
QUORUM = ("oncologist", "surgeon", "radiologist")
REVIEW = ("radiologist", "pathologist")
ACTOR = system_actor()


def make_area(policy: HostPolicy | None = None, *, weekday: int = 2, start: str = "08:00",
              on_holiday: str = "skip") -> CareArea:
    series = MeetingSeriesConfig(
        key="national", name=Label(sv="Nationell test-MDK", en="National test MDT"),
        weekday=weekday, start=start, duration_minutes=90, case_slot_minutes=10,
        cutoff_days=2, cutoff_time="12:00", on_holiday=on_holiday,
        host_policy=policy or HostPolicy(kind="rotating", rotation="per_meeting"))
    return CareArea(
        key=AREA_KEY, name=Label(sv="Kalendertest", en="Calendar test"),
        source_file="caltest.toml",
        nhv_units=tuple(NhvUnit(hsa_id, f"Testsjukhuset {short}", short, "#123456")
                        for hsa_id, short in UNITS),
        national_mdk=True, licence_critical=("oncologist",), licence_other=(),
        critical_equipment=(), quorum=QUORUM, quorum_when_needed=("pathologist",),
        secondary_review=REVIEW, series=(series,))


def use_areas(app, monkeypatch, *areas: CareArea) -> None:
    monkeypatch.setitem(app.extensions, EXTENSION_KEY, {area.key: area for area in areas})


def staff_units() -> dict[str, Unit]:
    """The four NHV units, each with one person per quorum and review competence."""
    units = {}
    for hsa_id, short in UNITS:
        number = f"{hsa_id[2:8]}-{hsa_id[8:12]}"
        provider = (units_service.provider_by_organisation_number(number)
                    or make_provider(organisation_number=number))
        unit = units_service.create_unit({
            "name": f"Testsjukhuset {short}", "short_name": short, "hsa_id": hsa_id,
            "provider_id": provider.id, "mailbox": f"{short.lower()}@region.example",
            "phone": "08-123 456 78"})
        for competence in dict.fromkeys(QUORUM + REVIEW):
            make_person(unit, name=f"{short} {competence}", competences=[competence])
        units[hsa_id] = unit
    return units


def holder(unit: Unit, competence: str) -> Person:
    return db.session.scalar(select(Person).where(Person.unit_id == unit.id,
                                                  Person.name == f"{unit.short_name} "
                                                                    f"{competence}"))


def conferences(area_key: str = AREA_KEY) -> list[Conference]:
    return list(db.session.scalars(select(Conference).where(Conference.care_area == area_key)
                                   .order_by(Conference.starts_at)))


def hosts(rows: list[Conference]) -> list[str | None]:
    return [row.host_unit.short_name if row.host_unit else None for row in rows]


def extend(today: date, months: int = 2) -> list[Conference]:
    service.extend_calendars(today=today, horizon_months=months)
    return conferences()


def audit_actions(object_id: int) -> list[str]:
    return list(db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "conference",
                                        AuditEvent.object_id == object_id)
        .order_by(AuditEvent.id)))


def with_policy(area: CareArea, **policy) -> CareArea:
    series = replace(area.series[0], host_policy=HostPolicy(**policy))
    return replace(area, series=(series,))
