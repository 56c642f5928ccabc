"""The agenda page's SQL statements at 10 and at 200 cases on one meeting (issue #13; target:
equal), and its time. A throwaway SQLite file with the demo data; the cases are added as rows
(fictitious patients) to a coming anal cancer meeting, and the page is fetched through the
Flask test client as the demo's anal cancer coordinator."""

from __future__ import annotations

import tempfile
import time
from datetime import timedelta

from sqlalchemy import select

from mdk.cases.models import Case
from mdk.conferences.models import Conference
from mdk.db import utcnow
from mdk.demo.service import load_demo
from mdk.extensions import db
from mdk.patients.models import Patient
from mdk.patients.service import fictitious_identity_numbers, parse_identity
from mdk.units.models import Unit
from tests.bench import sqlite_bench_app
from tests.bench.bench_lists import _coordinator
from tests.support import count_statements, log_in

SEED = 20261313


def _add_cases(conference: Conference, numbers: list[str], first: int) -> None:
    units = db.session.scalars(select(Unit.id).order_by(Unit.id).limit(3)).all()
    for index, number in enumerate(numbers, start=first):
        identity = parse_identity("national", number)
        patient = Patient(identity_kind=identity.kind, identity_value=identity.value,
                          given_name="Testpatient", family_name=f"Bench{index}",
                          fictitious=True)
        db.session.add(Case(
            number=f"AC-2099-{index:04d}", care_area="analcancer", patient=patient,
            referring_unit_id=units[index % len(units)], question="Kurativ behandling?",
            case_type="primary", priority="urgent" if index % 7 == 0 else "normal",
            consent_recorded=True, answers={}, state="accepted", conference_id=conference.id,
            submitted_at=utcnow() - timedelta(hours=index + 1)))
    db.session.commit()


def measure_page(path: str, sizes: tuple[int, int]) -> tuple[tuple[int, float], ...]:
    """(statements, seconds) of one GET of `path` (formatted with the meeting's id) as the
    coordinator, with sizes[0] and then sizes[1] cases on a coming anal cancer meeting."""
    numbers = fictitious_identity_numbers(sizes[1], seed=SEED)
    with tempfile.TemporaryDirectory() as folder:
        app = sqlite_bench_app(folder)
        with app.app_context():
            load_demo()
            db.session.commit()
            conference = db.session.scalars(
                select(Conference).where(Conference.care_area == "analcancer",
                                         Conference.status == "planned",
                                         Conference.starts_at > utcnow() + timedelta(days=60))
                .order_by(Conference.starts_at).limit(1)).one()
            conference_id = conference.id
            url = path.format(conference_id=conference_id)
            coordinator = _coordinator()
            _add_cases(conference, numbers[:sizes[0]], 0)
        client = app.test_client()
        log_in(client, coordinator)

        def measured() -> tuple[int, float]:
            client.get(url)  # warm (and a first opening's one-off work)
            with app.app_context():
                engine = db.engine
            started = time.perf_counter()
            with count_statements(engine) as counted:
                response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} answered {response.status_code}")
            return counted.count, time.perf_counter() - started

        few = measured()
        with app.app_context():
            _add_cases(db.session.get(Conference, conference_id), numbers[sizes[0]:],
                       sizes[0])
        many = measured()
        with app.app_context():
            db.engine.dispose()
    return few, many


def main() -> None:
    (few, few_time), (many, many_time) = measure_page("/conferences/{conference_id}/agenda",
                                                      (10, 200))
    print(f"agenda page: {few} SQL statements at 10 cases, {many} at 200 (target: equal); "
          f"{few_time * 1000:.0f} ms and {many_time * 1000:.0f} ms")
