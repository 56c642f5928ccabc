"""One scheduler at a time: a PostgreSQL advisory lock, or a file lock beside the SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from filelock import FileLock
from sqlalchemy import text

from mdk.extensions import db

# A fixed, arbitrary key that identifies "the MDK scheduler" among advisory locks.
ADVISORY_LOCK_KEY = 4_242_001


@contextmanager
def scheduler_lock(app) -> Iterator[None]:
    """Block until this process is the only scheduler; hold the lock until the block ends."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"),
                                   {"key": ADVISORY_LOCK_KEY})
    else:
        lock_path = app.config["MDK"].instance_path / "scheduler.lock"
        with FileLock(str(lock_path)):
            yield
