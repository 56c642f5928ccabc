"""Queueing mail: rendered when written, in the caller's transaction, once per recipient."""

from __future__ import annotations

import re

import flask_migrate
import pytest
from sqlalchemy import func, select

from mdk.extensions import db
from mdk.outbox.models import OutboxMessage
from mdk.outbox.service import Attachment, Recipient, queue_mail
from tests.conftest import make_app
from tests.support import fresh_database


def _queue(email="kliniken@example.se", key="test:1", **kwargs):
    return queue_mail(Recipient(email, locale=kwargs.pop("locale", "sv")), kind="test",
                      template="test_message", context={}, idempotency_key=key, **kwargs)


def test_queue_mail_renders_the_templates_in_the_recipients_language(app_ctx):
    swedish = _queue(key="k:sv")
    english = _queue(key="k:en", locale="en")
    assert swedish.subject == "Testmeddelande från tjänsten för nationell MDK"
    assert "Detta är ett automatiskt meddelande från tjänsten för nationell MDK" \
        in swedish.body_text
    assert "http://localhost/" in swedish.body_text
    assert '<a href="http://localhost/">' in swedish.body_html
    assert english.subject == "Test message from the national MDK service"
    assert "automatic message" in english.body_html


def test_queue_mail_writes_a_queued_row_with_a_stable_message_id(app_ctx):
    message = _queue(reply_to="enheten@example.se",
                     attachments=[Attachment("a.txt", "text/plain", b"hej")])
    db.session.flush()
    assert message.state == "queued" and message.attempts == 0
    assert re.fullmatch(r"<[0-9a-f]{32}@localhost>", message.message_id)
    assert message.reply_to == "enheten@example.se"
    assert message.attachments == [{"filename": "a.txt", "content_type": "text/plain",
                                    "data": "aGVq"}]


def test_queue_mail_twice_with_one_key_queues_one_mail_per_recipient(app_ctx):
    first = _queue(key="case.accepted:7")
    again = _queue(key="case.accepted:7")
    other = _queue(email="doktor@example.se", key="case.accepted:7")
    assert first is not None and again is None and other is not None
    count = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    assert count == 2


def test_a_rendered_row_does_not_change_when_the_template_does(app_ctx, app):
    message = _queue()
    db.session.flush()
    app.jinja_env.cache.clear()
    assert db.session.get(OutboxMessage, message.id).body_text == message.body_text


@pytest.mark.own_database
def test_a_change_whose_transaction_rolls_back_queues_nothing(tmp_path):
    with fresh_database(tmp_path) as url:
        app = make_app(url, tmp_path)
        with app.app_context():
            flask_migrate.upgrade()
            _queue(key="kept")
            db.session.commit()
            _queue(key="rolled-back")
            db.session.rollback()
            keys = db.session.scalars(select(OutboxMessage.idempotency_key)).all()
            db.session.remove()
            db.engine.dispose()
    assert keys == ["kept"]
