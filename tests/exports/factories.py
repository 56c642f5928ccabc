"""A world with cases discussed and reported, through the services: the case world
(tests/cases/factories.py), its meeting begun and chaired by the host unit's member, three
cases on it (the third patient with a protected identity), each protocol signed and report
issued; a registrar of each area at the first NHV unit."""

from __future__ import annotations

from mdk.exports import service
from mdk.extensions import db
from tests.agenda.factories import on_agenda
from tests.cases.factories import AREA, OTHER_AREA, _person, make_world
from tests.conference_day.factories import start
from tests.reports.factories import issued
from tests.treatment.factories import recorded

CASES = 3
PROTECTED_INDEX = 2


def discussed_world():
    world = make_world()
    world.people["registrar"] = _person(world.nhv[0], "registrar")
    world.people["crs_registrar"] = _person(world.nhv[0], "registrar", OTHER_AREA)
    world.conference.chair_person_id = world.people["host_member"].id
    db.session.commit()
    cases = [on_agenda(world, index) for index in range(CASES)]
    cases[PROTECTED_INDEX].patient.protected_identity = True
    db.session.commit()
    start(world.conference)
    for case in cases:
        issued(world, case)
    recorded(world, cases[0])
    recorded(world, cases[1], adherence="deviated", deviation_reason="patient_declined")
    return world, cases


def meeting_day(world) -> str:
    return service.local_day_of(world.conference.starts_at).isoformat()


def request(world, **changes) -> dict:
    day = meeting_day(world)
    return {"care_area": AREA, "period_from": day, "period_to": day,
            "purpose": "Inrapportering till Svenska analcancerregistret 2026", **changes}


def research_request(world, **changes) -> dict:
    return {**request(world), "purpose": "Studie av ledtider", "study_name": "Ledtidsstudien",
            "ethics_reference": "2024-01234-01", **changes}


def register_export(world, who: str = "registrar", **changes):
    return service.make_register_export(world.actor(who), world.principal(who),
                                        request(world, **changes))


def research_extract(world, who: str = "coordinator", **changes):
    return service.make_research_extract(world.actor(who), world.principal(who),
                                         research_request(world, **changes))
