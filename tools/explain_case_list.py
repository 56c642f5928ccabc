"""The case list's query plans on PostgreSQL at scale: `python tools/explain_case_list.py`.

Builds a scratch schema (dropped afterwards) on MDK_TEST_PG_URL, bulk-inserts N cases
(default 10,000) of fictitious patients straight into the tables, and prints EXPLAIN ANALYZE
of the list's first and last page as an anal cancer coordinator sees it: the default (the
cases in progress), every state ("Alla"), then one state. The query is the one the page and
GET /api/v1/cases run (mdk.cases.service.case_page_query), so the plan shown is the plan
served. After each plan, the indexes it walks; the default list must walk
ix_cases_in_progress_queue (exit status 1 if not), whatever share of the cases has ended.

Options: --cases N, --ended PERCENT (the share of closed, declined and withdrawn cases,
default 40: years of them accumulate).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import flask_migrate  # noqa: E402
from sqlalchemy import insert, select, text  # noqa: E402
from sqlalchemy.dialects import postgresql  # noqa: E402

from mdk import create_app  # noqa: E402
from mdk.access.policy import Principal  # noqa: E402
from mdk.care_areas.service import care_area  # noqa: E402
from mdk.cases import service  # noqa: E402
from mdk.cases.models import Case  # noqa: E402
from mdk.cases.workflow import STATE_GROUPS, chosen_states  # noqa: E402
from mdk.extensions import db  # noqa: E402
from mdk.patients.models import Patient  # noqa: E402
from mdk.units.models import CareProvider, Unit  # noqa: E402
from tests.support import fresh_database  # noqa: E402

AREAS = ("analcancer", "crs_hipec")
IN_PROGRESS_MIX = ("submitted",) * 6 + ("accepted", "returned", "discussed", "draft")
ENDED_MIX = ("closed",) * 6 + ("declined", "withdrawn")
IN_PROGRESS_INDEX = "ix_cases_in_progress_queue"
REFERRING_UNITS = 40


def _bulk(model, rows: list[dict]) -> list[int]:
    """executemany, then the new ids in insert order (ids are handed out in sequence)."""
    db.session.execute(insert(model), rows)
    return list(db.session.scalars(select(model.id).order_by(model.id.desc())
                                   .limit(len(rows))))[::-1]


def populate(count: int, ended: float = 0.4, seed: int = 9) -> dict[str, int]:
    """`count` cases, 80 % anal cancer, 10 % urgent, received over the past two years, the
    share `ended` closed, declined or withdrawn."""
    rng = random.Random(seed)
    [provider] = _bulk(CareProvider, [{"name": "Testregion", "organisation_number":
                                       "232100-9999"}])
    nhv = [unit for area in AREAS for unit in care_area(area).nhv_units]
    units = _bulk(Unit, [
        {"name": unit.name, "short_name": unit.short_name, "hsa_id": unit.hsa_id,
         "provider_id": provider, "mailbox": "mdk@example.org", "phone": "010-000 00 00"}
        for unit in {unit.hsa_id: unit for unit in nhv}.values()] + [
        {"name": f"Testklinik {n}", "short_name": f"TK{n}", "hsa_id": f"SE2321009999-T{n:03d}",
         "provider_id": provider, "mailbox": "klinik@example.org", "phone": "010-000 00 01"}
        for n in range(REFERRING_UNITS)])
    referring = units[-REFERRING_UNITS:]
    # Fictitious: month 00 of 1900 is no one's birth date, and the names say so.
    patients = _bulk(Patient, [
        {"identity_kind": "personnummer", "identity_value": f"1900{n:08d}", "given_name":
         "Testpatient", "family_name": f"Nummer{n}", "fictitious": True} for n in range(count)])
    now = datetime.now(UTC)
    rows = []
    for n, patient in enumerate(patients):
        area = AREAS[0] if rng.random() < 0.8 else AREAS[1]
        state = rng.choice(ENDED_MIX if rng.random() < ended else IN_PROGRESS_MIX)
        received = None if state == "draft" else \
            now - timedelta(minutes=rng.randint(0, 2 * 525_600))
        rows.append({
            "number": f"{'AC' if area == AREAS[0] else 'CRS'}-{n:07d}", "care_area": area,
            "patient_id": patient, "referring_unit_id": rng.choice(referring),
            "question": "Testfråga", "case_type": "primary",
            "priority": "urgent" if rng.random() < 0.1 else "normal", "answers": {},
            "state": state, "submitted_at": received, "consent_recorded": True,
            "created_at": received or now, "updated_at": received or now})
    for start in range(0, len(rows), 2000):
        db.session.execute(insert(Case), rows[start:start + 2000])
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))  # what autovacuum keeps up in production
    return {"coordinator_unit": units[0]}


def explain(label: str, query) -> set[str]:
    """Prints the plan; returns the indexes it walks."""
    sql = str(query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    plan = [row[0] for row in db.session.execute(
        text(f"EXPLAIN (ANALYZE, BUFFERS, TIMING) {sql}"))]
    print(f"\n=== {label} ===")
    print("\n".join(plan))
    walked = set(re.findall(r"Index (?:Only )?Scan(?: Backward)? using (\w+)", "\n".join(plan)))
    print(f"--- indexes walked: {', '.join(sorted(walked)) or 'none'}")
    return walked


def pages(principal: Principal, label: str, **filters) -> set[str]:
    """The count and the first and last page of the list with these filters; returns the
    indexes the two pages walk in common."""
    where = service.case_list_filter(principal, **filters)
    total = db.session.scalar(select(db.func.count(Case.id)).where(where))
    last = max(0, (total - 1) // service.PAGE_SIZE) * service.PAGE_SIZE
    explain(f"count ({label})", select(db.func.count(Case.id)).where(where))
    walked = []
    for name, offset in (("first", 0), ("last", last)):
        walked.append(explain(
            f"{name} page ({label}; {total} cases, offset {offset})",
            service.case_page_query(where, limit=service.PAGE_SIZE, offset=offset)))
        started = time.perf_counter()
        db.session.scalars(service.case_page_query(where, limit=service.PAGE_SIZE,
                                                   offset=offset)).all()
        print(f"--- through SQLAlchemy: {1000 * (time.perf_counter() - started):.1f} ms")
    return walked[0] & walked[1]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--ended", type=float, default=40.0,
                        help="percent of the cases closed, declined or withdrawn")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder, fresh_database(Path(folder),
                                                                 "postgresql") as url:
        app = create_app({"env": "test", "database_url": url, "instance_dir": folder,
                          "base_url": "http://localhost", "secret_key": "explain"})
        with app.app_context():
            flask_migrate.upgrade()
            started = time.perf_counter()
            ids = populate(args.cases, args.ended / 100)
            print(f"{args.cases} cases inserted in {time.perf_counter() - started:.1f} s")
            coordinator = Principal(person_id=0, grants=frozenset(
                {("coordinator", AREAS[0], ids["coordinator_unit"])}))
            default = pages(coordinator, "default: in progress", states=chosen_states(()))
            pages(coordinator, "all states", states=chosen_states(("all",)))
            pages(coordinator, "state=submitted", states=chosen_states(("submitted",)))
            db.session.rollback()
            db.engine.dispose()
    walks = IN_PROGRESS_INDEX in default
    print(f"\nThe default list's first and last page walk {IN_PROGRESS_INDEX}: "
          f"{'yes' if walks else 'NO'} (states {', '.join(STATE_GROUPS['in_progress'])})")
    return 0 if walks else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
