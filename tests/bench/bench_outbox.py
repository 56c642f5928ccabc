"""Outbox delivery (issue #10), on PostgreSQL, to a local aiosmtpd server.

1. Throughput: MESSAGES queued mails delivered by the outbox (claim, build, send over one
   connection per batch, record), divided by raw smtplib sending the same messages over one
   connection to the same server. Target >= 0.5.
2. The queue claim per batch at 100 and at 10,000 queued rows: the SQL statements of one
   batch (target: the same number at both sizes), and the EXPLAIN of the due-rows query
   (target: it walks the partial index ix_outbox_messages_due, no sort of the queue).
"""

from __future__ import annotations

import smtplib
import tempfile
import time
from pathlib import Path

import flask_migrate
from sqlalchemy import delete, insert, select

from mdk import create_app
from mdk.db import utcnow
from mdk.extensions import db
from mdk.outbox.delivery import claim_due, deliver_batch, deliver_due, due_rows_query
from mdk.outbox.message import build_message
from mdk.outbox.models import OutboxMessage
from mdk.outbox.service import Recipient, new_message_id, queue_mail
from tests.outbox.conftest import MailServer
from tests.support import count_statements, fresh_database

MESSAGES = 1000
REPEATS = 3  # best of: a busy machine only adds time
QUEUE_SIZES = (100, 10_000)
THROUGHPUT_TARGET = 0.5
INDEX = "ix_outbox_messages_due"


def _app(url: str, folder: Path, server: MailServer):
    return create_app({"env": "test", "database_url": url, "instance_dir": str(folder),
                       "base_url": "http://localhost", "secret_key": "bench-secret",
                       "log_level": "WARNING", **server.smtp_settings()})


def _fill(count: int) -> None:
    """`count` queued rows, rendered once and copied (each with its own ids)."""
    db.session.execute(delete(OutboxMessage))
    template = queue_mail(Recipient("mall@example.se"), kind="bench", template="test_message",
                          context={}, idempotency_key="bench:template")
    db.session.flush()
    fields = {"kind": template.kind, "locale": template.locale, "subject": template.subject,
              "body_text": template.body_text, "body_html": template.body_html,
              "state": "queued", "attempts": 0, "next_attempt_at": utcnow()}
    db.session.execute(delete(OutboxMessage))
    rows = [{**fields, "message_id": new_message_id(), "idempotency_key": f"bench:{number}",
             "recipient_email": f"m{number}@example.se"} for number in range(count)]
    db.session.execute(insert(OutboxMessage), rows)
    db.session.commit()
    db.session.connection().exec_driver_sql("ANALYZE outbox_messages")
    db.session.commit()


def _raw_smtplib_seconds(server: MailServer, rows: list[OutboxMessage]) -> float:
    """The same mails, already read from the database, built and sent over one connection:
    what sending costs with no queue at all."""
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", server.port, timeout=10) as connection:
        for row in rows:
            connection.send_message(build_message(row, "mdk@localhost"),
                                    from_addr="mdk@localhost", to_addrs=[row.recipient_email])
    return time.perf_counter() - started


def _throughput(server: MailServer) -> list[str]:
    best_outbox, best_raw = float("inf"), float("inf")
    for _ in range(REPEATS):
        _fill(MESSAGES)
        rows = db.session.scalars(select(OutboxMessage)).all()
        db.session.commit()
        best_raw = min(best_raw, _raw_smtplib_seconds(server, rows))
        started = time.perf_counter()
        result = deliver_due()
        best_outbox = min(best_outbox, time.perf_counter() - started)
        assert result.sent == MESSAGES, result
    ratio = best_raw / best_outbox
    verdict = "ok" if ratio >= THROUGHPUT_TARGET else "BELOW TARGET"
    return [f"outbox throughput: {MESSAGES / best_outbox:,.0f} mails/s, raw smtplib "
            f"{MESSAGES / best_raw:,.0f} mails/s, ratio {ratio:.2f} (target >= "
            f"{THROUGHPUT_TARGET}) {verdict}"]


def _explain_due_rows() -> list[str]:
    query = due_rows_query(50, utcnow())
    compiled = query.compile(dialect=db.engine.dialect,
                             compile_kwargs={"render_postcompile": True})
    plan = db.session.connection().exec_driver_sql(
        f"EXPLAIN {compiled}", compiled.params).scalars().all()
    db.session.commit()
    return plan


def _claim(size: int) -> list[str]:
    _fill(size)
    with count_statements(db.engine) as claim_only:
        claim_due(50)
    db.session.rollback()
    _fill(size)
    with count_statements(db.engine) as whole_batch:
        deliver_batch(50)
    plan = _explain_due_rows()
    uses_index = any(INDEX in line for line in plan)
    lines = [f"queue of {size:,}: claim {claim_only.count} statement(s), a whole batch of 50 "
             f"{whole_batch.count}; due-rows query "
             f"{'uses ' + INDEX if uses_index else 'DOES NOT USE THE INDEX'}"]
    lines += [f"    {line}" for line in plan]
    return lines


def main() -> None:
    server = MailServer()
    server.start()
    try:
        with tempfile.TemporaryDirectory() as folder, \
                fresh_database(Path(folder), "postgresql") as url:
            app = _app(url, Path(folder), server)
            with app.app_context():
                flask_migrate.upgrade()
                lines = _throughput(server)
                for size in QUEUE_SIZES:
                    lines += _claim(size)
                db.session.remove()
                db.engine.dispose()
            for line in lines:
                print(line, flush=True)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
