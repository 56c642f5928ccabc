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
def with_test_area(app, monkeypatch):
    """The loaded care areas plus one made for tests (two NHV units, Tuesday meetings)."""
    areas = dict(app.extensions[EXTENSION_KEY])
    areas[TEST_AREA_KEY] = make_test_area()
    monkeypatch.setitem(app.extensions, EXTENSION_KEY, areas)
    return areas[TEST_AREA_KEY]
