"""The statistics tests: the hand-built dataset (tests/stats/factories.py) and a browser."""

from __future__ import annotations

import pytest

from tests.cases.conftest import browser  # noqa: F401
from tests.stats.factories import build


@pytest.fixture()
def dataset(app):
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "en"}):
        yield build()
