"""The units pages: list with NHV badges and filters, create and edit with field errors."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from mdk.extensions import db
from mdk.units.models import Unit
from tests.support import ADMIN_UNIT_HSA_ID
from tests.units.factories import NHV_A, field_error, make_provider, make_unit

HSA_MESSAGE = "Ett HSA-id är SE, ett tiosiffrigt organisationsnummer"


def _unit_count() -> int:
    return db.session.scalar(select(func.count(Unit.id)).where(Unit.hsa_id != ADMIN_UNIT_HSA_ID))


@pytest.fixture()
def provider_id(app):
    with app.app_context():
        return make_provider(name="Region Stockholm", organisation_number="232100-0016").id


def _form(provider: int, /, **changes) -> dict:
    data = {"name": "Tema Cancer, Karolinska", "short_name": "KS", "hsa_id": "SE2321000016-X1",
            "provider_id": str(provider), "mailbox": "mdk.ks@regionstockholm.example",
            "phone": "08-517 700 00", "address": "Eugeniavägen 3", "city": "Solna",
            "active": "y"}
    data.update(changes)
    return data


def test_list_units_shows_provider_hsa_id_mailbox_and_nhv_badge(app, client, with_test_area):
    with app.app_context():
        provider = make_provider(name="Region Stockholm")
        make_unit(provider, name="Testenheten A", hsa_id=NHV_A, mailbox="a@region.example")
    page = client.get("/units").get_data(as_text=True)
    assert "Region Stockholm" in page
    assert NHV_A in page and "a@region.example" in page
    assert "NHV Testområde" in page


def test_list_units_filter_nhv_shows_only_nhv_units(app, client, with_test_area):
    with app.app_context():
        make_unit(name="NHV-kliniken", hsa_id=NHV_A)
        make_unit(name="Remisskliniken")
    page = client.get("/units?kind=nhv").get_data(as_text=True)
    assert "NHV-kliniken" in page and "Remisskliniken" not in page


def test_list_units_filter_referring_shows_only_other_units(app, client, with_test_area):
    with app.app_context():
        make_unit(name="NHV-kliniken", hsa_id=NHV_A)
        make_unit(name="Remisskliniken")
    page = client.get("/units?kind=referring").get_data(as_text=True)
    assert "Remisskliniken" in page and "NHV-kliniken" not in page


def test_list_units_search_matches_provider_name(app, client):
    with app.app_context():
        make_unit(make_provider(name="Cityklinikens kirurgmottagning AB", is_private=True),
                  name="Kirurgmottagningen")
        make_unit(name="Annan klinik")
    page = client.get("/units?q=cityklinik").get_data(as_text=True)
    assert "Kirurgmottagningen" in page and "Annan klinik" not in page


def test_list_units_runs_the_same_number_of_statements_for_3_and_30_units(
        app, client, statement_counter, with_test_area):
    def count_for(total: int) -> int:
        with app.app_context():
            while _unit_count() < total:
                make_unit()
        with statement_counter() as counted:
            assert client.get("/units").status_code == 200
        return counted.count

    assert count_for(3) == count_for(30)


def test_create_unit_saves_it_and_shows_its_page(app, form_client, provider_id):
    response = form_client.post("/units/new", data=_form(provider_id), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enheten Tema Cancer, Karolinska är sparad." in page
    with app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.hsa_id == "SE2321000016-X1"))
        assert unit.city == "Solna" and unit.provider.name == "Region Stockholm"


def test_create_unit_without_csrf_token_is_refused(app, client, provider_id):
    response = client.post("/units/new", data=_form(provider_id))
    assert response.status_code == 400
    with app.app_context():
        assert _unit_count() == 0


BAD_UNIT_INPUT = [
    ("name", "", "Fyll i fältet."),
    ("name", "   ", "Fyll i fältet."),
    ("name", "x" * 201, "Högst 200 tecken."),
    ("short_name", "", "Fyll i fältet."),
    ("hsa_id", "", "Fyll i fältet."),
    ("hsa_id", "se2321000016-X1", HSA_MESSAGE),
    ("hsa_id", "SE2321000016-" + "A" * 19, HSA_MESSAGE),
    ("hsa_id", "SE2321000016X1", HSA_MESSAGE),
    ("hsa_id", "SE２321000016-X1", HSA_MESSAGE),
    ("hsa_id", "SE2321000016-X1\n", HSA_MESSAGE),
    ("mailbox", "", "Fyll i fältet."),
    ("mailbox", "mdk@", "Ange en giltig e-postadress"),
    ("phone", "", "Fyll i fältet."),
    ("phone", "ring växeln", "Ange ett telefonnummer med siffror"),
    ("provider_id", "", "Välj en vårdgivare i listan."),
    ("provider_id", "999999", "Välj en vårdgivare i listan."),
    ("provider_id", "abc", "Välj en vårdgivare i listan."),
    ("city", "x" * 101, "Högst 100 tecken."),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_UNIT_INPUT)
def test_create_unit_with_bad_field_shows_error_next_to_it_and_saves_nothing(
        app, form_client, provider_id, field, value, message):
    response = form_client.post("/units/new", data=_form(provider_id, **{field: value}))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in (field_error(page, field) or "")
    assert 'value="Tema Cancer, Karolinska"' in page or field == "name"  # typed text kept
    with app.app_context():
        assert _unit_count() == 0


def test_create_unit_with_duplicate_hsa_id_shows_error_and_saves_nothing(
        app, form_client, provider_id):
    with app.app_context():
        make_unit(hsa_id="SE2321000016-X1")
    response = form_client.post("/units/new", data=_form(provider_id))
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "hsa_id") == \
        "En annan enhet har redan detta HSA-id."
    with app.app_context():
        assert _unit_count() == 1


def test_edit_unit_with_duplicate_hsa_id_changes_nothing(app, form_client, provider_id):
    with app.app_context():
        make_unit(hsa_id="SE2321000016-TAKEN")
        unit_id = make_unit(name="Originalet", hsa_id="SE2321000016-MINE").id
    response = form_client.post(f"/units/{unit_id}/edit",
                                data=_form(provider_id, name="Nytt namn",
                                           hsa_id="SE2321000016-TAKEN"))
    assert response.status_code == 422
    assert "En annan enhet har redan detta HSA-id." in field_error(
        response.get_data(as_text=True), "hsa_id")
    with app.app_context():
        unit = db.session.get(Unit, unit_id)
        assert (unit.name, unit.hsa_id) == ("Originalet", "SE2321000016-MINE")


def test_edit_unit_saves_the_changes(app, form_client, provider_id):
    with app.app_context():
        unit_id = make_unit(name="Gamla namnet").id
    response = form_client.post(f"/units/{unit_id}/edit",
                                data=_form(provider_id, name="Nya namnet", active=""))
    assert response.status_code == 302
    with app.app_context():
        unit = db.session.get(Unit, unit_id)
        assert unit.name == "Nya namnet" and unit.active is False


def test_show_unknown_unit_is_a_404(client):
    assert client.get("/units/999999").status_code == 404


def test_show_unit_lists_its_people(app, client):
    from tests.units.factories import make_person

    with app.app_context():
        person = make_person(name="Astrid Lind")
        unit_id = person.unit_id
    assert "Astrid Lind" in client.get(f"/units/{unit_id}").get_data(as_text=True)
