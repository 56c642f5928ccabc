"""The answer links of the invite mail (mdk.invites.answers): signed single-purpose tokens, a
confirmation page that only records on a POST, and the token kept out of the logs."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from html import unescape

import pytest
from flask import current_app
from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from mdk.extensions import db
from mdk.invites import answers, sending, service
from mdk.invites.models import InviteSent
from mdk.outbox.models import OutboxMessage
from tests.access.helpers import csrf_token
from tests.invites.test_imip import world  # noqa: F401 - fixture


@pytest.fixture()
def sent(world):  # noqa: F811 - the fixture above
    sending.send_invites()
    return world


class _Phone:
    """Nobody logged in, each request in an app context of its own (as a real server)."""

    def __init__(self, app) -> None:
        self.app, self.client = app, app.test_client()

    def get(self, path):
        with self.app.app_context():
            return self.client.get(path)

    def post(self, path, csrf: bool = True):
        with self.app.app_context():
            data = {"csrf_token": csrf_token(self.client)} if csrf else {}
            return self.client.post(path, data=data)


@pytest.fixture()
def phone(app):
    return _Phone(app)


def _path(token: str) -> str:
    return f"/invites/answer/{token}"


def _token(sent, partstat="ACCEPTED", sequence=0, index=0, email=None) -> str:
    return answers.make_token(sent.conference.id, email or sent.mdt[index].email, partstat,
                              sequence)


def _row(sent, index=0) -> InviteSent:
    db.session.expire_all()
    return db.session.scalar(select(InviteSent).where(
        InviteSent.uid == service.meeting_uid(sent.conference),
        InviteSent.attendee_email == sent.mdt[index].email))


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def test_a_token_reads_back_what_it_was_made_of(sent):
    token = _token(sent, "TENTATIVE", 3)
    assert answers.read_token(token) == answers.AnswerToken(
        sent.conference.id, sent.mdt[0].email, "TENTATIVE", 3)
    assert answers.read_token(token[:-2]) is None
    # Signed by the same secret for another purpose (the CSRF tokens' salt): not one of ours.
    other = URLSafeSerializer(current_app.secret_key, salt="wtf-csrf-token")
    assert answers.read_token(other.dumps([sent.conference.id, sent.mdt[0].email, "a", 0])) \
        is None


def test_the_invite_mail_carries_the_three_links_in_text_and_html(sent, phone):
    mail = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.recipient_email == sent.mdt[0].email))
    for label in ("Ja:", "Kanske:", "Nej:"):
        assert label in mail.body_text
    links = re.findall(r"https?://\S+/invites/answer/[^\s\"<]+", mail.body_text)
    assert len(links) == 3
    assert all(link in unescape(mail.body_html) for link in links)
    readings = [answers.read_token(link.rsplit("/", 1)[1]) for link in links]
    assert [reading.partstat for reading in readings] == ["ACCEPTED", "TENTATIVE", "DECLINED"]
    assert {(r.email, r.sequence) for r in readings} == {(sent.mdt[0].email, 0)}


def test_an_english_reader_gets_english_link_labels(world):  # noqa: F811
    world.mdt[1].locale = "en"
    db.session.commit()
    sending.send_invites()
    mail = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.recipient_email == world.mdt[1].email))
    assert "Or answer with a link" in mail.body_text and "Maybe:" in mail.body_text


def test_opening_the_link_changes_nothing_and_posting_records_the_answer(sent, phone):
    path = _path(_token(sent, "DECLINED"))

    page = phone.get(path)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Ditt svar registreras som: Nej, jag kan inte delta." in _text(page)
    assert sent.conference.host_unit.name in _text(page)
    assert _row(sent).partstat == "NEEDS-ACTION"

    done = phone.post(path)
    assert done.status_code == 200
    assert "Tack: ditt svar ”Nej, jag kan inte delta” är registrerat." in _text(done)
    row = _row(sent)
    assert (row.partstat, row.answered_via) == ("DECLINED", "link")
    assert _row(sent, 1).partstat == "NEEDS-ACTION"  # the other attendee's is their own


def test_a_post_without_the_forms_csrf_token_records_nothing(sent, phone):
    response = phone.post(_path(_token(sent)), csrf=False)
    assert response.status_code == 400
    assert _row(sent).partstat == "NEEDS-ACTION"


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_altered_token_is_refused_with_400(sent, phone, method):
    token = _token(sent)
    payload, _dot, signature = token.rpartition(".")
    forged = answers._serializer().dump_payload(
        [sent.conference.id, sent.mdt[1].email, "a", 0]).decode()
    # The signature's first character altered (its last may carry only base64 padding bits,
    # and an 'x' put there may be the one it had: that made this test flaky).
    altered = ("B" if signature[0] == "A" else "A") + signature[1:]
    for bad in (f"{forged}.{signature}", f"{payload}.{altered}", "no-such-token",
                "%00", "x" * 2000):
        response = getattr(phone, method)(_path(bad))
        assert response.status_code == 400, bad
        assert "Svarslänken är inte giltig" in _text(response)
    assert _row(sent, 1).partstat == "NEEDS-ACTION"


def test_a_token_for_an_address_never_sent_the_invite_answers_nothing(sent, phone):
    stranger = _path(_token(sent, email="stranger@example.se"))
    assert phone.get(stranger).status_code == 404
    assert phone.post(stranger).status_code == 404
    assert {row.partstat for row in db.session.scalars(select(InviteSent))} == {"NEEDS-ACTION"}


def test_a_link_of_an_older_version_offers_the_current_one(sent, phone):
    old = _path(_token(sent, "ACCEPTED", 0))
    sent.conference.starts_at += timedelta(hours=2)
    sent.conference.ends_at += timedelta(hours=2)
    db.session.commit()
    sending.send_invites()  # the update: SEQUENCE 1

    page = phone.get(old)
    assert page.status_code == 200 and "Mötet har ändrats" in _text(page)
    refused = phone.post(old)
    assert refused.status_code == 409
    assert _row(sent).partstat == "NEEDS-ACTION"
    offered = re.findall(r'action="(/invites/answer/[^"]+)"', page.get_data(as_text=True))
    assert len(offered) == 3
    assert answers.read_token(offered[0].rsplit("/", 1)[1]).sequence == 1
    assert phone.post(offered[0]).status_code == 200
    assert _row(sent).partstat == "ACCEPTED"


def test_a_link_is_valid_until_the_meeting_starts_and_not_after_a_cancel(sent, phone):
    path = _path(_token(sent))
    sent.conference.status = "cancelled"
    db.session.commit()
    sending.send_invites()
    assert phone.post(path).status_code == 404

    assert answers.open_link(_token(sent, index=1), now=sent.conference.starts_at) \
        is answers.Refusal.WITHDRAWN


def test_a_link_after_the_meeting_began_is_refused(sent):
    assert answers.open_link(_token(sent), now=sent.conference.starts_at) \
        is answers.Refusal.MEETING_BEGUN
    assert isinstance(answers.open_link(_token(sent), now=sent.conference.starts_at
                                        - timedelta(minutes=1)), answers.Invitation)


def test_no_answer_token_reaches_a_log_line(app, sent, phone, caplog):
    token = _token(sent)
    caplog.set_level(logging.DEBUG)
    phone.get(_path(token))
    logging.getLogger("gunicorn.access").info('%(h)s "%(r)s" %(s)s', {
        "h": "127.0.0.1", "s": "200", "r": f"POST /invites/answer/{token} HTTP/1.1"})
    app.logger.error("unhandled error on GET /invites/answer/%s", token)
    lines = [record.getMessage() for record in caplog.records]
    assert len([line for line in lines if "/invites/answer/***" in line]) >= 2
    assert token not in caplog.text
