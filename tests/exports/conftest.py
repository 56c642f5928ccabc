"""The export tests share one discussed world per test (tests/exports/factories.py)."""

from __future__ import annotations

import pytest

from tests.cases.conftest import browser  # noqa: F401
from tests.exports.factories import discussed_world


@pytest.fixture()
def discussed(app):
    """(world, cases): three cases discussed at the world's meeting and reported."""
    with app.app_context():
        yield discussed_world()
