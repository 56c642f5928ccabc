"""The coordinator's decision on a case the gate held: the case page shows the verdict;
take it onto the meeting anyway (with a reason), defer it or return it; offered only then."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from mdk.cases import service
from mdk.cases.models import Case
from mdk.extensions import db
from mdk.material import gate
from mdk.material.models import ReadinessCheck
from mdk.validation import ConflictError
from tests.cases.factories import accept, refer
from tests.material_gate.factories import after_cutoff, complete, meeting
from tests.units.factories import field_error


@pytest.fixture()
def held(app, world):
    """(world, case id, meeting): a case held at its meeting's cut-off, PAD missing."""
    day = date.today() + timedelta(days=10)
    day += timedelta(days=(2 - day.weekday()) % 7)
    conference = meeting(world.nhv[0], day)
    case = accept(world, refer(world), conference_id=conference.id)
    complete(case, world.nhv[0], date.today(), skip=("pad_p16",))
    gate.run_gate(after_cutoff(conference))
    assert service.held_at_cutoff(case)
    return world, case.id, conference


def _actions(world, case, who="coordinator") -> set[str]:
    return {move.action for move in service.possible_moves(world.principal(who), case)}


def test_take_anyway_and_return_are_offered_only_for_a_held_case(app, world):
    case = accept(world, refer(world))
    assert {"ready_anyway", "return"}.isdisjoint(_actions(world, case))
    assert "defer" in _actions(world, case)
    for action in ("ready_anyway", "return"):
        with pytest.raises(ConflictError) as refused:
            service.move_case(world.actor("coordinator"), world.principal("coordinator"),
                              case, action, {"reason": "Tas upp ändå"})
        assert refused.value.field == "state"
    assert db.session.get(Case, case.id).state == "accepted"


def test_a_submitted_case_can_still_be_returned(app, world):
    case = refer(world)
    assert "return" in _actions(world, case)


def test_a_held_case_offers_the_decision_to_the_coordinator_only(held):
    world, case_id, _conference = held
    case = db.session.get(Case, case_id)
    assert {"ready_anyway", "return", "defer"} <= _actions(world, case)
    assert "ready_anyway" not in _actions(world, case, "referrer")


def test_the_case_page_shows_the_hold_and_what_was_missing(app, held, browser):
    world, case_id, _conference = held
    page = browser(world.people["coordinator"]).get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Kvarhållet vid anmälningsstoppet" in page
    assert "Saknas: PAD inkl. p16." in page
    assert "Ta upp på mötet ändå" in page and f"/cases/{case_id}/moves/ready_anyway" in page
    page = browser(world.people["referrer"]).get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Saknas: PAD inkl. p16." in page
    assert "moves/ready_anyway" not in page and "Koordinatorn beslutar" in page


def test_take_anyway_needs_a_reason_naming_the_field(app, held, browser):
    world, case_id, _conference = held
    coordinator = browser(world.people["coordinator"])
    response = coordinator.post(f"/cases/{case_id}/moves/ready_anyway",
                                data={"ready_anyway-reason": "  "})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "ready_anyway-reason")
    with app.app_context():
        assert db.session.get(Case, case_id).state == "accepted"
        check = db.session.scalar(select(ReadinessCheck).where(
            ReadinessCheck.case_id == case_id))
        assert check.decided_at is None


def test_take_anyway_with_a_reason_makes_it_ready_and_decides_the_hold(app, held, browser):
    world, case_id, conference = held
    response = browser(world.people["coordinator"]).post(
        f"/cases/{case_id}/moves/ready_anyway",
        data={"ready_anyway-reason": "PAD finns i regionens system, visas på mötet"})
    assert response.status_code == 302
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert (case.state, case.conference_id) == ("ready", conference.id)
        assert case.transitions[-1].action == "ready_anyway"
        check = db.session.scalar(select(ReadinessCheck).where(
            ReadinessCheck.case_id == case_id))
        assert check.outcome == "held" and check.decided_at is not None
    page = browser(world.people["coordinator"]).get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Beslutat" in page and "moves/ready_anyway" not in page


def test_returning_a_held_case_decides_it_and_takes_it_off_the_agenda(app, held):
    world, case_id, conference = held
    case = db.session.get(Case, case_id)
    service.move_case(world.actor("coordinator"), world.principal("coordinator"), case,
                      "return", {"reason": "Komplettera med PAD"})
    assert case.state == "returned"
    assert service.agenda_size(conference.id) == 0
    check = db.session.scalar(select(ReadinessCheck).where(ReadinessCheck.case_id == case_id))
    assert check.decided_at is not None


def test_an_undecided_hold_stays_visible_after_the_meeting_starts(app, held):
    """Not dropped: the inbox's "not ready at cut-off" (held, decided_at NULL) keeps it."""
    world, case_id, conference = held
    gate.run_gate(conference.starts_at + timedelta(hours=1))
    undecided = db.session.scalars(select(ReadinessCheck.case_id).where(
        ReadinessCheck.outcome == "held", ReadinessCheck.decided_at.is_(None))).all()
    assert undecided == [case_id]
    assert db.session.get(Case, case_id).state == "accepted"


def test_take_anyway_through_the_api_needs_a_reason_and_a_hold(app, held, world):
    from tests.cases.test_api import Api

    world, case_id, _conference = held
    coordinator = Api(app, world.people["coordinator"].id)
    refused = coordinator.post(f"/api/v1/cases/{case_id}/moves",
                               json={"action": "ready_anyway"})
    assert refused.status_code == 422 and "reason" in refused.json["errors"]["json"]
    with app.app_context():
        other = accept(world, refer(world, number_index=4))
        other_id = other.id
    conflict = coordinator.post(f"/api/v1/cases/{other_id}/moves",
                                json={"action": "ready_anyway", "reason": "Ändå"})
    assert conflict.status_code == 409 and "state" in conflict.json["errors"]["json"]
    taken = coordinator.post(f"/api/v1/cases/{case_id}/moves",
                             json={"action": "ready_anyway", "reason": "Visas på mötet"})
    assert taken.status_code == 200 and taken.json["state"] == "ready"


def test_a_returned_case_accepted_again_onto_the_same_meeting_is_judged_afresh(app, held):
    world, case_id, conference = held
    case = db.session.get(Case, case_id)
    service.move_case(world.actor("coordinator"), world.principal("coordinator"), case,
                      "return", {"reason": "Komplettera med PAD"})
    service.move_case(world.actor("referrer"), world.principal("referrer"), case, "submit", {})
    accept(world, case, conference_id=conference.id)  # late, but the meeting has not started
    assert not service.held_at_cutoff(case)
    complete(case, world.nhv[0], date.today(), skip=tuple(
        key for key in ("clinical_tumour_status", "mri_pelvis", "pet_ct", "tnm")))
    gate.run_gate(after_cutoff(conference, 5))
    assert case.state == "ready"
    assert db.session.scalars(select(ReadinessCheck.outcome).where(
        ReadinessCheck.case_id == case_id)).all() == ["ready"]
