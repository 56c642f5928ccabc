"""Fixtures: one app and database per test session, a rolled-back transaction per test.

MDK_TEST_DB=sqlite (default) or postgresql picks the engine; PostgreSQL tests run in a
schema of their own in the `test` database and drop it afterwards.
"""

from __future__ import annotations

import os

import flask_migrate
import pytest
from flask_sqlalchemy.session import Session as FlaskSession
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from mdk import create_app
from mdk.extensions import db
from tests.mail_guard import MailGuard
from tests.support import (
    ADMIN_EMAIL,
    ADMIN_ORGANISATION_NUMBER,
    ADMIN_UNIT_HSA_ID,
    DEMO_OUTPUT,
    count_statements,
    fresh_database,
    log_in,
)

hypothesis_settings.register_profile(
    "ci", max_examples=30, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
hypothesis_settings.register_profile(
    "dev", max_examples=150, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def make_app(database_url: str, instance_dir, **overrides):
    config = {"env": "test", "database_url": database_url, "instance_dir": str(instance_dir),
              "base_url": "http://localhost", "secret_key": "test-secret"}
    config.update(overrides)
    return create_app(config)


@pytest.fixture(scope="session")
def plain_app(tmp_path_factory):
    """The session's app on an empty (migrated) database."""
    folder = tmp_path_factory.mktemp("db")
    with fresh_database(folder) as url:
        application = make_app(url, tmp_path_factory.mktemp("instance"))
        with application.app_context():
            flask_migrate.upgrade()
        yield application
        with application.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def demo_app(tmp_path_factory):
    """A second app whose database holds `mdk demo load`'s data, loaded once per session
    (loading it takes seconds, and some seventy tests read it); each test's changes are
    rolled back as on the empty one. `demo_output(app)` is what the load printed."""
    folder = tmp_path_factory.mktemp("demo-db")
    with fresh_database(folder) as url:
        application = make_app(url, tmp_path_factory.mktemp("demo-instance"))
        with application.app_context():
            flask_migrate.upgrade()
            from mdk.demo.service import load_demo
            application.extensions[DEMO_OUTPUT] = load_demo()
            db.session.commit()
            db.session.remove()
        yield application
        with application.app_context():
            db.engine.dispose()


def uses_demo_data(request) -> bool:
    """A test runs on the demo database when it is marked `demo_data` or asks (directly or
    through another fixture) for the `demo` fixture."""
    return (request.node.get_closest_marker("demo_data") is not None
            or "demo" in request.fixturenames)


@pytest.fixture()
def app(request):
    """The app of this test: the empty database's, or the demo database's (uses_demo_data)."""
    return request.getfixturevalue("demo_app" if uses_demo_data(request) else "plain_app")


class _ConnectionBoundSession(FlaskSession):
    """Flask-SQLAlchemy's Session picks the app's engine and ignores `bind=`; honour it, so
    every statement of the test runs on the test's connection (and is rolled back)."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return bind or self.bind or super().get_bind(mapper, clause, bind, **kwargs)


@pytest.fixture(autouse=True)
def _rollback(request, app):
    """Bind every session of this test to one outer transaction and roll it back after.

    Service code may commit freely: commits release savepoints inside the outer transaction.
    """
    if request.node.get_closest_marker("e2e") or request.node.get_closest_marker("own_database"):
        yield
        return
    with app.app_context():
        connection = db.engine.connect()
    outer = connection.begin()
    if connection.dialect.name == "sqlite":
        # pysqlite defers BEGIN; without it the first SAVEPOINT opens the transaction and
        # its RELEASE (a service's commit) would really commit.
        connection.exec_driver_sql("BEGIN")
    original = db.session
    db.session = db._make_scoped_session(
        {"bind": connection, "join_transaction_mode": "create_savepoint",
         "class_": _ConnectionBoundSession}
    )
    try:
        yield
    finally:
        for leftover in list(db.session.registry.registry.values()):
            leftover.close()  # sessions of contexts still open in the test
        db.session = original
        outer.rollback()
        connection.close()


_MAIL_GUARD = MailGuard()


@pytest.fixture(autouse=True)
def _no_patient_data_in_mail(request, _rollback, app):
    """Fail the test if any mail it queued or delivered holds an identity number or a
    patient's name (DESIGN.md §5; tests/mail_guard.py). Runs before the rollback, on the
    test's own transaction; one query when the outbox is empty. Browser tests check their
    live server's mail instead (tests/e2e/conftest.py)."""
    yield
    if request.node.get_closest_marker("e2e"):
        return
    server = request.node.funcargs.get("mail_server")  # tests/outbox: a real SMTP server
    with app.app_context():
        findings = _MAIL_GUARD.findings(db.session, app.config["MDK"].instance_path / "mail",
                                        getattr(server, "messages", ()))
    if findings:
        pytest.fail("patient data in mail:\n" + "\n".join(findings), pytrace=False)


@pytest.fixture()
def app_ctx(app):
    """An application context for calling services and models directly."""
    with app.app_context() as ctx:
        yield ctx


@pytest.fixture()
def anonymous_client(app):
    """A browser nobody has logged in with."""
    return app.test_client()


@pytest.fixture()
def admin_user(app):
    """A person with the admin and coordinator roles in every care area (rolled back after)."""
    with app.app_context():
        return _make_admin()


def _make_admin():
    from mdk.care_areas.service import care_areas
    from mdk.people import service as people
    from mdk.units import service as units

    provider = units.create_provider({"name": "Testregionen", "is_private": False,
                                      "organisation_number": ADMIN_ORGANISATION_NUMBER})
    unit = units.create_unit({"name": "Testenheten", "short_name": "TEST",
                              "hsa_id": ADMIN_UNIT_HSA_ID, "provider_id": provider.id,
                              "mailbox": "testenheten@example.se", "phone": "08-123 456 78",
                              "active": True})
    person = people.create_person({"name": "Test Administratör", "email": ADMIN_EMAIL,
                                   "unit_id": unit.id})
    for area in care_areas():
        people.grant_role(person, "admin", area, unit.id)
        people.grant_role(person, "coordinator", area, unit.id)
    db.session.commit()
    return person


@pytest.fixture()
def client(app, admin_user):
    """A browser logged in as `admin_user` (most page tests are about the page, not access)."""
    test_client = app.test_client()
    log_in(test_client, admin_user)
    return test_client


@pytest.fixture()
def runner(app):
    return app.test_cli_runner()


@pytest.fixture()
def statement_counter(app):
    """`with statement_counter() as counted:` counts the SQL statements of the block."""
    with app.app_context():
        engine = db.engine
    return lambda: count_statements(engine)
