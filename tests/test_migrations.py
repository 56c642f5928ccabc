"""The migrations build exactly the schema the models describe, on the engine of this run."""

from __future__ import annotations

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from mdk.extensions import db
from tests.conftest import make_app
from tests.support import fresh_database


@pytest.fixture()
def empty_app(tmp_path):
    with fresh_database(tmp_path) as url:
        application = make_app(url, tmp_path / "instance")
        with application.app_context():
            yield application
            db.engine.dispose()


def _differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_upgrade_from_empty_matches_the_models(empty_app):
    flask_migrate.upgrade()
    assert _differences() == []


def test_downgrade_to_base_then_upgrade_again_works(empty_app):
    flask_migrate.upgrade()
    flask_migrate.downgrade(revision="base")
    assert "units" not in inspect(db.engine).get_table_names()
    flask_migrate.upgrade()
    assert {"care_providers", "units", "people", "person_competences", "absences",
            "role_grants"} <= set(inspect(db.engine).get_table_names())
