"""What operators have: the queue page with its resend button, `mdk outbox status` and
`resend`, /healthz's oldest queued age, and the scheduler's delivery job."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from mdk.audit.models import AuditEvent
from mdk.db import utcnow
from mdk.extensions import db
from mdk.outbox.models import OutboxMessage
from mdk.outbox.service import Recipient, queue_mail
from scheduler.registry import load_jobs
from tests.access.helpers import csrf_token

SECRET_SUBJECT_WORD = "Testmeddelande"  # in every test mail's subject: never on the page


def _dead_mail(app, email="fel@example.se", error="550 5.1.1 recipient refused") -> int:
    with app.app_context():
        mail = queue_mail(Recipient(email), kind="case.accepted", template="test_message",
                          context={}, idempotency_key=f"op:{email}")
        db.session.flush()
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id == mail.id)
                           .values(state="dead", attempts=3, last_error=error))
        db.session.commit()
        return mail.id


def test_the_queue_page_shows_counts_and_dead_mail_without_its_content(app, client):
    mail_id = _dead_mail(app)
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert 'id="count-dead">1<' in page
    assert "fel@example.se" in page and "550 5.1.1 recipient refused" in page
    assert f"/admin/outbox/{mail_id}/resend" in page
    assert SECRET_SUBJECT_WORD not in page


def test_resend_from_the_page_queues_the_mail_again_and_audits_it(app, client):
    mail_id = _dead_mail(app)
    response = client.post(f"/admin/outbox/{mail_id}/resend",
                           data={"csrf_token": csrf_token(client)})
    assert response.status_code == 302
    with app.app_context():
        mail = db.session.get(OutboxMessage, mail_id)
        assert (mail.state, mail.attempts) == ("queued", 0)
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "outbox.resend")).one()
        assert event.object_type == "outbox_message" and event.object_id == mail_id


def test_resend_without_a_csrf_token_is_refused(app, client):
    mail_id = _dead_mail(app)
    assert client.post(f"/admin/outbox/{mail_id}/resend").status_code == 400
    with app.app_context():
        assert db.session.get(OutboxMessage, mail_id).state == "dead"


def test_resend_of_mail_that_is_not_dead_is_a_404(app, client):
    with app.app_context():
        mail = queue_mail(Recipient("ok@example.se"), kind="test", template="test_message",
                          context={}, idempotency_key="op:queued")
        db.session.commit()
        mail_id = mail.id
    response = client.post(f"/admin/outbox/{mail_id}/resend",
                           data={"csrf_token": csrf_token(client)})
    assert response.status_code == 404


def test_status_prints_counts_the_oldest_waiting_age_and_dead_mail(app, runner):
    mail_id = _dead_mail(app)
    with app.app_context():
        queue_mail(Recipient("vantar@example.se"), kind="test", template="test_message",
                   context={}, idempotency_key="op:waiting")
        db.session.flush()
        db.session.execute(update(OutboxMessage).where(OutboxMessage.state == "queued")
                           .values(created_at=utcnow() - timedelta(minutes=10)))
        db.session.commit()
    result = runner.invoke(args=["outbox", "status"])
    assert result.exit_code == 0, result.output
    assert "queued 1" in result.output and "dead 1" in result.output
    assert "oldest waiting: 6" in result.output  # 600 s and a little
    assert f"dead {mail_id} case.accepted to fel@example.se: 550 5.1.1" in result.output


def test_resend_command_queues_a_dead_mail_and_refuses_any_other(app, runner):
    mail_id = _dead_mail(app)
    assert runner.invoke(args=["outbox", "resend", str(mail_id)]).exit_code == 0
    again = runner.invoke(args=["outbox", "resend", str(mail_id)])
    assert again.exit_code == 2 and "is not dead" in again.output


def test_healthz_reports_the_oldest_queued_age(app, client):
    assert client.get("/healthz").json["outbox_oldest_queued_seconds"] is None
    with app.app_context():
        queue_mail(Recipient("vantar@example.se"), kind="test", template="test_message",
                   context={}, idempotency_key="op:health")
        db.session.flush()
        db.session.execute(update(OutboxMessage)
                           .values(created_at=utcnow() - timedelta(seconds=90)))
        db.session.commit()
    age = client.get("/healthz").json["outbox_oldest_queued_seconds"]
    assert 90 <= age < 120


def test_the_scheduler_delivers_the_outbox_every_minute():
    job = next(job for job in load_jobs() if job.id == "deliver-outbox")
    assert (job.trigger, job.trigger_args) == ("interval", {"minutes": 1})


def test_an_unknown_mail_backend_is_refused_naming_the_setting():
    import pytest

    from mdk.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match="MDK_MAIL_BACKEND"):
        load_settings(environ={"MDK_MAIL_BACKEND": "pigeon"})
