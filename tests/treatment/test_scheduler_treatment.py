"""The reminder as it runs: `python -m scheduler --once remind-treatment-start` in its own
process under a frozen clock, on a database of its own: nothing before the reminder's
morning, one mail each to the treating unit's mailbox and the coordinators, once, and no
patient data in either."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import flask_migrate
import pytest
from sqlalchemy import select

from mdk.extensions import db
from mdk.outbox.models import OutboxMessage
from mdk.treatment import service
from mdk.treatment.models import TreatmentOutcome
from tests.conftest import make_app
from tests.mail_guard import MailGuard
from tests.reports.factories import world_with_report
from tests.support import (
    ROOT,
    fresh_database,
    run_job_frozen,
    service_environment,
    stockholm_at,
)
from tests.treatment.factories import TREATING_INDEX

pytestmark = pytest.mark.own_database

JOB = "remind-treatment-start"


def _state(app) -> dict:
    with app.app_context():
        row = db.session.scalars(select(TreatmentOutcome)).one()
        mail = sorted((message.kind, message.recipient_email) for message in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "treatment.reminder")))
        state = {"reminded": row.reminded_at is not None, "mail": mail,
                 "findings": MailGuard().findings(db.session, Path("/nonexistent"))}
        db.session.remove()
    return state


def test_the_scheduler_reminds_of_a_treatment_start_not_recorded(tmp_path):
    database = fresh_database(tmp_path)
    url = database.__enter__()
    app = make_app(url, tmp_path)
    try:
        with app.app_context():
            flask_migrate.upgrade()
            world, case, _report = world_with_report()
            remind_on = service.follow_up_of(case).remind_on
            mailbox = world.nhv[TREATING_INDEX].mailbox
            coordinator = world.people["coordinator"].email
            db.session.remove()
        environment = service_environment(url, tmp_path)
        environment.update(PYTHONPATH=str(ROOT), MDK_BASE_URL="http://mdk.example")

        # before the morning: nothing yet
        run_job_frozen(environment, JOB, stockholm_at(remind_on, 6, 50))
        assert _state(app) == {"reminded": False, "mail": [], "findings": []}
        run_job_frozen(environment, JOB, stockholm_at(remind_on, 7, 5))
        expected = sorted([("treatment.reminder", mailbox),
                           ("treatment.reminder", coordinator)])
        assert _state(app) == {"reminded": True, "mail": expected, "findings": []}
        # again: nothing new
        run_job_frozen(environment, JOB, stockholm_at(remind_on, 7, 5) + timedelta(hours=3))
        assert _state(app)["mail"] == expected
    finally:
        with app.app_context():
            db.engine.dispose()
        database.__exit__(None, None, None)
