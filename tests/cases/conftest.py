"""Shared fixtures of the case page tests: the world of units, people and meetings, and a
browser per person."""

from __future__ import annotations

import pytest

from tests.cases.factories import make_world
from tests.support import log_in


@pytest.fixture()
def world(app):
    with app.app_context():
        yield make_world()


class _Browser:
    """A test client whose every request runs in an app context of its own, as in a real
    server: the world's context stays open in these tests, and a request run inside it
    would share its `g` (the cached principal) with the other requests."""

    def __init__(self, app, person) -> None:
        self.app, self.client = app, app.test_client()
        log_in(self.client, person)

    def get(self, *args, **kwargs):
        with self.app.app_context():
            return self.client.get(*args, **kwargs)

    def post(self, *args, **kwargs):
        with self.app.app_context():
            return self.client.post(*args, **kwargs)


@pytest.fixture()
def browser(app):
    """`browser(person)`: a client logged in as that person, posting without CSRF tokens."""
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        yield lambda person: _Browser(app, person)
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
