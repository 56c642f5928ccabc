"""Delivery to a real SMTP server: headers and parts, retries, dead mail, a server that goes
away and comes back, the file backend."""

from __future__ import annotations

import ssl
import subprocess
import threading
from datetime import timedelta

from sqlalchemy import func, select, update

from mdk.audit.models import AuditEvent
from mdk.audit.service import system_actor
from mdk.config import with_overrides
from mdk.db import utcnow
from mdk.extensions import db
from mdk.outbox.delivery import deliver_due
from mdk.outbox.models import OutboxMessage
from mdk.outbox.operators import resend
from mdk.outbox.service import Attachment, Recipient, queue_mail
from tests.outbox.conftest import MailServer

CALENDAR = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"


def _queue(number: int, **kwargs) -> OutboxMessage:
    return queue_mail(Recipient(f"mottagare{number}@example.se"), kind="test",
                      template="test_message", context={}, idempotency_key=f"t:{number}",
                      **kwargs)


def _states() -> dict[str, int]:
    return dict(db.session.execute(
        select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)).all())


def test_a_queued_mail_arrives_with_its_headers_and_parts(delivering, mail_server):
    with delivering.app_context():
        row = _queue(1, reply_to="enheten@example.se", calendar=CALENDAR,
                     calendar_method="REQUEST",
                     attachments=[Attachment("kallelse.pdf", "application/pdf", b"%PDF-1")])
        db.session.commit()
        result = deliver_due()
        [received] = mail_server.messages
        assert result.sent == 1
        assert received["Message-ID"] == row.message_id
        assert received["From"] == "mdk@localhost"
        assert received["To"] == "mottagare1@example.se"
        assert received["Reply-To"] == "enheten@example.se"
        assert received["Subject"] == "Testmeddelande från tjänsten för nationell MDK"
        assert received["Date"]
        assert received.get_content_type() == "multipart/mixed"
        alternative = next(part for part in received.iter_parts()
                           if part.get_content_type() == "multipart/alternative")
        kinds = [part.get_content_type() for part in alternative.iter_parts()]
        assert kinds == ["text/plain", "text/html", "text/calendar"]
        assert alternative.get_payload()[2].get_param("method") == "REQUEST"
        [attached] = list(received.iter_attachments())
        assert attached.get_filename() == "kallelse.pdf"
        assert attached.get_content() == b"%PDF-1"
        sent = db.session.get(OutboxMessage, row.id)
        db.session.refresh(sent)
        assert sent.state == "sent" and sent.sent_at is not None and sent.attempts == 1


def test_a_550_answer_makes_the_mail_dead_and_resend_delivers_it(delivering, mail_server):
    with delivering.app_context():
        row = _queue(1)
        db.session.commit()
        mail_server.rcpt_answer = "550 5.1.1 <mottagare1@example.se>: no such mailbox"
        deliver_due()
        db.session.refresh(row)
        assert row.state == "dead"
        # The code and our own words: never the server's text (it may quote the mail).
        assert row.last_error == "550 5.1.1 recipient refused"
        assert mail_server.messages == []
        mail_server.rcpt_answer = None
        resend(row.id, system_actor())
        deliver_due()
        db.session.refresh(row)
        assert row.state == "sent"
        assert mail_server.message_ids == [row.message_id]
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "outbox.resend", AuditEvent.object_id == row.id)) == 1


def test_a_451_answer_is_retried_after_a_growing_delay(delivering, mail_server, monkeypatch):
    settings = with_overrides(delivering.config["MDK"], outbox_retry_base_seconds=60)
    monkeypatch.setitem(delivering.config, "MDK", settings)
    with delivering.app_context():
        row = _queue(1)
        db.session.commit()
        mail_server.rcpt_answer = "451 4.3.0 try again later"
        before = utcnow()
        deliver_due()
        db.session.refresh(row)
        assert (row.state, row.attempts, row.last_error) == ("failed", 1,
                                                             "451 4.3.0 recipient refused")
        assert before + timedelta(seconds=29) < row.next_attempt_at \
            < utcnow() + timedelta(seconds=61)
        assert deliver_due().claimed == 0  # not due yet


def test_too_many_failed_attempts_make_the_mail_dead(delivering, mail_server, monkeypatch):
    settings = with_overrides(delivering.config["MDK"], outbox_max_attempts=2)
    monkeypatch.setitem(delivering.config, "MDK", settings)
    with delivering.app_context():
        row = _queue(1)
        db.session.commit()
        mail_server.stop()
        deliver_due()
        deliver_due()
        db.session.refresh(row)
        assert (row.state, row.attempts) == ("dead", 2)
        assert row.last_error == "connect: ConnectionRefusedError"


def test_500_mails_all_arrive_when_the_server_stops_part_way_and_comes_back(
        delivering, mail_server):
    with delivering.app_context():
        rows = [_queue(number) for number in range(500)]
        db.session.commit()
        expected = {row.message_id for row in rows}
        stopped = threading.Event()

        def stop_part_way(count: int) -> None:
            if count == 180 and not stopped.is_set():
                stopped.set()  # from another thread: the server's own loop cannot stop itself
                threading.Thread(target=mail_server.stop).start()

        mail_server.on_message = stop_part_way
        deliver_due()
        assert stopped.wait(5)
        deliver_due()  # refused: the server is away
        assert _states().get("failed", 0) > 0
        mail_server.on_message = None
        mail_server.start()
        for _ in range(50):
            if _states() == {"sent": 500}:
                break
            deliver_due()
        received = mail_server.message_ids
        assert _states() == {"sent": 500}
        assert set(received) == expected
        # At least once: only the mail in flight when the server went away came twice.
        assert len(received) - len(expected) <= 1


def test_the_file_backend_writes_each_mail_as_an_eml_file(app, monkeypatch, tmp_path):
    settings = with_overrides(app.config["MDK"], mail_backend="file",
                              instance_dir=str(tmp_path))
    monkeypatch.setitem(app.config, "MDK", settings)
    with app.app_context():
        row = _queue(1)
        db.session.commit()
        deliver_due()
        [written] = (tmp_path / "mail").glob("*.eml")
        text = written.read_text()
        assert f"Message-ID: {row.message_id}" in text
        assert "To: mottagare1@example.se" in text


def test_the_scheduler_job_delivers_what_is_due(delivering, mail_server):
    from scheduler.registry import deliver_outbox

    with delivering.app_context():
        row = _queue(1)
        db.session.commit()
        deliver_outbox()
        assert mail_server.message_ids == [row.message_id]


def _self_signed_certificate(folder) -> tuple[str, str]:
    cert, key = str(folder / "cert.pem"), str(folder / "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


def test_starttls_is_used_and_the_servers_certificate_checked(app, monkeypatch, tmp_path):
    cert, key = _self_signed_certificate(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    server = MailServer(tls_context=server_context, require_starttls=True)
    server.start()
    try:
        settings = with_overrides(app.config["MDK"],
                                  **{**server.smtp_settings(), "smtp_security": "starttls"})
        monkeypatch.setitem(app.config, "MDK", settings)
        with app.app_context():
            row = _queue(1)
            db.session.commit()
            # Not trusted: the certificate check refuses the server, and the mail waits.
            deliver_due()
            db.session.refresh(row)
            assert (row.state, row.last_error) == ("failed", "connect: SSLCertVerificationError")
            trusting = ssl.create_default_context(cafile=cert)
            monkeypatch.setattr("mdk.outbox.transport._tls_context", lambda: trusting)
            db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
            db.session.commit()
            deliver_due()
            assert server.message_ids == [row.message_id]
    finally:
        server.stop()
