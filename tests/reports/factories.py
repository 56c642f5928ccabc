"""The steps to an issued report, as the services take them."""

from __future__ import annotations

from mdk.reports import service
from tests.care_plans.factories import established


def issued(world, case):
    """The case's care plan established (its protocol signed first): the report issued."""
    established(world, case)
    return service.current_report(case)


def read(world, case, report, who: str, form: str = "page"):
    return service.read_report(world.actor(who), world.principal(who), case, report, form)


def acknowledged(world, case, report, who: str = "referrer"):
    return service.acknowledge(world.actor(who), world.principal(who), case, report)
