"""The gate as it runs: `python -m scheduler --once readiness-gate` in its own process under
a frozen clock, on a database of its own, for an area that holds and one that defers."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import flask_migrate
import pytest
from sqlalchemy import select

from mdk.cases.models import Case
from mdk.config import CONFIG_DIR
from mdk.extensions import db
from mdk.material.models import ReadinessCheck
from mdk.outbox.models import OutboxMessage
from tests.cases.factories import accept, make_world, refer
from tests.conftest import make_app
from tests.mail_guard import MailGuard
from tests.material_gate.factories import after_cutoff, complete, meeting, wednesday_after
from tests.support import fresh_database, service_environment

pytestmark = pytest.mark.own_database

ROOT = Path(__file__).resolve().parents[2]
FROZEN = [sys.executable, str(Path(__file__).with_name("frozen_scheduler.py"))]


def _area_files(folder: Path, gate: str) -> Path:
    """The shipped care-area files, anal cancer's gate set to `gate`."""
    folder.mkdir()
    for source in (CONFIG_DIR / "care_areas").glob("*.toml"):
        text = source.read_text(encoding="utf-8")
        if source.stem == "analcancer":
            assert 'gate = "hold"' in text
            text = text.replace('gate = "hold"', f'gate = "{gate}"', 1)
        (folder / source.name).write_text(text, encoding="utf-8")
    return folder


def _run_gate(environment: dict[str, str], when) -> subprocess.CompletedProcess:
    result = subprocess.run([*FROZEN, when.isoformat(), "--once", "readiness-gate"],
                            env=environment, cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return result


def _state(app) -> dict:
    with app.app_context():
        cases = {case.number: (case.state, case.conference_id)
                 for case in db.session.scalars(select(Case))}
        checks = sorted((check.case_id, check.conference_id, check.outcome)
                        for check in db.session.scalars(select(ReadinessCheck)))
        mail = [(message.kind, message.recipient_email, message.case_id, message.body_text)
                for message in db.session.scalars(select(OutboxMessage)
                                                  .order_by(OutboxMessage.id))]
        findings = MailGuard().findings(db.session, Path("/nonexistent"))
        db.session.remove()
    return {"cases": cases, "checks": checks, "mail": mail, "findings": findings}


def _gate_world(tmp_path: Path, gate: str):
    """Migrated database and three weekly meetings (D, D+7, D+14) with cases: one on the
    first (which will have started), a complete one and an incomplete one on the second."""
    areas = _area_files(tmp_path / "care_areas", gate)
    database = fresh_database(tmp_path)
    url = database.__enter__()
    app = make_app(url, tmp_path, care_areas_dir=str(areas))
    with app.app_context():
        flask_migrate.upgrade()
        world = make_world()
        day = wednesday_after(10)
        meetings = [meeting(world.nhv[index], day + timedelta(days=7 * index))
                    for index in range(3)]
        started = accept(world, refer(world, number_index=0), conference_id=meetings[0].id)
        ready = accept(world, refer(world, number_index=1), conference_id=meetings[1].id)
        complete(ready, world.nhv[1], date.today())
        not_ready = accept(world, refer(world, number_index=2), conference_id=meetings[1].id)
        complete(not_ready, world.nhv[1], date.today(), skip=("mri_pelvis",))
        # The scheduler was down over the second meeting's cut-off: it runs almost a day late,
        # after the first meeting has started.
        when = after_cutoff(meetings[1], minutes=20 * 60)
        assert meetings[0].starts_at < when < meetings[1].starts_at
        ids = {"started": (started.id, started.number), "ready": (ready.id, ready.number),
               "not_ready": (not_ready.id, not_ready.number),
               "meetings": [conference.id for conference in meetings],
               "referrer": world.people["referrer"].email,
               "mailbox": world.referring.mailbox,
               "coordinator": world.people["coordinator"].email,
               "names": [case.patient.family_name for case in (started, ready, not_ready)]}
        db.session.remove()
    environment = service_environment(url, tmp_path)
    environment.update(MDK_CARE_AREAS_DIR=str(areas), PYTHONPATH=str(ROOT),
                       MDK_BASE_URL="http://mdk.example")
    return database, app, environment, when, ids


def _not_ready_mail(state, case_id):
    return [mail for mail in state["mail"] if mail[0] == "case.not_ready" and mail[2] == case_id]


def test_the_scheduler_holds_a_case_not_ready_and_readies_the_complete_one(tmp_path):
    database, app, environment, when, ids = _gate_world(tmp_path, "hold")
    try:
        _run_gate(environment, when)
        state = _state(app)
        first, second, _third = ids["meetings"]
        not_ready_id, not_ready_number = ids["not_ready"]
        assert state["cases"][ids["ready"][1]] == ("ready", second)
        assert state["cases"][not_ready_number] == ("accepted", second)
        assert state["cases"][ids["started"][1]] == ("accepted", first)  # started: untouched
        assert state["checks"] == sorted([(ids["ready"][0], second, "ready"),
                                          (not_ready_id, second, "held")])
        told = _not_ready_mail(state, not_ready_id)
        assert {mail[1] for mail in told} == {ids["referrer"], ids["mailbox"],
                                              ids["coordinator"]}
        for _kind, _to, _case, body in told:
            assert "MR bäcken: saknas" in body
            assert f"http://mdk.example/cases/{not_ready_id}" in body
            assert not any(name in body for name in ids["names"])
        assert _not_ready_mail(state, ids["ready"][0]) == []
        assert state["findings"] == []
        # Again, an hour later: nothing new.
        _run_gate(environment, when + timedelta(hours=1))
        assert _state(app) == state
    finally:
        with app.app_context():
            db.engine.dispose()
        database.__exit__(None, None, None)


def test_the_scheduler_defers_a_case_not_ready_when_the_area_says_so(tmp_path):
    database, app, environment, when, ids = _gate_world(tmp_path, "defer")
    try:
        _run_gate(environment, when)
        state = _state(app)
        _first, second, third = ids["meetings"]
        not_ready_id, not_ready_number = ids["not_ready"]
        assert state["cases"][not_ready_number] == ("deferred", third)
        assert state["cases"][ids["ready"][1]] == ("ready", second)
        assert (not_ready_id, second, "deferred") in state["checks"]
        told = _not_ready_mail(state, not_ready_id)
        assert len(told) == 3
        assert all("MR bäcken: saknas" in mail[3] and "flyttats" in mail[3] for mail in told)
        assert any(mail[0] == "case.deferred" and mail[2] == not_ready_id
                   for mail in state["mail"])
        assert state["findings"] == []
        with app.app_context():
            reason = db.session.get(Case, not_ready_id).state_reason
            db.session.remove()
        assert "MR bäcken: saknas" in reason
        _run_gate(environment, when + timedelta(minutes=5))
        assert _state(app) == state
    finally:
        with app.app_context():
            db.engine.dispose()
        database.__exit__(None, None, None)
