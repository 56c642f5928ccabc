"""Care-provider pages: organisation number with Luhn check, HSA-id, uniqueness."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from mdk.extensions import db
from mdk.units.models import CareProvider
from tests.support import ADMIN_ORGANISATION_NUMBER
from tests.units.factories import field_error, make_provider

ORG_MESSAGE = "Ett organisationsnummer är 10 siffror, NNNNNN-NNNN, med giltig kontrollsiffra."


def _provider_count() -> int:
    return db.session.scalar(select(func.count(CareProvider.id)).where(
        CareProvider.organisation_number != ADMIN_ORGANISATION_NUMBER))


def _form(**changes) -> dict:
    data = {"name": "Cityklinikens kirurgmottagning AB", "organisation_number": "556000-0019",
            "hsa_id": "", "is_private": "y"}
    data.update(changes)
    return data


def test_create_provider_saves_it_with_a_normalised_organisation_number(app, form_client):
    response = form_client.post("/providers/new", data=_form(organisation_number="5560000019"))
    assert response.status_code == 302
    with app.app_context():
        provider = db.session.scalar(select(CareProvider).where(
            CareProvider.organisation_number != ADMIN_ORGANISATION_NUMBER))
        assert provider.organisation_number == "556000-0019"
        assert provider.is_private is True and provider.hsa_id is None


def test_list_providers_shows_name_and_organisation_number(app, client):
    with app.app_context():
        make_provider(name="Region Skåne", organisation_number="232100-0255")
    page = client.get("/providers").get_data(as_text=True)
    assert "Region Skåne" in page and "232100-0255" in page


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", "", "Fyll i fältet."),
    ("organisation_number", "", "Fyll i fältet."),
    ("organisation_number", "556000-0018", ORG_MESSAGE),  # Luhn check digit wrong
    ("organisation_number", "55600-00016", ORG_MESSAGE),
    ("organisation_number", "556000-001９", ORG_MESSAGE),  # full-width digit
    ("hsa_id", "se5560000019-1", "Ett HSA-id är SE"),
])
def test_create_provider_with_bad_field_shows_error_next_to_it_and_saves_nothing(
        app, form_client, field, value, message):
    response = form_client.post("/providers/new", data=_form(**{field: value}))
    assert response.status_code == 422
    assert message in (field_error(response.get_data(as_text=True), field) or "")
    with app.app_context():
        assert _provider_count() == 0


def test_create_provider_with_duplicate_organisation_number_saves_nothing(app, form_client):
    with app.app_context():
        make_provider(organisation_number="556000-0019")
    response = form_client.post("/providers/new", data=_form())
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "organisation_number") == \
        "En annan vårdgivare har redan detta organisationsnummer."
    with app.app_context():
        assert _provider_count() == 1


def test_edit_provider_with_bad_organisation_number_changes_nothing(app, form_client):
    with app.app_context():
        provider_id = make_provider(name="Region Uppsala", organisation_number="232100-0024").id
    response = form_client.post(f"/providers/{provider_id}/edit",
                                data=_form(name="Nytt", organisation_number="232100-0025"))
    assert response.status_code == 422
    with app.app_context():
        provider = db.session.get(CareProvider, provider_id)
        assert (provider.name, provider.organisation_number) == ("Region Uppsala", "232100-0024")
