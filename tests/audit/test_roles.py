"""The application's database role may read and append the audit log, never change it."""

import uuid

import flask_migrate
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from mdk.audit.roles import RoleNameError, role_grants_sql
from mdk.extensions import db
from tests import support
from tests.conftest import make_app
from tests.support import PG_URL, fresh_database

postgresql_only = pytest.mark.skipif(
    support.test_database_kind() != "postgresql",
    reason="PostgreSQL roles: not applicable on SQLite (runs with MDK_TEST_DB=postgresql)")

INSERT_EVENT = text("INSERT INTO audit_events (occurred_at, actor_name, action) "
                    "VALUES (now(), 'system', 'patient.read')")


def test_roles_print_shows_the_audit_log_append_only(runner):
    result = runner.invoke(args=["db", "roles", "--owner", "mdk_owner", "--app", "mdk_app",
                                 "--print"])
    assert result.exit_code == 0, result.output
    assert "ALTER SCHEMA public OWNER TO mdk_owner;" in result.output
    assert ("REVOKE UPDATE, DELETE ON public.audit_events, public.audit_reviews, "
            "public.protocol_addenda, public.exports, public.alembic_version FROM mdk_app;"
            in result.output)
    assert ("REVOKE DELETE, TRUNCATE ON public.protocols, public.care_plans, public.reports "
            "FROM mdk_app;"
            in result.output)
    assert ("ALTER DEFAULT PRIVILEGES FOR ROLE mdk_owner IN SCHEMA public "
            "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO mdk_app;") in result.output


@pytest.mark.parametrize(("owner", "app_role"), [("mdk owner", "mdk_app"),
                                                 ("mdk_owner", "x; DROP TABLE units"),
                                                 ("same", "same")])
def test_roles_refuse_names_that_are_not_plain_identifiers(owner, app_role):
    with pytest.raises(RoleNameError):
        role_grants_sql(owner, app_role)


def _run_as(engine, statement) -> None:
    with engine.connect() as connection:
        connection.execute(statement)
        connection.commit()


@postgresql_only
def test_app_role_may_insert_but_not_update_or_delete_audit_events(tmp_path):
    suffix = uuid.uuid4().hex[:10]
    owner, app_role = f"mdk_owner_{suffix}", f"mdk_app_{suffix}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for role in (owner, app_role):
            connection.execute(text(f"CREATE ROLE {role} LOGIN"))
    try:
        with fresh_database(tmp_path, "postgresql") as url:
            application = make_app(url, tmp_path / "instance")
            with application.app_context():
                flask_migrate.upgrade()
                db.engine.dispose()
            result = application.test_cli_runner().invoke(
                args=["db", "roles", "--owner", owner, "--app", app_role])
            assert result.exit_code == 0, result.output
            as_app = create_engine(make_url(url).set(username=app_role))
            try:
                _run_as(as_app, INSERT_EVENT)
                _run_as(as_app, text("INSERT INTO patients (identity_kind, identity_value, "
                                     "given_name, family_name) VALUES ('personnummer', "
                                     "'193001019999', 'Testpatient', 'Ett')"))
                _run_as(as_app, text("UPDATE patients SET family_name = 'Två'"))
                for forbidden in ("UPDATE audit_events SET action = 'patient.update'",
                                  "DELETE FROM audit_events", "TRUNCATE audit_events",
                                  "ALTER TABLE audit_events ADD COLUMN x integer"):
                    with pytest.raises(ProgrammingError,
                                       match="permission denied|must be owner"):
                        _run_as(as_app, text(forbidden))
                with as_app.connect() as connection:
                    assert connection.scalar(text("SELECT count(*) FROM audit_events")) == 1
                    owner_of = connection.scalar(text(
                        "SELECT tableowner FROM pg_tables WHERE tablename = 'audit_events' "
                        "AND schemaname = current_schema()"))
                assert owner_of == owner
            finally:
                as_app.dispose()
            with application.app_context():
                db.engine.dispose()
    finally:
        with admin.connect() as connection:
            for role in (app_role, owner):
                connection.execute(text(f"DROP OWNED BY {role}"))
                connection.execute(text(f"DROP ROLE {role}"))
        admin.dispose()
