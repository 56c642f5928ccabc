"""The embedded default under two writers (issue #9, item 19): the web app and a second
process (the scheduler, a CLI command) write to one database at the same time. On SQLite this
needs WAL and a busy timeout; without them one of the writers gets "database is locked"."""

from __future__ import annotations

import subprocess
import sys

import flask_migrate
import pytest
from sqlalchemy import func, select

from mdk import SQLITE_BUSY_TIMEOUT_SECONDS
from mdk.config import PROJECT_ROOT
from mdk.extensions import db
from mdk.patients.models import Patient
from tests.concurrent_writer import NUMBERS, patient_form
from tests.conftest import _make_admin, make_app
from tests.support import fresh_database, log_in, service_environment

# Commits for real, on a database of its own: no rolled-back test transaction around it.
pytestmark = pytest.mark.own_database

WRITING_SECONDS = 4


def _pragmas(app) -> dict[str, object]:
    with app.app_context():
        with db.engine.connect() as connection:
            values = {name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                      for name in ("journal_mode", "busy_timeout", "foreign_keys",
                                   "synchronous")}
        db.engine.dispose()
    return values


def test_a_sqlite_file_runs_in_wal_with_a_busy_timeout_and_foreign_keys(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'mdk.sqlite3'}", tmp_path)
    assert _pragmas(app) == {"journal_mode": "wal",
                             "busy_timeout": SQLITE_BUSY_TIMEOUT_SECONDS * 1000,
                             "foreign_keys": 1,
                             "synchronous": 1}  # NORMAL: SQLite's advice with WAL


def test_an_in_memory_sqlite_keeps_its_journal_but_gets_the_timeout_and_foreign_keys(
        tmp_path):
    app = make_app("sqlite://", tmp_path)
    assert _pragmas(app) == {"journal_mode": "memory",
                             "busy_timeout": SQLITE_BUSY_TIMEOUT_SECONDS * 1000,
                             "foreign_keys": 1,
                             "synchronous": 2}  # FULL, SQLite's default


def test_the_web_app_and_a_second_process_write_at_once_with_no_error_and_no_lost_row(
        tmp_path):
    with fresh_database(tmp_path) as url:  # a SQLite file, or a PostgreSQL schema
        app = make_app(url, tmp_path)
        app.config["WTF_CSRF_ENABLED"] = False
        with app.app_context():
            flask_migrate.upgrade()
            admin = _make_admin()
        client = app.test_client()
        log_in(client, admin)
        web_statuses, web_written = [], 0
        # The other process takes the odd numbers of the list, the web app the even ones.
        writer = subprocess.Popen(
            [sys.executable, "-m", "tests.concurrent_writer", url, str(tmp_path),
             str(WRITING_SECONDS), "1", "2"],
            cwd=PROJECT_ROOT, env=service_environment(url, tmp_path),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert writer.stdout.readline().strip() == "ready"
            index = 0
            while writer.poll() is None and index < len(NUMBERS):
                response = client.post("/patients/new",
                                       data={**patient_form(NUMBERS[index], index + 1),
                                             "issuer": ""})
                web_statuses.append(response.status_code)
                web_written += response.status_code == 302
                index += 2
            output, errors = writer.communicate(timeout=60)
        finally:
            if writer.poll() is None:
                writer.kill()
                writer.wait()
        assert writer.returncode == 0, errors[-2000:]
        other_written = int(output.split()[-1])
        with app.app_context():
            stored = db.session.scalar(select(func.count(Patient.id)))
        with app.app_context():  # after the session above has given its connection back
            db.engine.dispose()
    assert set(web_statuses) == {302}
    assert web_written >= 5 and other_written >= 5  # both wrote, at the same time
    assert stored == web_written + other_written
