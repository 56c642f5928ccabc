"""The steps to a reported case and its treatment record, as the services take them."""

from __future__ import annotations

from mdk.treatment import service
from tests.cases.factories import _person
from tests.reports.factories import issued

# The unit the protocol factory names to treat (tests/protocols/factories.py): nhv[1].
TREATING_INDEX = 1


def add_treating_staff(world) -> None:
    if "treating_staff" not in world.people:
        world.people["treating_staff"] = _person(world.nhv[TREATING_INDEX], "member")


def reported_case(world, case):
    issued(world, case)
    return case


def recorded(world, case, who: str = "referrer", **data):
    values = {"outcome": "started", "started_on": service.local_day(
        case.conference.starts_at).isoformat(), "adherence": "followed", **data}
    return service.record(world.actor(who), world.principal(who), case, values)
