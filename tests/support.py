"""Test helpers shared by every suite: throw-away databases and an SQL statement counter."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url

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
