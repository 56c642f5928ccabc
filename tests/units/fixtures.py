"""Fixtures shared by the units and people tests."""

from __future__ import annotations

import pytest

from mdk.care_areas.service import EXTENSION_KEY
from tests.support import log_in
from tests.units.factories import TEST_AREA_KEY, make_test_area


@pytest.fixture()
def form_client(app, admin_user):
    """A logged-in test client posting forms without a CSRF token (CSRF is tested separately)."""
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        test_client = app.test_client()
        log_in(test_client, admin_user)
        yield test_client
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


@pytest.fixture()
def with_test_area(request, app, monkeypatch):
    """The loaded care areas plus one made for tests (two NHV units, Tuesday meetings).

    A test's `admin_user` (admin and coordinator in every area) gets its roles here too."""
    areas = dict(app.extensions[EXTENSION_KEY])
    areas[TEST_AREA_KEY] = make_test_area()
    monkeypatch.setitem(app.extensions, EXTENSION_KEY, areas)
    if "admin_user" in request.fixturenames:
        _grant_admin_roles(app, request.getfixturevalue("admin_user"), TEST_AREA_KEY)
    return areas[TEST_AREA_KEY]


def _grant_admin_roles(app, admin, area_key: str) -> None:
    from mdk.extensions import db
    from mdk.people import service as people

    with app.app_context():
        admin = db.session.merge(admin)
        for role in ("admin", "coordinator"):
            people.grant_role(admin, role, area_key, admin.unit_id)
