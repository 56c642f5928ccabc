"""The case tests' world and browsers, and a CRS/HIPEC corner of it (a referrer, a
coordinator and a meeting hosted by its first NHV unit)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mdk.care_areas.service import care_area
from mdk.conferences.models import Conference
from mdk.db import utcnow
from mdk.extensions import db
from tests.cases.conftest import browser, world  # noqa: F401 - fixtures shared
from tests.cases.factories import OTHER_AREA, _nhv_unit, _person


@pytest.fixture()
def crs(app, world):  # noqa: F811 - the shared fixture
    """CRS/HIPEC units, people and a meeting in 7 days, hosted by the first NHV unit (in
    the world's app context, still open)."""
    area = care_area(OTHER_AREA)
    units = [_nhv_unit(unit.hsa_id, unit.name, unit.short_name) for unit in area.nhv_units]
    starts = utcnow().replace(microsecond=0) + timedelta(days=7)
    conference = Conference(care_area=OTHER_AREA, series_key=area.series[0].key,
                            planned_day=starts.date(), starts_at=starts,
                            ends_at=starts + timedelta(minutes=60),
                            host_unit_id=units[0].id, capacity=9, status="planned")
    db.session.add(conference)
    db.session.commit()
    world.people["crs_referrer"] = _person(world.referring, "referrer", OTHER_AREA)
    world.people["crs_coordinator_host"] = _person(units[0], "coordinator", OTHER_AREA)
    return {"units": units, "conference": conference}
