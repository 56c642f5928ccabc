"""Small factories for providers, units and people, and a care area made for tests.

Call them inside an app context. They go through the services, like real input does.
"""

from __future__ import annotations

import html
import itertools
import re

from mdk.care_areas.domain import CareArea, HostPolicy, Label, MeetingSeriesConfig, NhvUnit
from mdk.people import service as people_service
from mdk.people.models import Person
from mdk.units import service as units_service
from mdk.units.models import CareProvider, Unit

_sequence = itertools.count(1)

# Organisation numbers that pass the Luhn check (real regions' public numbers).
ORGANISATION_NUMBERS = ("232100-0016", "232100-0131", "232100-0255", "232100-0024")

TEST_AREA_KEY = "testarea"
NHV_A = "SE2321000016-TA01"
NHV_B = "SE2321000131-TA02"


def make_test_area(weekday: int | None = 2) -> CareArea:
    """Two NHV units; quorum oncologist, radiologist, surgeon; review adds the pathologist;
    one rotating series on `weekday` (None: no series)."""
    series = () if weekday is None else (MeetingSeriesConfig(
        key="national", name=Label(sv="Nationell MDK", en="National MDT"), weekday=weekday,
        start="08:00", duration_minutes=90, case_slot_minutes=10, cutoff_days=2,
        cutoff_time="12:00", host_policy=HostPolicy(kind="rotating", rotation="per_meeting")),)
    return CareArea(
        key=TEST_AREA_KEY, name=Label(sv="Testområde", en="Test area"), source_file="test.toml",
        nhv_units=(NhvUnit(NHV_A, "Testenheten A", "TA", "#112233"),
                   NhvUnit(NHV_B, "Testenheten B", "TB", "#445566")),
        national_mdk=True, licence_critical=("oncologist",), licence_other=(),
        critical_equipment=(), quorum=("oncologist", "radiologist", "surgeon"),
        quorum_when_needed=("pathologist",), secondary_review=("radiologist", "pathologist"),
        series=series)


def make_provider(**overrides) -> CareProvider:
    data = {"name": f"Region Test {next(_sequence)}",
            "organisation_number": _free_organisation_number(), "is_private": False}
    data.update(overrides)
    return units_service.create_provider(data)


def _free_organisation_number() -> str:
    for number in itertools.chain(ORGANISATION_NUMBERS, _luhn_numbers()):
        if units_service.provider_by_organisation_number(number) is None:
            return number
    raise AssertionError("no free organisation number")


def _luhn_numbers():
    from mdk.validation import luhn_ok

    for n in range(5560000000, 5570000000):
        if luhn_ok(str(n)):
            yield f"{str(n)[:6]}-{str(n)[6:]}"


def make_unit(provider: CareProvider | None = None, **overrides) -> Unit:
    provider = provider or make_provider()
    n = next(_sequence)
    data = {"name": f"Testkliniken {n}", "short_name": f"TK{n}",
            "hsa_id": f"SE{provider.organisation_number.replace('-', '')}-U{n}",
            "provider_id": provider.id, "mailbox": f"mdk{n}@region.example",
            "phone": "08-123 456 78"}
    data.update(overrides)
    return units_service.create_unit(data)


def make_person(unit: Unit | None = None, **overrides) -> Person:
    unit = unit or make_unit()
    n = next(_sequence)
    data = {"name": f"Test Person {n}", "email": f"person{n}@region.example",
            "unit_id": unit.id, "competences": []}
    data.update(overrides)
    return people_service.create_person(data)


def field_error(page: str, field_id: str) -> str | None:
    """The error text shown next to a form field (macros.field), or None."""
    match = re.search(rf'<p class="field-error" id="{re.escape(field_id)}-error">(.*?)</p>',
                      page, re.S)
    return html.unescape(match[1]) if match else None
