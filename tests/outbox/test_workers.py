"""Delivery workers as the processes they are (`mdk outbox work`), on a database of their
own: one killed mid-batch loses nothing, and two at once on PostgreSQL send each mail once."""

from __future__ import annotations

import signal
import sys
import time
from collections import Counter
from contextlib import contextmanager

import flask_migrate
import pytest
from sqlalchemy import select

from mdk.extensions import db
from mdk.outbox.models import OutboxMessage
from mdk.outbox.service import Recipient, queue_mail
from tests.conftest import make_app
from tests.support import fresh_database, running, service_environment

pytestmark = pytest.mark.own_database

WORKER = [sys.executable, "-m", "mdk.cli", "outbox", "work", "--batch", "20",
          "--idle-seconds", "0.1"]


@contextmanager
def _queued_world(tmp_path, count: int):
    """A migrated database with `count` queued mails: (app, url, their Message-IDs)."""
    with fresh_database(tmp_path) as url:
        app = make_app(url, tmp_path)
        with app.app_context():
            flask_migrate.upgrade()
            ids = {queue_mail(Recipient(f"m{number}@example.se"), kind="test",
                              template="test_message", context={},
                              idempotency_key=f"w:{number}").message_id
                   for number in range(count)}
            db.session.commit()
            db.session.remove()
        try:
            yield app, url, ids
        finally:
            with app.app_context():
                db.engine.dispose()


def _environment(url, tmp_path, mail_server, **extra) -> dict[str, str]:
    environment = service_environment(url, tmp_path)
    environment.update({f"MDK_{key.upper()}": str(value)
                        for key, value in {**mail_server.smtp_settings(), **extra}.items()})
    return environment


def _states(app) -> dict[int, str]:
    with app.app_context():
        rows = db.session.execute(select(OutboxMessage.message_id, OutboxMessage.state)).all()
        db.session.remove()
    return dict(rows)


def _wait_until(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_only_mail_in_flight(
        tmp_path, mail_server):
    with _queued_world(tmp_path, 120) as (app, url, expected):
        mail_server.data_delay = 0.01  # slow enough to be killed mid-batch
        environment = _environment(url, tmp_path, mail_server, outbox_lease_seconds=1)
        with running(WORKER, environment, tmp_path / "first.log") as first:
            _wait_until(lambda: len(mail_server.messages) >= 50, 30)
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        in_flight = {key for key, state in _states(app).items() if state == "sending"}
        assert in_flight, "the kill should have found a batch in flight"
        with running(WORKER, environment, tmp_path / "second.log") as second:
            _wait_until(lambda: set(_states(app).values()) == {"sent"}, 30)
            second.send_signal(signal.SIGTERM)
            assert second.wait(10) == 0  # a clean stop after the batch in hand
        received = Counter(mail_server.message_ids)
        assert set(received) == expected
        repeated = {key for key, times in received.items() if times > 1}
        assert repeated <= in_flight


def test_two_workers_at_once_on_postgresql_send_each_mail_once(tmp_path, mail_server):
    with _queued_world(tmp_path, 300) as (app, url, expected):
        if not url.startswith("postgresql"):
            pytest.skip("several workers share a queue on PostgreSQL; SQLite runs one")
        environment = _environment(url, tmp_path, mail_server)
        with running(WORKER, environment, tmp_path / "a.log") as first, \
                running(WORKER, environment, tmp_path / "b.log") as second:
            _wait_until(lambda: set(_states(app).values()) == {"sent"}, 40)
            for worker in (first, second):
                worker.send_signal(signal.SIGTERM)
            assert [first.wait(10), second.wait(10)] == [0, 0]
        received = Counter(mail_server.message_ids)
        assert set(received) == expected
        assert max(received.values()) == 1
        both = (tmp_path / "a.log").read_text(), (tmp_path / "b.log").read_text()
        assert all("outbox worker stopped" in log for log in both)


