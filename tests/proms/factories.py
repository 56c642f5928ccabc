"""The steps to a reported case's PROM follow-up, as the services take them."""

from __future__ import annotations

from mdk.proms import recording, service
from tests.care_plans import factories as care_plan
from tests.protocols import factories as protocol
from tests.treatment.factories import add_treating_staff

# The area file's PROM schedule of an anal cancer care plan (config/care_areas/analcancer.toml).
AREA_POINTS = 4


def reported_with_points(world, case, rows: list[dict]):
    """The case reported from a care plan whose PROM schedule is `rows`."""
    add_treating_staff(world)
    protocol.signed(world, case)
    plan = care_plan.opened(world, case)
    plan = care_plan.saved(world, case, plan, {**plan.values, **care_plan.OWN_SECTIONS,
                                               "prom": rows})
    care_plan.establish(world, case, plan)
    return case


def recorded_prom(world, case, position: int = 1, who: str = "treating_staff", **data):
    values = {"status": "done", "completed_on": service.today().isoformat(), **data}
    return recording.record(world.actor(who), world.principal(who), case, position, values)


def dates_recorded(world, case, who: str = "treating_staff", **days):
    return recording.record_dates(world.actor(who), world.principal(who), case, days)


def row(case, position: int):
    return next(one for one in service.follow_ups_of(case) if one.position == position)
