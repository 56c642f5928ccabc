"""The steps to a care plan, as the service takes them."""

from __future__ import annotations

from mdk.care_plans import service
from tests.protocols import factories as protocol

# The required sections that neither the protocol nor the area file fill.
OWN_SECTIONS = {"contact_nurse": "Anna Testsköterska, 010-123 45 67",
                "contact_questions": "Dagtid kontaktsjuksköterskan, annars 1177."}


def opened(world, case, who: str = "coordinator"):
    return service.open_draft(world.actor(who), world.principal(who), case)


def saved(world, case, plan, values, who: str = "coordinator"):
    return service.save_draft(world.actor(who), world.principal(who), case, plan, values,
                              plan.version)


def complete(world, case, plan):
    return saved(world, case, plan, {**plan.values, **OWN_SECTIONS})


def establish(world, case, plan, who: str = "coordinator"):
    return service.establish(world.actor(who), world.principal(who), case, plan,
                             plan.version, True)


def established(world, case):
    protocol.signed(world, case)
    return establish(world, case, complete(world, case, opened(world, case)))
