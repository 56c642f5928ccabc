"""`mdk users create`: creates or updates a person and grants the role; refuses bad input."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from mdk.extensions import db
from mdk.people.models import Person, RoleGrant
from tests.units.factories import TEST_AREA_KEY, make_person, make_unit

ARGS = ["users", "create", "--email", "Admin@Region.Example", "--name", "Ada Admin",
        "--unit", "SE2321000016-U1", "--role", "admin", "--area", TEST_AREA_KEY]


@pytest.fixture()
def unit(app):
    with app.app_context():
        return make_unit(hsa_id="SE2321000016-U1", short_name="KS").id


def test_users_create_creates_the_person_with_the_role(app, runner, unit, with_test_area):
    result = runner.invoke(args=ARGS)
    assert result.exit_code == 0, result.output
    assert "created admin@region.example (Ada Admin)" in result.output
    with app.app_context():
        person = db.session.scalar(select(Person))
        assert [(g.role, g.care_area, g.unit_id) for g in person.role_grants] == [
            ("admin", TEST_AREA_KEY, unit)]


def test_users_create_updates_an_existing_person(app, runner, unit, with_test_area):
    with app.app_context():
        make_person(email="admin@region.example", name="Gammalt Namn")
    result = runner.invoke(args=ARGS)
    assert result.exit_code == 0 and "updated admin@region.example" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Person.id))) == 1
        assert db.session.scalar(select(Person.name)) == "Ada Admin"


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--unit", "SE2321000016-NONE", "no unit with HSA-id"),
    ("--area", "nowhere", "unknown care area 'nowhere'"),
    ("--role", "superuser", "unknown role 'superuser'"),
])
def test_users_create_refuses_unknown_input_with_exit_code_2(app, runner, unit, with_test_area,
                                                            option, value, message):
    args = list(ARGS)
    args[args.index(option) + 1] = value
    result = runner.invoke(args=args)
    assert result.exit_code == 2
    assert message in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(RoleGrant.id))) == 0
        assert db.session.scalar(select(func.count(Person.id))) == 0


def test_users_create_refuses_a_bad_email_with_exit_code_2(app, runner, unit, with_test_area):
    args = list(ARGS)
    args[args.index("--email") + 1] = "not-an-address"
    result = runner.invoke(args=args)
    assert result.exit_code == 2 and "email" in result.output
