"""Planning the calendar in the database, 10 years against 1 year: the ratio should be about
10 (linear; target <= 10.5). A throwaway SQLite file with the demo data; each run deletes the
conferences from 2031 on and creates and plans them again (extend_calendars): cadence,
inserts, availability (closures, unavailability, staffing and absences read for the whole
range in a few queries) and the host planner. The demo's own meetings (the coming year's,
which demo cases are booked on) are never touched."""

from __future__ import annotations

import tempfile
import time
from datetime import date
from pathlib import Path

import flask_migrate
from sqlalchemy import delete

from mdk import create_app
from mdk.conferences.models import Conference
from mdk.conferences.service import extend_calendars
from mdk.demo.service import load_demo
from mdk.extensions import db

FIRST = date(2031, 1, 1)


def plan(months: int) -> float:
    # Only the benchmark's own years: demo cases point at this year's meetings.
    db.session.execute(delete(Conference).where(Conference.planned_day >= FIRST))
    db.session.commit()
    # CPU time of this process (SQLite runs in it), so a busy machine does not tilt the ratio.
    started = time.process_time()
    extend_calendars(today=FIRST, horizon_months=months)
    return time.process_time() - started


def best_of(repeats: int, months: int) -> float:
    return min(plan(months) for _ in range(repeats))


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"database_url": f"sqlite:///{Path(folder) / 'bench.sqlite3'}",
                          "instance_dir": folder, "log_level": "WARNING"})
        with app.app_context():
            flask_migrate.upgrade()
            load_demo()
            plan(12)  # warm caches (holiday tables, statement cache)
            one = best_of(7, 12)
            ten = best_of(5, 120)
            db.engine.dispose()
    print(f"calendar (database, CPU time): 1 year {one * 1000:.0f} ms, "
          f"10 years {ten * 1000:.0f} ms, ratio {ten / one:.2f} (target <= 10.5)")
