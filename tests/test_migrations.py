"""The migrations build exactly the schema the models describe, on the engine of this run."""

from __future__ import annotations

import re

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


def test_the_in_progress_index_covers_exactly_the_states_in_progress(empty_app):
    """Autogenerate does not compare a partial index's predicate: the migrated one must
    name the states the lists' default names (mdk.cases.workflow.IN_PROGRESS), or the
    default list would no longer walk it."""
    from sqlalchemy import text

    from mdk.cases.workflow import FINAL, IN_PROGRESS

    flask_migrate.upgrade()
    query = ("SELECT sql FROM sqlite_master WHERE name = :name"
             if db.engine.dialect.name == "sqlite" else
             "SELECT indexdef FROM pg_indexes WHERE indexname = :name"
             " AND schemaname = current_schema()")
    with db.engine.connect() as connection:
        definition = connection.execute(text(query),
                                        {"name": "ix_cases_in_progress_queue"}).scalar_one()
    named = set(re.findall(r"'(\w+)'", definition.split("WHERE", 1)[1]))
    assert named == set(IN_PROGRESS) and not named & FINAL


# The head before this session's migrations (registered on behalf, agenda, SEQUENCE).
BEFORE_RECENT = "f3a1c9d27b60"


@pytest.mark.own_database  # the demo's rows go into this database, not a rolled-back one
def test_recent_migrations_go_down_and_up_again_over_a_database_in_use(empty_app):
    """A database with rows in it, not an empty one: on SQLite a batch migration rebuilds
    the table (a check constraint), and with foreign keys on, dropping the old `cases` or
    `conferences` while other rows point at them fails half-way."""
    from sqlalchemy import func, select

    from mdk.cases.models import Case
    from mdk.conferences.models import Conference
    from mdk.demo.service import load_demo

    flask_migrate.upgrade()
    load_demo()
    counts = (db.session.scalar(select(func.count(Case.id))),
              db.session.scalar(select(func.count(Conference.id))))
    db.session.remove()
    flask_migrate.downgrade(revision=BEFORE_RECENT)
    flask_migrate.upgrade()
    assert _differences() == []
    assert (db.session.scalar(select(func.count(Case.id))),
            db.session.scalar(select(func.count(Conference.id)))) == counts
    db.session.remove()  # its connection back to the pool, which the fixture disposes of
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as connection:  # the pool's connections enforce them again
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
