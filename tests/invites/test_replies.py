"""Attendees' answers (mdk.invites.replies): who may answer what, and a new version of the
event asking again."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mdk.extensions import db
from mdk.invites import sending, service
from mdk.invites.replies import ReplyOutcome, invite_row, record_reply
from tests.invites.test_imip import world  # noqa: F401 - fixture


@pytest.fixture()
def sent(world):  # noqa: F811 - the fixture above
    sending.send_invites()
    return world


def _uid(meeting_world) -> str:
    return service.meeting_uid(meeting_world.conference)


def test_an_answer_is_stored_on_the_attendees_row(sent):
    email = sent.mdt[0].email

    outcome = record_reply(_uid(sent), email.upper(), "accepted", 0, via="mail")
    db.session.commit()

    assert outcome is ReplyOutcome.APPLIED
    row = invite_row(_uid(sent), email)
    assert (row.partstat, row.answered_via) == ("ACCEPTED", "mail")
    assert row.answered_at is not None


@pytest.mark.parametrize("partstat", ["NEEDS-ACTION", "DELEGATED", "", "MAYBE"])
def test_only_accept_tentative_and_decline_are_answers(sent, partstat):
    assert record_reply(_uid(sent), sent.mdt[0].email, partstat, 0, via="link") \
        is ReplyOutcome.NOT_AN_ANSWER
    assert invite_row(_uid(sent), sent.mdt[0].email).partstat == "NEEDS-ACTION"


def test_someone_never_sent_the_event_cannot_answer_it(sent):
    assert record_reply(_uid(sent), "stranger@example.se", "ACCEPTED", 0, via="mail") \
        is ReplyOutcome.UNKNOWN_EVENT
    assert record_reply("mdk-conference-999999@elsewhere", sent.mdt[0].email, "ACCEPTED", 0,
                        via="mail") is ReplyOutcome.UNKNOWN_EVENT


def test_a_changed_time_asks_again_and_an_answer_to_the_old_version_is_outdated(sent):
    email = sent.mdt[0].email
    record_reply(_uid(sent), email, "ACCEPTED", 0, via="mail")
    sent.conference.starts_at += timedelta(hours=1)
    sent.conference.ends_at += timedelta(hours=1)
    db.session.commit()

    sending.send_invites()  # the update, SEQUENCE 1

    assert invite_row(_uid(sent), email).partstat == "NEEDS-ACTION"
    assert record_reply(_uid(sent), email, "DECLINED", 0, via="mail") is ReplyOutcome.OUTDATED
    assert record_reply(_uid(sent), email, "DECLINED", 1, via="mail") is ReplyOutcome.APPLIED


def test_a_cancelled_invite_takes_no_answer(sent):
    sent.conference.status = "cancelled"
    db.session.commit()
    sending.send_invites()

    assert record_reply(_uid(sent), sent.mdt[0].email, "ACCEPTED", None, via="link") \
        is ReplyOutcome.WITHDRAWN


def test_a_reply_given_before_the_stored_answer_changes_nothing(sent):
    """A slow mail: the attendee declined by mail, then accepted by the link; the mail's
    REPLY, read after the link, is older (its DTSTAMP) and does not undo the acceptance."""
    from mdk.db import utcnow

    email = sent.mdt[0].email
    clicked = utcnow().replace(microsecond=0)
    assert record_reply(_uid(sent), email, "ACCEPTED", 0, via="link", now=clicked) \
        is ReplyOutcome.APPLIED
    older = record_reply(_uid(sent), email, "DECLINED", 0, via="mail",
                         now=clicked + timedelta(minutes=5),
                         given_at=clicked - timedelta(minutes=10))
    assert older is ReplyOutcome.SUPERSEDED
    row = invite_row(_uid(sent), email)
    assert (row.partstat, row.answered_via, row.answered_at) == ("ACCEPTED", "link", clicked)
    newer = record_reply(_uid(sent), email, "TENTATIVE", 0, via="mail",
                         now=clicked + timedelta(minutes=6),
                         given_at=clicked + timedelta(minutes=1))
    assert newer is ReplyOutcome.APPLIED and row.partstat == "TENTATIVE"
    assert row.answered_at == clicked + timedelta(minutes=1)


def test_a_reply_stamped_in_the_future_counts_as_now(sent):
    from mdk.db import utcnow

    email = sent.mdt[0].email
    now = utcnow().replace(microsecond=0)
    assert record_reply(_uid(sent), email, "DECLINED", 0, via="mail", now=now,
                        given_at=now + timedelta(days=365)) is ReplyOutcome.APPLIED
    assert invite_row(_uid(sent), email).answered_at == now
    # The attendee's later answer still counts: the wrong clock shut nothing out.
    assert record_reply(_uid(sent), email, "ACCEPTED", 0, via="link",
                        now=now + timedelta(minutes=1)) is ReplyOutcome.APPLIED
