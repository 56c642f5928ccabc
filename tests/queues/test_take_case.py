"""Ta ärendet (issue 11, point 7): a coordinator of the case's care area takes a submitted or
returned case for their unit; that unit's coordinators then see a protected identity before
triage, another unit's do not; audited; refused clearly otherwise."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mdk.access.policy import Principal, may_see_case_identity
from mdk.audit.models import AuditEvent
from mdk.cases import service
from mdk.cases.models import Case
from mdk.extensions import db
from tests.cases.factories import NUMBERS, accept, refer
from tests.queues.factories import return_case
from tests.units.factories import field_error

PNR = f"{NUMBERS[0][:8]}-{NUMBERS[0][8:]}"


def _protected(app, world) -> int:
    with app.app_context():
        return refer(world, protected_identity=True).id


def _take(client, case_id: int, unit_id: object):
    return client.post(f"/cases/{case_id}/take", data={"take-unit_id": unit_id})


def _page(client, case_id: int) -> str:
    response = client.get(f"/cases/{case_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _handling_unit(app, case_id: int) -> int | None:
    with app.app_context():
        return db.session.get(Case, case_id).handling_unit_id


def test_taking_a_protected_case_shows_its_identity_to_that_units_coordinators(app, world,
                                                                               browser):
    case_id = _protected(app, world)
    coordinator = browser(world.people["coordinator"])
    other = browser(world.people["other_coordinator"])
    assert PNR not in _page(coordinator, case_id) and "Nummer0" not in _page(other, case_id)
    response = _take(coordinator, case_id, world.nhv[0].id)
    assert response.status_code == 302 and response.location.endswith(f"/cases/{case_id}")
    page = _page(coordinator, case_id)
    assert PNR in page and "Nummer0" in page
    assert PNR not in _page(other, case_id) and "Nummer0" not in _page(other, case_id)
    assert _handling_unit(app, case_id) == world.nhv[0].id
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "case.take", AuditEvent.object_id == case_id)).one()
        assert event.actor_id == world.people["coordinator"].id
        assert event.details == {"unit_id": world.nhv[0].id, "previous_unit_id": None}
        assert event.patient_id == db.session.get(Case, case_id).patient_id


def test_the_button_is_shown_to_the_areas_coordinators_while_submitted_or_returned(
        app, world, browser):
    with app.app_context():
        submitted = refer(world, number_index=0).id
        returned = return_case(world, refer(world, number_index=1)).id
        accepted = accept(world, refer(world, number_index=2)).id
    coordinator, other = (browser(world.people["coordinator"]),
                          browser(world.people["other_coordinator"]))
    assert f'action="/cases/{submitted}/take"' in _page(other, submitted)
    # Returned: the returning coordinator's unit handles it; another unit may take it over.
    assert f'action="/cases/{returned}/take"' not in _page(coordinator, returned)
    assert f'action="/cases/{returned}/take"' in _page(other, returned)
    assert "/take" not in _page(coordinator, accepted)
    assert "/take" not in _page(browser(world.people["referrer"]), submitted)
    assert "/take" not in _page(browser(world.people["member"]), submitted)


def test_a_coordinator_of_several_units_chooses_the_unit(app, world):
    """One coordinator grant per care area today (people.grant_role moves it); a principal
    holding two is served all the same: both units are offered, the one chosen is taken."""
    person = world.people["coordinator"]
    two_units = Principal(person_id=person.id, grants=frozenset({
        ("coordinator", "analcancer", world.nhv[0].id),
        ("coordinator", "analcancer", world.nhv[2].id)}))
    case = refer(world, protected_identity=True)
    assert {unit.id for unit in service.take_units(two_units, case)} == {
        world.nhv[0].id, world.nhv[2].id}
    service.take_case(world.actor("coordinator"), two_units, case, world.nhv[2].id)
    assert case.handling_unit_id == world.nhv[2].id
    assert [unit.id for unit in service.take_units(two_units, case)] == [world.nhv[0].id]
    assert may_see_case_identity(two_units, case)
    assert not may_see_case_identity(world.principal("coordinator"), case)


def test_taking_it_over_from_another_unit_keeps_the_unit_it_had(app, world, browser):
    case_id = _protected(app, world)
    assert _take(browser(world.people["coordinator"]), case_id, world.nhv[0].id).status_code \
        == 302
    assert _take(browser(world.people["other_coordinator"]), case_id,
                 world.nhv[1].id).status_code == 302
    with app.app_context():
        details = [event.details for event in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "case.take",
                                     AuditEvent.object_id == case_id)
            .order_by(AuditEvent.id))]
    assert details[-1] == {"unit_id": world.nhv[1].id, "previous_unit_id": world.nhv[0].id}
    assert PNR not in _page(browser(world.people["coordinator"]), case_id)


def test_refused_for_a_non_coordinator_and_another_areas_coordinator(app, world, browser):
    case_id = _protected(app, world)
    assert _take(browser(world.people["referrer"]), case_id, world.referring.id) \
        .status_code == 403
    assert _take(browser(world.people["member"]), case_id, world.nhv[3].id).status_code == 403
    assert _take(browser(world.people["crs_coordinator"]), case_id,
                 world.nhv[0].id).status_code == 404
    assert _handling_unit(app, case_id) is None


def test_refused_for_a_case_neither_submitted_nor_returned(app, world, browser):
    with app.app_context():
        accepted = accept(world, refer(world, number_index=0)).id
        draft = refer(world, number_index=1, submit=False).id
    client = browser(world.people["other_coordinator"])
    response = _take(client, accepted, world.nhv[1].id)
    assert response.status_code == 409
    assert "Bara ett inskickat eller återsänt ärende kan tas" in response.get_data(as_text=True)
    assert _handling_unit(app, accepted) == world.nhv[0].id  # set when it was accepted
    assert _take(client, draft, world.nhv[1].id).status_code == 404  # not yet disclosed


@pytest.mark.parametrize("unit", [2**31, 2**31 - 1, "", "abc", "1\x00", -1, "unit_other"])
def test_a_bad_or_foreign_unit_is_refused_at_the_field_and_nothing_changes(app, world,
                                                                           browser, unit):
    case_id = _protected(app, world)
    value = world.nhv[1].id if unit == "unit_other" else unit
    response = _take(browser(world.people["coordinator"]), case_id, value)
    assert response.status_code == 422
    message = field_error(response.get_data(as_text=True), "take-unit_id")
    assert message == "Välj en av enheterna du är koordinator för inom vårdområdet."
    assert _handling_unit(app, case_id) is None
    with app.app_context():
        assert db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "case.take")).first() is None


def test_the_unit_already_handling_it_cannot_take_it_again(app, world, browser):
    case_id = _protected(app, world)
    client = browser(world.people["coordinator"])
    assert _take(client, case_id, world.nhv[0].id).status_code == 302
    response = _take(client, case_id, world.nhv[0].id)
    assert response.status_code == 409
    assert "Den enheten hanterar redan ärendet." in response.get_data(as_text=True)


def test_the_service_refuses_a_reader_without_the_right(app, world):
    from werkzeug.exceptions import Forbidden

    case = refer(world)
    with pytest.raises(Forbidden):
        service.take_case(world.actor("referrer"), world.principal("referrer"), case,
                          world.referring.id)


def test_the_case_page_offers_the_choice_of_unit_when_there_are_several(app, world):
    from flask import g, render_template

    from mdk.cases import views

    person = world.people["coordinator"]
    two_units = Principal(person_id=person.id, grants=frozenset({
        ("coordinator", "analcancer", world.nhv[0].id),
        ("coordinator", "analcancer", world.nhv[2].id)}))
    case = refer(world)
    with app.test_request_context("/"):
        g.principal = two_units
        html = render_template("cases/_take_form.html", case=case,
                               take_form=views._take_form(case))
        g.principal = world.principal("coordinator")
        single = render_template("cases/_take_form.html", case=case,
                                 take_form=views._take_form(case))
    assert '<select id="take-unit_id" name="take-unit_id">' in html
    assert f'value="{world.nhv[0].id}"' in html and f'value="{world.nhv[2].id}"' in html
    assert "<select" not in single
    assert f'<input type="hidden" name="take-unit_id" value="{world.nhv[0].id}">' in single
