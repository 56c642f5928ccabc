"""The reminder as it runs: `python -m scheduler --once remind-proms` in its own process
under a frozen clock, on a database of its own: nothing before the due day's morning, one
mail to the treating unit's mailbox, once, and no patient data in it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import flask_migrate
import pytest
from sqlalchemy import select

from mdk.extensions import db
from mdk.outbox.models import OutboxMessage
from mdk.proms import service
from mdk.proms.models import PromFollowUp
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
from tests.treatment.factories import TREATING_INDEX, add_treating_staff, recorded

pytestmark = pytest.mark.own_database

JOB = "remind-proms"


def _state(app) -> dict:
    with app.app_context():
        reminded = sorted(row.position for row in db.session.scalars(
            select(PromFollowUp).where(PromFollowUp.reminded_at.is_not(None))))
        mail = sorted(message.recipient_email for message in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "prom.reminder")))
        state = {"reminded": reminded, "mail": mail,
                 "findings": MailGuard().findings(db.session, Path("/nonexistent"))}
        db.session.remove()
    return state


def test_the_scheduler_reminds_of_a_prom_due(tmp_path):
    database = fresh_database(tmp_path)
    url = database.__enter__()
    app = make_app(url, tmp_path)
    try:
        with app.app_context():
            flask_migrate.upgrade()
            world, case, _report = world_with_report()
            add_treating_staff(world)
            recorded(world, case)  # the baseline is due on the day treatment started
            due_on = next(row for row in service.follow_ups_of(case)
                          if row.position == 1).due_on
            mailbox = world.nhv[TREATING_INDEX].mailbox
            db.session.remove()
        environment = service_environment(url, tmp_path)
        environment.update(PYTHONPATH=str(ROOT), MDK_BASE_URL="http://mdk.example")

        run_job_frozen(environment, JOB, stockholm_at(due_on, 6, 50))
        assert _state(app) == {"reminded": [], "mail": [], "findings": []}
        run_job_frozen(environment, JOB, stockholm_at(due_on, 7, 5))
        assert _state(app) == {"reminded": [1], "mail": [mailbox], "findings": []}
        # again, later: nothing new (the other time points have no due day yet)
        run_job_frozen(environment, JOB, stockholm_at(due_on, 7, 5) + timedelta(days=30))
        assert _state(app) == {"reminded": [1], "mail": [mailbox], "findings": []}
    finally:
        with app.app_context():
            db.engine.dispose()
        database.__exit__(None, None, None)
