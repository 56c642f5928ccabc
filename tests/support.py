"""Test helpers shared by every suite: throw-away databases and an SQL statement counter."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url

# The table_scroll() wrapper (templates/macros.html) around a table, as a Swedish page has it:
# focusable and named, so a keyboard scrolls a wide table on a phone (axe: scrollable-region).
TABLE_SCROLL = re.compile(r'<div class="table-scroll" role="region" '
                          r'aria-label="Tabell, rullas i sidled" tabindex="0">\s*<table[\s>]')


def table_counts(page: str) -> tuple[int, int]:
    """(tables, tables wrapped in table_scroll) of an HTML page."""
    return len(re.findall(r"<table[\s>]", page)), len(TABLE_SCROLL.findall(page))


PG_URL = os.environ.get("MDK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def test_database_kind() -> str:
    kind = os.environ.get("MDK_TEST_DB", "sqlite")
    if kind not in ("sqlite", "postgresql"):
        raise RuntimeError(f"MDK_TEST_DB must be sqlite or postgresql, not {kind!r}")
    return kind


@contextmanager
def fresh_database(folder: Path, kind: str | None = None) -> Iterator[str]:
    """An empty database for one test session: a SQLite file, or a PostgreSQL schema.

    PostgreSQL must be reachable: a missing server is an error, never a skip.
    """
    kind = kind or test_database_kind()
    if kind == "sqlite":
        yield f"sqlite:///{folder / f'mdk-{uuid.uuid4().hex[:8]}.sqlite3'}"
        return
    schema = f"mdk_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        admin.dispose()
        raise RuntimeError(
            f"PostgreSQL is required for MDK_TEST_DB=postgresql but {PG_URL} failed: {exc}"
        ) from exc
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


class StatementCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def count_statements(engine: Engine) -> Iterator[StatementCounter]:
    """Count the SQL statements run inside the block (savepoint bookkeeping excluded)."""
    counter = StatementCounter()

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            counter.statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", before)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(base_url: str, process: subprocess.Popen | None = None,
                       timeout: float = 20.0) -> dict:
    """Poll /healthz until it answers 200; fail early if the server process has died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode} before /healthz")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return json.loads(response.read())
        except OSError:
            # Refused, reset, or a read timeout while a worker is still booting: try again.
            pass
        time.sleep(0.1)
    raise AssertionError(f"{base_url}/healthz did not answer 200 within {timeout:.0f} s")


def service_environment(database_url: str, instance_dir: Path) -> dict[str, str]:
    """The environment of a service process (mdk, scheduler, gunicorn) on a test database."""
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("MDK_", "FLASK_"))}
    environment.update(MDK_ENV="test", MDK_DATABASE_URL=database_url,
                       MDK_INSTANCE_DIR=str(instance_dir), PYTHONUNBUFFERED="1")
    return environment


@contextmanager
def running(command: list[str], environment: dict[str, str], log: Path
            ) -> Iterator[subprocess.Popen]:
    """A background process writing to `log`; killed and reaped if the test leaves it running."""
    with log.open("w") as output:
        process = subprocess.Popen(command, env=environment, stdout=output,
                                   stderr=subprocess.STDOUT)
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)


# The logged-in admin every `client` test has (tests/conftest.py); tests that count rows
# leave these out.
ADMIN_EMAIL = "admin@test.example"
ADMIN_UNIT_HSA_ID = "SE9898989893-TESTADMIN"
ADMIN_ORGANISATION_NUMBER = "989898-9893"


def log_in(client, person) -> str:
    """Give a test client a live login session for `person`, without the password form (no
    slow password hashing per test). Returns the session token."""
    from mdk.auth.service import start_session
    from mdk.extensions import db

    with client.application.app_context():
        token = start_session(db.session.merge(person), "test", "127.0.0.1")
        db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
    return token


ROOT = Path(__file__).resolve().parents[1]
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def stockholm_at(day: date, hour: int, minute: int = 0) -> datetime:
    """`hour:minute` on `day`, Europe/Stockholm (a frozen scheduler run's moment)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=STOCKHOLM)


def run_job_frozen(environment: dict[str, str], job: str, when: datetime) -> None:
    """`python -m scheduler --once JOB` in its own process with the clock frozen at `when`
    (tests/material_gate/frozen_scheduler.py); fails the test if it fails."""
    frozen = [sys.executable, str(ROOT / "tests" / "material_gate" / "frozen_scheduler.py")]
    result = subprocess.run([*frozen, when.isoformat(), "--once", job], env=environment,
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


# The demo app's (tests/conftest.py `demo_app`) record of what its `mdk demo load` printed.
DEMO_OUTPUT = "tests.demo_output"


def demo_output(app) -> list[str] | None:
    """The lines `mdk demo load` printed when it filled this app's database; None for the
    app on the empty database."""
    return app.extensions.get(DEMO_OUTPUT)
