"""The statistics page as the register grows (issue 15, point 3): its SQL statement count at
100 and at 10,000 discussed cases (target: equal) and its latency ratio between them
(target: at most 3), from one run, on PostgreSQL.

Each size is a PostgreSQL schema of its own, the demo plus a year of weekly meetings with
that many cases (tests/stats/bulk.py: reports, treatment starts, deferrals, reviews,
attendance). The page is fetched through the Flask test client as the demo's anal cancer
coordinator (every figure shown), for that year: login check, access, the queries, the
charts and tables. MDK_BENCH_PLANS=1 also prints EXPLAIN ANALYZE of each statement at the
largest size.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import flask_migrate
from sqlalchemy import event, text

from mdk import create_app
from mdk.extensions import db
from mdk.people.models import Person
from tests.stats.bulk import add_history
from tests.support import fresh_database, log_in

SIZES = (100, 10_000)
REPEATS = 7  # best of: a busy machine only adds time
URL = "/stats?area=analcancer&from=2025-01-01&to=2025-12-31"
TARGET_RATIO = 3.0


def _coordinator() -> Person:
    from mdk.demo.cases import _user

    user = _user("coordinator", "analcancer")
    if user is None:
        raise RuntimeError("the demo has no anal cancer coordinator")
    return db.session.get(Person, user.actor.person_id)


def _get(client) -> float:
    started = time.perf_counter()
    response = client.get(URL)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"GET {URL} answered {response.status_code}")
    return elapsed


def _statements(app, client) -> list[tuple[str, object]]:
    with app.app_context():
        engine = db.engine
    seen: list[tuple[str, object]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", before)
    try:
        _get(client)
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return seen


def _plans(app, statements) -> None:
    with app.app_context(), db.engine.connect() as connection:
        for statement, parameters in statements:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            cursor = connection.connection.cursor()
            cursor.execute("EXPLAIN ANALYZE " + statement, parameters)
            print("\n".join(row[0] for row in cursor.fetchall()), "\n", flush=True)


def measure(url: str, folder: Path, cases: int) -> tuple[int, float]:
    app = create_app({"env": "test", "database_url": url, "instance_dir": str(folder),
                      "base_url": "http://localhost", "secret_key": "bench-secret",
                      "log_level": "WARNING"})
    with app.app_context():
        flask_migrate.upgrade()
        from mdk.demo.service import load_demo

        started = time.perf_counter()
        load_demo()
        add_history("analcancer", cases)
        for table in ("cases", "case_transitions", "treatment_outcomes", "review_tasks",
                      "attendances", "conferences"):
            db.session.execute(text(f"ANALYZE {table}"))
        db.session.commit()
        print(f"{cases} cases: built in {time.perf_counter() - started:.0f} s", flush=True)
        coordinator = _coordinator()
    client = app.test_client()
    log_in(client, coordinator)
    _get(client)  # warm: templates, statement cache
    statements = _statements(app, client)
    best = min(_get(client) for _ in range(REPEATS))
    if os.environ.get("MDK_BENCH_PLANS") and cases == SIZES[-1]:
        _plans(app, statements)
    with app.app_context():
        db.engine.dispose()
    return len(statements), best


def main() -> None:
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for cases in SIZES:
            with fresh_database(Path(folder), "postgresql") as url:
                results[cases] = measure(url, Path(folder), cases)
            count, best = results[cases]
            print(f"{cases} cases: statistics page {best * 1000:.0f} ms, {count} SQL "
                  f"statements", flush=True)
    (small_count, small), (large_count, large) = results[SIZES[0]], results[SIZES[-1]]
    print(f"statistics: statements {small_count} at {SIZES[0]} and {large_count} at "
          f"{SIZES[-1]} cases ({'equal' if small_count == large_count else 'NOT equal'}; "
          f"target: equal); latency ratio {large / small:.2f} (target <= {TARGET_RATIO})")
