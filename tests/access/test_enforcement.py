"""The hook, the object check every object route must make, and what pages show per role."""

from __future__ import annotations

import pytest
from flask import Blueprint, g
from werkzeug.exceptions import Forbidden

from mdk.access.enforcement import check_object_was_authorized, enforce
from mdk.extensions import db
from mdk.people.models import Person
from tests.access.helpers import csrf_token, load_demo_people
from tests.support import log_in
from tests.units.factories import make_person


def _client_for(app, person_id: int):
    with app.app_context():
        person = db.session.get(Person, person_id)
    client = app.test_client()
    log_in(client, person)
    return client


@pytest.fixture()
def no_role_client(app):
    with app.app_context():
        person_id = make_person().id
    return _client_for(app, person_id)


def test_person_without_roles_gets_403_on_the_start_page(no_role_client):
    response = no_role_client.get("/")
    assert response.status_code == 403
    assert "Kontakta din administratör" in response.get_data(as_text=True)


def test_person_without_roles_sees_no_navigation(no_role_client):
    page = no_role_client.get("/").get_data(as_text=True)
    assert 'href="/units"' not in page and 'href="/people"' not in page


def test_person_without_roles_can_log_out(no_role_client):
    response = no_role_client.post("/logout", data={"csrf_token": csrf_token(no_role_client)})
    assert response.status_code == 302
    assert no_role_client.get("/").location.startswith("/login")


@pytest.mark.demo_data
def test_member_sees_no_edit_button_on_a_person_page(app):
    demo = load_demo_people(app)
    page = _client_for(app, demo["member"]).get(f"/people/{demo['member']}")
    assert page.status_code == 200
    assert f'href="/people/{demo["member"]}/edit"' not in page.get_data(as_text=True)


@pytest.mark.demo_data
def test_coordinator_sees_the_edit_button_on_a_person_page(app):
    demo = load_demo_people(app)
    page = _client_for(app, demo["coordinator"]).get(f"/people/{demo['member']}")
    assert f'href="/people/{demo["member"]}/edit"' in page.get_data(as_text=True)


@pytest.mark.demo_data
def test_referrer_navigation_shows_only_what_they_may_open(app):
    demo = load_demo_people(app)
    page = _client_for(app, demo["referrer"]).get("/").get_data(as_text=True)
    assert 'href="/units"' in page and 'href="/care-areas"' in page
    assert 'href="/people"' not in page and 'href="/competence-register"' not in page


def test_route_without_a_matrix_row_is_refused(app, tmp_path):
    from tests.conftest import make_app

    other = make_app(f"sqlite:///{tmp_path / 'x.sqlite3'}", tmp_path)
    blueprint = Blueprint("undeclared", __name__)
    blueprint.add_url_rule("/undeclared", "page", lambda: "open")
    other.register_blueprint(blueprint)
    with other.test_request_context("/undeclared"), pytest.raises(Forbidden):
        enforce()


def test_object_route_answering_without_an_object_check_fails_loudly(app):
    with app.test_request_context("/units/1"):
        g.access_object_pending = True
        with pytest.raises(RuntimeError, match="authorize"):
            check_object_was_authorized(app.response_class("ok"))
