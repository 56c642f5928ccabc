"""The steps to an issued report, as the services take them."""

from __future__ import annotations

from mdk.extensions import db
from mdk.reports import service
from tests.care_plans.factories import established


def issued(world, case):
    """The case's care plan established (its protocol signed first): the report issued."""
    established(world, case)
    return service.current_report(case)


def read(world, case, report, who: str, form: str = "page"):
    return service.read_report(world.actor(who), world.principal(who), case, report, form)


def acknowledged(world, case, report, who: str = "referrer"):
    return service.acknowledge(world.actor(who), world.principal(who), case, report,
                               report.revision)


def world_with_report():
    """A fresh world (tests/cases/factories.py) whose meeting, chaired by the host unit's
    member, began five minutes ago with one case, reported: (world, case, report)."""
    from tests.agenda.factories import on_agenda
    from tests.cases.factories import make_world
    from tests.conference_day.factories import start

    world = make_world()
    world.conference.chair_person_id = world.people["host_member"].id
    db.session.commit()
    case = on_agenda(world, 0)
    start(world.conference)
    return world, case, issued(world, case)
