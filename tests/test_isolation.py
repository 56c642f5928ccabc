"""Each test's writes are rolled back, even when service code commits (both engines)."""

from sqlalchemy import func, select

from mdk.extensions import db
from mdk.units import service
from mdk.units.models import CareProvider


def test_a_commit_inside_a_test_is_visible_within_it(app_ctx):
    service.create_provider({"name": "Region Isolering", "organisation_number": "232100-0016"})
    assert db.session.scalar(select(func.count(CareProvider.id))) == 1


def test_the_next_test_does_not_see_the_previous_tests_commit(app_ctx):
    assert db.session.scalar(select(func.count(CareProvider.id))) == 0
