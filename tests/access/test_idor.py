"""Objects outside a user's scope answer 404, exactly like ids that do not exist; 403 only
for objects they may see but not change."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from mdk.care_areas.service import care_areas
from mdk.extensions import db
from mdk.people import service as people
from mdk.people.models import Person, RoleGrant
from mdk.units import service as units
from tests.access.helpers import csrf_token, load_demo_people
from tests.support import log_in


def _person(app, person_id: int) -> Person:
    with app.app_context():
        return db.session.get(Person, person_id)


def _logged_in(app, person_id: int):
    client = app.test_client()
    log_in(client, _person(app, person_id))
    return client


def _staff_of(app, area_key: str, index: int = 0, with_role: bool = False) -> int:
    """A demo person at NHV unit `index` of the area holding no role outside it."""
    with app.app_context():
        unit = units.unit_by_hsa_id(care_areas()[area_key].nhv_units[index].hsa_id)
        return next(person.id for person in people.list_people(unit_id=unit.id)
                    if {grant.care_area for grant in person.role_grants} <= {area_key}
                    and (person.role_grants or not with_role))


@pytest.fixture()
def demo(app):
    return load_demo_people(app)


@pytest.fixture()
def referrer(app, demo):
    """The demo referrer's client, own unit id and another unit's id (with a person there)."""
    with app.app_context():
        own = db.session.get(Person, demo["referrer"]).unit_id
        other = units.unit_by_hsa_id(care_areas()["analcancer"].nhv_units[1].hsa_id)
        other_id, someone = other.id, other.people[0].id
    return _logged_in(app, demo["referrer"]), own, other_id, someone


def test_referrer_opening_another_units_edit_page_gets_404(referrer):
    client, _own, other, _someone = referrer
    assert client.get(f"/units/{other}/edit").status_code == 404


def test_referrer_opening_another_unit_gets_404(referrer):
    client, _own, other, _someone = referrer
    assert client.get(f"/units/{other}").status_code == 404


def test_referrer_posting_to_another_units_edit_page_gets_404(referrer):
    client, _own, other, _someone = referrer
    response = client.post(f"/units/{other}/edit", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 404


def _main(response) -> str:
    return re.search(r"<main.*</main>", response.get_data(as_text=True), re.S)[0]


def test_referrer_sees_the_same_404_for_another_unit_and_a_missing_one(referrer):
    client, _own, other, _someone = referrer
    assert _main(client.get(f"/units/{other}")) == _main(client.get("/units/999999"))


def test_referrer_opening_own_units_edit_page_gets_403(referrer):
    client, own, _other, _someone = referrer
    assert client.get(f"/units/{own}/edit").status_code == 403


def test_referrer_opening_own_unit_sees_it(referrer):
    client, own, _other, _someone = referrer
    assert client.get(f"/units/{own}").status_code == 200


def test_referrer_opening_a_person_at_another_unit_gets_404(referrer):
    client, _own, _other, someone = referrer
    assert client.get(f"/people/{someone}").status_code == 404


def test_referrer_reading_another_unit_by_api_gets_404_problem(referrer):
    client, _own, other, _someone = referrer
    response = client.get(f"/api/v1/units/{other}")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_referrer_patching_another_unit_by_api_gets_404(referrer):
    client, _own, other, _someone = referrer
    assert client.patch(f"/api/v1/units/{other}", json={"phone": "08-1"}).status_code == 404


def test_referrer_reading_a_person_by_api_gets_404(referrer):
    client, _own, _other, someone = referrer
    assert client.get(f"/api/v1/people/{someone}").status_code == 404


def test_referrer_listing_units_by_api_sees_only_own_unit(referrer):
    client, own, _other, _someone = referrer
    assert [unit["id"] for unit in client.get("/api/v1/units").json] == [own]


def test_referrer_listing_units_sees_only_own_unit(app, referrer):
    client, own, other, _someone = referrer
    page = client.get("/units").get_data(as_text=True)
    assert f'href="/units/{own}"' in page
    assert f'href="/units/{other}"' not in page


# --- a coordinator of anal cancer and CRS/HIPEC's people ----------------------------------------

@pytest.fixture()
def coordinator(app, demo):
    """The anal-cancer coordinator's client, a CRS/HIPEC-only person, an anal-cancer person."""
    with app.app_context():
        grants = db.session.get(Person, demo["coordinator"]).role_grants
        areas = {grant.care_area for grant in grants}
    assert areas == {"analcancer"}
    return (_logged_in(app, demo["coordinator"]), _staff_of(app, "crs_hipec"),
            _staff_of(app, "analcancer", 2))


def test_coordinator_opening_a_person_of_another_care_area_gets_404(coordinator):
    client, outsider, _insider = coordinator
    assert client.get(f"/people/{outsider}").status_code == 404


def test_coordinator_editing_a_person_of_another_care_area_gets_404(coordinator):
    client, outsider, _insider = coordinator
    assert client.get(f"/people/{outsider}/edit").status_code == 404


def test_coordinator_adding_an_absence_in_another_care_area_gets_404(app, coordinator):
    client, outsider, _insider = coordinator
    response = client.post(f"/people/{outsider}/absences", data={
        "csrf_token": csrf_token(client), "absence-first_day": "2026-12-01",
        "absence-last_day": "2026-12-02"})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(Person, outsider).absences == []


def test_coordinator_reading_a_person_of_another_care_area_by_api_gets_404(coordinator):
    client, outsider, _insider = coordinator
    assert client.get(f"/api/v1/people/{outsider}").status_code == 404


def test_coordinator_patching_a_person_of_another_care_area_by_api_gets_404(app, coordinator):
    client, outsider, _insider = coordinator
    response = client.patch(f"/api/v1/people/{outsider}", json={"title": "Ändrad"})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(Person, outsider).title != "Ändrad"


def test_coordinator_listing_people_sees_only_own_care_area(coordinator):
    client, outsider, insider = coordinator
    ids = {person["id"] for person in client.get("/api/v1/people").json}
    assert insider in ids and outsider not in ids


def test_coordinator_edits_a_person_of_own_care_area(app, coordinator):
    client, _outsider, insider = coordinator
    response = client.patch(f"/api/v1/people/{insider}", json={"title": "Ändrad"})
    assert response.status_code == 200
    assert response.json["title"] == "Ändrad"


def test_coordinator_moving_a_person_to_another_areas_unit_gets_403_naming_unit(app, coordinator):
    client, _outsider, insider = coordinator
    with app.app_context():
        crs_unit = units.unit_by_hsa_id(care_areas()["crs_hipec"].nhv_units[0].hsa_id).id
    response = client.patch(f"/api/v1/people/{insider}", json={"unit_id": crs_unit})
    assert response.status_code == 403
    assert "unit_id" in response.json["errors"]["json"]


def test_coordinator_granting_a_role_gets_403(coordinator):
    client, _outsider, insider = coordinator
    response = client.post(f"/people/{insider}/roles", data={
        "csrf_token": csrf_token(client), "role-role": "admin", "role-care_area": "analcancer"})
    assert response.status_code == 403


def test_member_opening_the_edit_page_of_a_visible_person_gets_403(app, demo):
    client = _logged_in(app, demo["member"])
    assert client.get(f"/people/{_staff_of(app, 'analcancer', 2)}/edit").status_code == 403


# --- an admin of one care area and role grants of another ---------------------------------------

@pytest.fixture()
def crs_admin(app, demo):
    """A client of a demo admin holding the admin role in CRS/HIPEC only."""
    with app.app_context():
        admin = db.session.get(Person, demo["admin"])
        for grant in [grant for grant in admin.role_grants if grant.care_area != "crs_hipec"]:
            people.revoke_role(admin, grant.id)
    return _logged_in(app, demo["admin"])


def test_admin_granting_a_role_in_another_care_area_gets_a_field_error(app, crs_admin):
    person = _staff_of(app, "analcancer", 1)
    response = crs_admin.post(f"/people/{person}/roles", data={
        "csrf_token": csrf_token(crs_admin), "role-role": "coordinator",
        "role-care_area": "analcancer", "role-unit_id": ""})
    assert response.status_code == 422
    assert "care areas you administer" in response.get_data(as_text=True) or \
        "vårdområden där du är administratör" in response.get_data(as_text=True)
    with app.app_context():
        roles = db.session.scalars(select(RoleGrant.role).where(RoleGrant.person_id == person))
        assert "coordinator" not in list(roles)


def test_admin_revoking_a_role_in_another_care_area_gets_403(app, crs_admin):
    person = _staff_of(app, "analcancer", 1, with_role=True)
    with app.app_context():
        grant = db.session.get(Person, person).role_grants[0]
        assert grant.care_area == "analcancer"
        grant_id = grant.id
    response = crs_admin.post(f"/people/{person}/roles/{grant_id}/delete",
                              data={"csrf_token": csrf_token(crs_admin)})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(RoleGrant, grant_id) is not None


def test_a_coordinator_cannot_deactivate_or_rename_an_admin(app, demo):
    # Found by review: an area coordinator could PATCH the national admin's e-mail and
    # `active`, locking the admin out of every care area.
    coordinator = _logged_in(app, demo["coordinator"])
    response = coordinator.patch(f"/api/v1/people/{demo['admin']}",
                                 json={"active": False, "email": "someone@evil.example"})
    assert response.status_code == 403
    with app.app_context():
        admin = db.session.get(Person, demo["admin"])
        assert admin.active and admin.email == "admin@demo.mdk.example"
    token = csrf_token(coordinator)
    page = coordinator.post(f"/people/{demo['admin']}/edit", data={"csrf_token": token})
    assert page.status_code == 403
