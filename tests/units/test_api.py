"""REST API for providers, units and people: JSON in, 4xx problems naming the field."""

from __future__ import annotations

from sqlalchemy import func, select

from mdk.extensions import db
from mdk.people.models import Person
from mdk.units.models import Unit
from tests.support import ADMIN_EMAIL, ADMIN_UNIT_HSA_ID
from tests.units.factories import NHV_A, TEST_AREA_KEY, make_person, make_provider, make_unit


def _unit_json(provider_id: int, **changes) -> dict:
    data = {"name": "Kirurgkliniken", "short_name": "KK", "hsa_id": "SE2321000016-K1",
            "provider_id": provider_id, "mailbox": "kk@region.example", "phone": "08-123 45"}
    data.update(changes)
    return data


def test_api_create_unit_answers_201_with_the_unit(app, client):
    with app.app_context():
        provider_id = make_provider().id
    response = client.post("/api/v1/units", json=_unit_json(provider_id))
    assert response.status_code == 201
    assert response.json["hsa_id"] == "SE2321000016-K1" and response.json["active"] is True


def test_api_create_unit_with_bad_hsa_id_is_422_naming_the_field(app, client):
    with app.app_context():
        provider_id = make_provider().id
    response = client.post("/api/v1/units", json=_unit_json(provider_id, hsa_id="se1-K1"))
    assert response.status_code == 422
    assert "hsa_id" in response.json["errors"]["json"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Unit.id)).where(
            Unit.hsa_id != ADMIN_UNIT_HSA_ID)) == 0


def test_api_create_unit_with_duplicate_hsa_id_is_409_naming_the_field(app, client):
    with app.app_context():
        provider_id = make_unit(hsa_id="SE2321000016-K1").provider_id
    response = client.post("/api/v1/units", json=_unit_json(provider_id))
    assert response.status_code == 409
    assert list(response.json["errors"]["json"]) == ["hsa_id"]


def test_api_create_unit_with_wrong_type_is_422_naming_the_field(app, client):
    response = client.post("/api/v1/units", json=_unit_json("one"))
    assert response.status_code == 422
    assert "provider_id" in response.json["errors"]["json"]


def test_api_list_units_filters_nhv_units(app, client, with_test_area):
    with app.app_context():
        make_unit(hsa_id=NHV_A)
        make_unit(name="Remiss")
    body = client.get("/api/v1/units?kind=nhv").json
    assert [unit["hsa_id"] for unit in body] == [NHV_A]
    assert body[0]["nhv_areas"] == [TEST_AREA_KEY]


def test_api_list_units_with_unknown_kind_is_422(client):
    response = client.get("/api/v1/units?kind=hospital")
    assert response.status_code == 422
    assert "kind" in response.json["errors"]["query"]


def test_api_patch_unit_changes_only_the_given_field(app, client):
    with app.app_context():
        unit = make_unit(name="Före", city="Lund")
        unit_id = unit.id
    response = client.patch(f"/api/v1/units/{unit_id}", json={"name": "Efter"})
    assert response.status_code == 200
    assert (response.json["name"], response.json["city"]) == ("Efter", "Lund")


def test_api_get_unknown_unit_is_404(client):
    assert client.get("/api/v1/units/999999").status_code == 404


def test_api_create_provider_with_bad_luhn_is_422_naming_the_field(client):
    response = client.post("/api/v1/providers", json={
        "name": "Testkliniken AB", "organisation_number": "556000-0018"})
    assert response.status_code == 422
    assert "organisation_number" in response.json["errors"]["json"]


def test_api_create_person_stores_lower_case_email_and_competences(app, client):
    with app.app_context():
        unit_id = make_unit().id
    response = client.post("/api/v1/people", json={
        "name": "Per Persson", "email": "Per@Region.Example", "unit_id": unit_id,
        "competences": ["surgeon"]})
    assert response.status_code == 201
    assert response.json["email"] == "per@region.example"
    assert response.json["competences"] == ["surgeon"]


def test_api_create_person_with_unknown_competence_is_422_and_saves_nothing(app, client):
    with app.app_context():
        unit_id = make_unit().id
    response = client.post("/api/v1/people", json={
        "name": "Per Persson", "email": "per@region.example", "unit_id": unit_id,
        "competences": ["astrologer"]})
    assert response.status_code == 422
    assert "competences" in response.json["errors"]["json"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Person.id)).where(
            Person.email != ADMIN_EMAIL)) == 0


def test_api_patch_person_with_taken_email_is_409(app, client):
    with app.app_context():
        make_person(email="taken@region.example")
        person_id = make_person().id
    response = client.patch(f"/api/v1/people/{person_id}", json={"email": "TAKEN@region.example"})
    assert response.status_code == 409
    assert "email" in response.json["errors"]["json"]


def test_api_list_people_shows_competences_and_roles(app, client, with_test_area):
    from mdk.people import service

    with app.app_context():
        person = make_person(competences=["oncologist"])
        service.grant_role(person, "member", TEST_AREA_KEY)
    body = [row for row in client.get("/api/v1/people").json if row["email"] != ADMIN_EMAIL]
    assert body[0]["competences"] == ["oncologist"]
    assert body[0]["role_grants"][0]["role"] == "member"
