"""The reminder and the escalation as they run: `python -m scheduler --once remind-reports`
in its own process under a frozen clock, on a database of its own: nothing before the
reminder's morning, the reminder once, the escalation once, and no patient data in either."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import flask_migrate
import pytest
from sqlalchemy import select

from mdk.extensions import db
from mdk.outbox.models import OutboxMessage
from mdk.reports.models import Report
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

pytestmark = pytest.mark.own_database

JOB = "remind-reports"


def _state(app) -> dict:
    with app.app_context():
        report = db.session.scalars(select(Report)).one()
        mail = [(message.kind, message.recipient_email) for message in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind.like("report.%"))
            .order_by(OutboxMessage.id))]
        state = {"reminded": report.reminded_at is not None,
                 "escalated": report.escalated_at is not None, "mail": mail,
                 "findings": MailGuard().findings(db.session, Path("/nonexistent"))}
        db.session.remove()
    return state


def test_the_scheduler_reminds_then_escalates_an_unacknowledged_report(tmp_path):
    database = fresh_database(tmp_path)
    url = database.__enter__()
    app = make_app(url, tmp_path)
    try:
        with app.app_context():
            flask_migrate.upgrade()
            world, case, report = world_with_report()
            remind_on, escalate_on = report.remind_on, report.escalate_on
            referrer, mailbox = world.people["referrer"].email, world.referring.mailbox
            coordinator = world.people["coordinator"].email
            db.session.remove()
        environment = service_environment(url, tmp_path)
        environment.update(PYTHONPATH=str(ROOT), MDK_BASE_URL="http://mdk.example")
        delivered = [("report.issued", referrer)]

        # before the morning: nothing yet
        run_job_frozen(environment, JOB, stockholm_at(remind_on, 6, 50))
        assert _state(app) == {"reminded": False, "escalated": False, "mail": delivered,
                               "findings": []}
        run_job_frozen(environment, JOB, stockholm_at(remind_on, 7, 5))
        reminded = [*delivered, ("report.reminder", referrer)]
        assert _state(app) == {"reminded": True, "escalated": False, "mail": reminded,
                               "findings": []}
        # again: nothing new
        run_job_frozen(environment, JOB, stockholm_at(remind_on, 7, 5) + timedelta(hours=2))
        assert _state(app)["mail"] == reminded
        run_job_frozen(environment, JOB, stockholm_at(escalate_on, 7, 5))
        state = _state(app)
        assert state["escalated"] and state["findings"] == []
        assert sorted(state["mail"][len(reminded):]) == sorted(
            [("report.escalation", mailbox), ("report.escalation", coordinator)])
        run_job_frozen(environment, JOB, stockholm_at(escalate_on, 12))
        assert _state(app) == state
    finally:
        with app.app_context():
            db.engine.dispose()
        database.__exit__(None, None, None)
