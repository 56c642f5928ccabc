"""People pages: list, create/edit with competences, field errors; absences and roles."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from mdk.extensions import db
from mdk.people import service
from mdk.people.models import Absence, Person, RoleGrant
from tests.support import ADMIN_EMAIL
from tests.units.factories import TEST_AREA_KEY, field_error, make_person, make_unit


def _count(model) -> int:
    """Rows of `model` other than the logged-in test admin's own."""
    query = select(func.count(model.id))
    if model is Person:
        query = query.where(Person.email != ADMIN_EMAIL)
    elif model in (Absence, RoleGrant):
        query = query.join(Person, model.person_id == Person.id).where(Person.email != ADMIN_EMAIL)
    return db.session.scalar(query)


@pytest.fixture()
def unit_id(app):
    with app.app_context():
        return make_unit(name="Akademiska sjukhuset", short_name="AS").id


def _form(unit: int, /, **changes) -> dict:
    data = {"name": "Karin Ek", "email": "Karin.Ek@Region.Example", "hsa_id": "",
            "title": "Överläkare", "unit_id": str(unit),
            "competences": ["oncologist", "radiation_oncologist"], "active": "y"}
    data.update(changes)
    return data


def test_list_people_shows_email_unit_swedish_competences_and_roles(app, client,
                                                                    with_test_area):
    with app.app_context():
        person = make_person(make_unit(short_name="SUS"), name="Nils Holm",
                             competences=["radiologist"])
        service.grant_role(person, "coordinator", TEST_AREA_KEY)
    page = client.get("/people").get_data(as_text=True)
    assert "Nils Holm" in page and "SUS" in page
    assert "Radiolog (bild- och funktionsmedicin)" in page
    assert "Koordinator (Testområde)" in page


def test_list_people_runs_the_same_number_of_statements_for_5_and_50_people(
        app, client, statement_counter, with_test_area):
    def count_for(total: int) -> int:
        with app.app_context():
            units = [make_unit(), make_unit()]
            while _count(Person) < total:
                person = make_person(units[_count(Person) % 2],
                                     competences=["oncologist", "surgeon"])
                service.grant_role(person, "member", TEST_AREA_KEY)
        with statement_counter() as counted:
            assert client.get("/people").status_code == 200
        return counted.count

    assert count_for(5) == count_for(50)


def _names_on(page: str) -> list[str]:
    return re.findall(r'<a href="/people/\d+">(Sida [^<]+)</a>', page)


def test_people_list_is_paged_and_keeps_the_search_across_pages(app, client):
    with app.app_context():
        unit = make_unit()
        for n in range(service.PAGE_SIZE + 10):
            make_person(unit, name=f"Sida {n:03d}")
        make_person(unit, name="Annan Person")
    first = client.get("/people?q=sida").get_data(as_text=True)
    assert len(_names_on(first)) == service.PAGE_SIZE and "Annan Person" not in first
    assert "Personer: 60" in first and "Sida 1 av 2" in first
    assert 'href="/people?page=2&amp;q=sida"' in first
    second = client.get("/people?page=2&q=sida").get_data(as_text=True)
    assert _names_on(second) == [f"Sida {n:03d}" for n in range(50, 60)]
    assert 'href="/people?page=1&amp;q=sida"' in second


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99999999999999999999", "\x00"])
def test_people_list_with_a_bad_page_number_shows_the_first_page(client, page):
    response = client.get("/people", query_string={"page": page})
    assert response.status_code == 200


def test_people_list_page_runs_the_same_statements_for_one_page_or_three(
        app, client, statement_counter):
    def count_for(total: int) -> int:
        with app.app_context():
            unit = make_unit()
            while _count(Person) < total:
                person = make_person(unit, competences=["oncologist"])
                service.grant_role(person, "member", "analcancer")
        with statement_counter() as counted:
            assert client.get("/people?page=2").status_code == 200
        return counted.count

    assert count_for(3) == count_for(2 * service.PAGE_SIZE + 5)


@pytest.mark.demo_data
def test_people_page_of_care_areas_holds_whom_the_policy_lets_their_staff_see(app_ctx):
    from mdk.access import policy

    everyone = service.list_people()
    for areas in ({"analcancer"}, {"crs_hipec"}, {"analcancer", "crs_hipec"}):
        principal = policy.Principal(person_id=-1, grants=frozenset(
            ("member", area, everyone[0].unit_id) for area in areas))
        expected = [person.id for person in policy.visible(principal, "person.view", everyone)]
        paged = service.people_page(frozenset(areas), per_page=1000)
        assert [person.id for person in paged.people] == expected
        assert paged.total == len(expected)


def test_create_person_saves_lower_case_email_and_competences(app, form_client, unit_id):
    response = form_client.post("/people/new", data=_form(unit_id), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Karin Ek är sparad." in page
    assert "Onkolog, Strålonkolog" in page
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.email != ADMIN_EMAIL))
        assert person.email == "karin.ek@region.example"
        assert person.competence_keys == ["oncologist", "radiation_oncologist"]


HSA_MESSAGE = "Ett HSA-id är SE, ett tiosiffrigt organisationsnummer"
BAD_PERSON_INPUT = [
    ("name", "", "Fyll i fältet."),
    ("email", "", "Fyll i fältet."),
    ("email", "karin.ek@", "Ange en giltig e-postadress"),
    ("email", "karin ek@region.se", "Ange en giltig e-postadress"),
    ("hsa_id", "se2321000016-P1", HSA_MESSAGE),
    ("hsa_id", "SE2321000016-" + "P" * 19, HSA_MESSAGE),
    ("hsa_id", "SE2321000016P1", HSA_MESSAGE),
    ("hsa_id", "SE232100001６-P1", HSA_MESSAGE),
    ("hsa_id", "SE2321000016-P1\n", HSA_MESSAGE),
    ("unit_id", "", "Välj en enhet i listan."),
    ("unit_id", "999999", "Välj en enhet i listan."),
    ("unit_id", "x", "Välj en enhet i listan."),
    ("competences", ["oncologist", "astrologer"], "Okänd kompetens: astrologer."),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_PERSON_INPUT)
def test_create_person_with_bad_field_shows_error_next_to_it_and_saves_nothing(
        app, form_client, unit_id, field, value, message):
    response = form_client.post("/people/new", data=_form(unit_id, **{field: value}))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in (field_error(page, field) or "")
    if field != "name":
        assert 'value="Karin Ek"' in page  # what was typed is kept
    with app.app_context():
        assert _count(Person) == 0


def test_create_person_with_duplicate_email_in_other_case_saves_nothing(
        app, form_client, unit_id):
    with app.app_context():
        make_person(email="karin.ek@region.example")
    response = form_client.post("/people/new", data=_form(unit_id))
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "email") == \
        "En annan person har redan denna e-postadress."
    with app.app_context():
        assert _count(Person) == 1


def test_create_person_with_duplicate_hsa_id_saves_nothing(app, form_client, unit_id):
    with app.app_context():
        make_person(hsa_id="SE2321000016-P1")
    response = form_client.post("/people/new", data=_form(unit_id, hsa_id="SE2321000016-P1"))
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "hsa_id") == \
        "En annan person har redan detta HSA-id."
    with app.app_context():
        assert _count(Person) == 1


def test_edit_person_replaces_the_competences(app, form_client, unit_id):
    with app.app_context():
        person_id = make_person(competences=["oncologist", "surgeon"]).id
    response = form_client.post(f"/people/{person_id}/edit",
                                data=_form(unit_id, competences=["surgeon", "pathologist"]))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Person, person_id).competence_keys == ["pathologist", "surgeon"]


def test_edit_person_shows_the_held_competences_checked(app, client):
    with app.app_context():
        person_id = make_person(competences=["dietitian"]).id
    page = client.get(f"/people/{person_id}/edit").get_data(as_text=True)
    assert re.search(r'<input checked [^>]*value="dietitian"', page)
    assert not re.search(r'<input checked [^>]*value="surgeon"', page)


def test_edit_person_with_unknown_competence_changes_nothing(app, form_client, unit_id):
    with app.app_context():
        person_id = make_person(name="Originalet", competences=["oncologist"]).id
    response = form_client.post(f"/people/{person_id}/edit",
                                data=_form(unit_id, name="Nytt", competences=["astrologer"]))
    assert response.status_code == 422
    with app.app_context():
        person = db.session.get(Person, person_id)
        assert (person.name, person.competence_keys) == ("Originalet", ["oncologist"])


# --- absences -------------------------------------------------------------------------------

@pytest.fixture()
def person_id(app):
    with app.app_context():
        return make_person(name="Eva Strand").id


def test_add_absence_shows_it_with_swedish_days_and_week(app, form_client, person_id):
    response = form_client.post(f"/people/{person_id}/absences", follow_redirects=True, data={
        "absence-first_day": "2026-12-01", "absence-last_day": "2026-12-04",
        "absence-reason": "Kurs"})
    page = response.get_data(as_text=True)
    assert "tis 1 dec 2026 · v. 49" in page and "fre 4 dec 2026 · v. 49" in page
    assert "Kurs" in page


@pytest.mark.parametrize(("field", "first", "last", "message"), [
    ("last_day", "2026-12-04", "2026-12-01", "Sista dagen kan inte vara före första dagen."),
    ("first_day", "2026-02-30", "2026-03-02", "Ange ett datum som finns, som ÅÅÅÅ-MM-DD."),
    ("last_day", "2026-03-02", "2.3.2026", "Ange ett datum som finns, som ÅÅÅÅ-MM-DD."),
    ("first_day", "", "2026-03-02", "Ange ett datum som finns, som ÅÅÅÅ-MM-DD."),
])
def test_add_bad_absence_shows_error_next_to_the_day_and_saves_nothing(
        app, form_client, person_id, field, first, last, message):
    response = form_client.post(f"/people/{person_id}/absences", data={
        "absence-first_day": first, "absence-last_day": last, "absence-reason": "Semester"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_error(page, f"absence-{field}") == message
    assert 'value="Semester"' in page
    with app.app_context():
        assert _count(Absence) == 0


def test_remove_absence_deletes_it(app, form_client, person_id):
    with app.app_context():
        person = db.session.get(Person, person_id)
        absence_id = service.add_absence(person, "2026-12-01", "2026-12-02").id
    response = form_client.post(f"/people/{person_id}/absences/{absence_id}/delete")
    assert response.status_code == 302
    with app.app_context():
        assert _count(Absence) == 0


def test_remove_someone_elses_absence_is_a_404_and_keeps_it(app, form_client, person_id):
    with app.app_context():
        other = make_person()
        absence_id = service.add_absence(other, "2026-12-01", "2026-12-02").id
    response = form_client.post(f"/people/{person_id}/absences/{absence_id}/delete")
    assert response.status_code == 404
    with app.app_context():
        assert _count(Absence) == 1


# --- roles ----------------------------------------------------------------------------------

def test_grant_role_on_the_person_page_saves_it(app, form_client, person_id, with_test_area):
    response = form_client.post(f"/people/{person_id}/roles", follow_redirects=True, data={
        "role-role": "reviewer", "role-care_area": TEST_AREA_KEY, "role-unit_id": ""})
    assert "Eftergranskare · Testområde" in response.get_data(as_text=True)
    with app.app_context():
        grant = db.session.scalar(
            select(RoleGrant).join(RoleGrant.person).where(Person.email != ADMIN_EMAIL))
        assert grant.unit_id == db.session.get(Person, person_id).unit_id


@pytest.mark.parametrize(("field", "value", "message"), [
    ("role", "superuser", "Okänd roll: superuser."),
    ("care_area", "nowhere", "Okänt vårdområde: nowhere."),
    ("unit_id", "999999", "Välj en enhet i listan."),
])
def test_grant_bad_role_shows_error_next_to_the_field_and_saves_nothing(
        app, form_client, person_id, with_test_area, field, value, message):
    data = {"role-role": "member", "role-care_area": TEST_AREA_KEY, "role-unit_id": ""}
    data[f"role-{field}"] = value
    response = form_client.post(f"/people/{person_id}/roles", data=data)
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), f"role-{field}") == message
    with app.app_context():
        assert _count(RoleGrant) == 0


def test_granting_the_same_role_twice_keeps_one_grant(app_ctx, with_test_area):
    person = make_person()
    service.grant_role(person, "member", TEST_AREA_KEY)
    service.grant_role(person, "member", TEST_AREA_KEY)
    assert _count(RoleGrant) == 1


def test_revoke_role_removes_it(app, form_client, person_id, with_test_area):
    with app.app_context():
        grant_id = service.grant_role(db.session.get(Person, person_id), "member",
                                      TEST_AREA_KEY).id
    assert form_client.post(f"/people/{person_id}/roles/{grant_id}/delete").status_code == 302
    with app.app_context():
        assert _count(RoleGrant) == 0


def test_show_unknown_person_is_a_404(client):
    assert client.get("/people/999999").status_code == 404


def test_absence_service_refuses_last_day_before_first(app_ctx):
    from mdk.validation import FieldError

    person = make_person()
    with pytest.raises(FieldError) as raised:
        service.add_absence(person, date(2026, 12, 4), date(2026, 12, 1))
    assert raised.value.field == "last_day"
