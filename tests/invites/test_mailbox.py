"""The attendees' answers read from a real IMAP server (Dovecot, tests/invites/dovecot.py):
the job read-replies applies each iTIP REPLY to the attendee's invite row and files every
message it read, into the processed folder or the unusable one. Each test has a mailbox of
its own (a fresh IMAP user)."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

import pytest

from mdk.config import with_overrides
from mdk.extensions import db
from mdk.invites import mailbox, sending, service
from mdk.invites.replies import invite_row, record_reply
from tests.invites.dovecot import PASSWORD
from tests.invites.test_imip import world  # noqa: F401 - fixture

PROCESSED, UNUSABLE = "nMDK/Behandlade", "nMDK/Ej behandlade"


class Mailbox:
    """The test's side of the mailbox: put mail in with APPEND, look into the folders."""

    def __init__(self, server, user: str) -> None:
        self.server, self.user = server, user

    def append(self, *messages: bytes) -> None:
        imap = self.server.connect(self.user)
        try:
            for raw in messages:
                assert imap.append("INBOX", None, None, raw)[0] == "OK"
        finally:
            imap.logout()

    def messages(self, folder: str) -> list[bytes]:
        """The mails of a folder ([] when it does not exist), in order."""
        imap = self.server.connect(self.user)
        try:
            name = mailbox._mailbox(folder, "/")
            if imap.select(name, readonly=True)[0] != "OK":
                return []
            uids = imap.uid("SEARCH", None, "UNDELETED")[1][0].split()
            return [mailbox._body(imap, uid) for uid in uids]
        finally:
            imap.logout()

    def counts(self) -> tuple[int, int, int]:
        return tuple(len(self.messages(name)) for name in ("INBOX", PROCESSED, UNUSABLE))


@pytest.fixture()
def inbox(dovecot, app, monkeypatch) -> Mailbox:
    user = f"nmdk-{uuid.uuid4().hex[:12]}"
    monkeypatch.setitem(app.config, "MDK", with_overrides(
        app.config["MDK"], imap_host="127.0.0.1", imap_port=dovecot.port,
        imap_security="none", imap_user=user, imap_password=PASSWORD))
    return Mailbox(dovecot, user)


@pytest.fixture()
def sent(world):  # noqa: F811 - the fixture above
    sending.send_invites()
    return world


def _uid(meeting_world) -> str:
    return service.meeting_uid(meeting_world.conference)


# --- the mails, as calendar clients send them ------------------------------------------------

def reply_calendar(uid: str, attendee: str, partstat: str, sequence: int | None = 0, *,
                   extra: str = "", prodid: str = "-//Microsoft Corporation//Outlook 16.0//EN"
                   ) -> str:
    lines = ["BEGIN:VCALENDAR", f"PRODID:{prodid}", "VERSION:2.0", "METHOD:REPLY",
             "BEGIN:VEVENT", "DTSTAMP:20261201T100000Z", f"UID:{uid}",
             *([f"SEQUENCE:{sequence}"] if sequence is not None else []),
             "DTSTART:20261208T070000Z", "DTEND:20261208T083000Z",
             "ORGANIZER;CN=nMDK analcancer:mailto:nmdk-analcancer@mdk.example.se",
             f"ATTENDEE;PARTSTAT={partstat};CN=Anna Onkolog:mailto:{attendee}",
             *([extra] if extra else []), "SUMMARY:Accepted: nMDK analcancer",
             "END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(lines) + "\r\n"


def _headers(message: EmailMessage, sender: str, subject: str) -> EmailMessage:
    message["From"] = sender
    message["To"] = "nmdk-analcancer@mdk.example.se"
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime(2026, 12, 1, 10, 0, tzinfo=UTC))
    message["Message-ID"] = f"<{uuid.uuid4().hex}@client.example.se>"
    return message


def outlook_reply(calendar: str, sender: str) -> bytes:
    """Outlook: multipart/alternative, the calendar inline and base64, no attachment."""
    message = EmailMessage()
    message.set_content("Anna Onkolog har accepterat.")
    message.add_alternative("<p>Anna Onkolog har accepterat.</p>", subtype="html")
    message.add_alternative(calendar.encode("utf-8"), maintype="text", subtype="calendar",
                            cte="base64", params={"method": "REPLY", "charset": "utf-8"})
    return _headers(message, sender, "Accepterat: nMDK analcancer").as_bytes(policy=SMTP)


def thunderbird_reply(calendar: str, sender: str) -> bytes:
    """Thunderbird (Google alike): the object inline, quoted-printable, and again as
    invite.ics (application/ics, base64)."""
    message = EmailMessage()
    message.set_content("Svar på inbjudan")
    message.add_attachment(calendar.encode("utf-8"), maintype="text", subtype="calendar",
                           cte="quoted-printable", disposition="inline",
                           params={"method": "REPLY", "charset": "utf-8"})
    message.add_attachment(calendar.encode("utf-8"), maintype="application", subtype="ics",
                           filename="invite.ics")
    return _headers(message, sender, "Svar: nMDK analcancer").as_bytes(policy=SMTP)


def plain_mail(sender: str, text: str = "Tack, jag kommer!") -> bytes:
    message = EmailMessage()
    message.set_content(text)
    return _headers(message, sender, "Re: Kallelse").as_bytes(policy=SMTP)


# --- answers applied ----------------------------------------------------------------------

def test_an_accept_from_outlook_is_applied_and_filed_as_processed(sent, inbox):
    email = sent.mdt[0].email
    inbox.append(outlook_reply(reply_calendar(_uid(sent), email.upper(), "ACCEPTED"), email))

    result = mailbox.read_replies()

    row = invite_row(_uid(sent), email)
    assert (row.partstat, row.answered_via) == ("ACCEPTED", "mail")
    assert (result.processed, result.unusable, result.applied) == (1, 0, 1)
    assert inbox.counts() == (0, 1, 0)
    assert invite_row(_uid(sent), sent.mdt[1].email).partstat == "NEEDS-ACTION"


@pytest.mark.parametrize("partstat", ["DECLINED", "TENTATIVE"])
def test_a_decline_or_tentative_from_thunderbird_is_applied_once(sent, inbox, partstat):
    email = sent.mdt[1].email
    calendar = reply_calendar(_uid(sent), email, partstat, sequence=None,
                              prodid="-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN")
    inbox.append(thunderbird_reply(calendar, email))

    result = mailbox.read_replies()

    assert invite_row(_uid(sent), email).partstat == partstat
    assert (result.processed, result.applied) == (1, 1)  # the inline part and the .ics: one
    assert inbox.counts() == (0, 1, 0)


def test_a_second_run_changes_nothing(sent, inbox):
    email = sent.mdt[0].email
    inbox.append(outlook_reply(reply_calendar(_uid(sent), email, "ACCEPTED"), email))
    mailbox.read_replies()
    answered_at = invite_row(_uid(sent), email).answered_at

    again = mailbox.read_replies()

    assert again.read == 0
    assert invite_row(_uid(sent), email).answered_at == answered_at
    assert inbox.counts() == (0, 1, 0)


def test_an_answer_to_an_older_sequence_leaves_the_newer_answer(sent, inbox):
    email = sent.mdt[0].email
    sent.conference.starts_at += timedelta(hours=1)
    sent.conference.ends_at += timedelta(hours=1)
    db.session.commit()
    sending.send_invites()  # the update: SEQUENCE 1
    inbox.append(outlook_reply(reply_calendar(_uid(sent), email, "ACCEPTED", 1), email),
                 outlook_reply(reply_calendar(_uid(sent), email, "DECLINED", 0), email))

    result = mailbox.read_replies()

    assert invite_row(_uid(sent), email).partstat == "ACCEPTED"
    assert (result.processed, result.applied) == (2, 1)  # the stale one was understood
    assert inbox.counts() == (0, 2, 0)


def test_a_slow_reply_given_before_a_link_answer_leaves_the_link_answer(sent, inbox):
    """Declined in Outlook at 10:00 (DTSTAMP), then accepted by the mail's link; the REPLY
    is read after the link answer: it is older, understood and filed, and changes nothing."""
    email = sent.mdt[0].email
    record_reply(_uid(sent), email, "ACCEPTED", 0, via="link")
    db.session.commit()
    inbox.append(outlook_reply(reply_calendar(_uid(sent), email, "DECLINED"), email))

    result = mailbox.read_replies()

    assert (invite_row(_uid(sent), email).partstat,
            invite_row(_uid(sent), email).answered_via) == ("ACCEPTED", "link")
    assert (result.processed, result.unusable, result.applied) == (1, 0, 0)
    assert inbox.counts() == (0, 1, 0)


def test_a_case_slot_answer_reaches_the_referrers_row(world, inbox):  # noqa: F811
    from tests.invites.test_imip import _booked_case

    case = _booked_case(world)
    sending.send_invites()
    uid, email = service.slot_uid(case, world.conference), case.contact_person.email
    inbox.append(thunderbird_reply(reply_calendar(uid, email, "ACCEPTED"), email))

    mailbox.read_replies()

    assert invite_row(uid, email).partstat == "ACCEPTED"


# --- what cannot be used -------------------------------------------------------------------

def _unusable_mails(meeting_world) -> dict[str, bytes]:
    uid, email = _uid(meeting_world), meeting_world.mdt[0].email
    out_of_office = EmailMessage()
    out_of_office["Auto-Submitted"] = "auto-replied"
    out_of_office.set_content("Jag är på semester till och med 4 januari.")
    out_of_office.add_attachment(reply_calendar(uid, email, "ACCEPTED").replace(
        "METHOD:REPLY", "METHOD:REQUEST").encode(), maintype="application", subtype="ics",
        filename="invite.ics")
    broken_mime = (b"From: =?utf-8?q?broken?=\r\nContent-Type: multipart/mixed; boundary=\"x\""
                   b"\r\nSubject: \xe5\xe4\xf6 latin-1\r\n\r\n--x\r\nContent-Type: text/calendar;"
                   b" method=REPLY; charset=no-such-charset\r\nContent-Transfer-Encoding: base64"
                   b"\r\n\r\n!!!not base64\xff\xfe\r\n--x\r\n")
    return {
        "no calendar": plain_mail(email),
        "out of office": _headers(out_of_office, email, "Frånvaro: Kallelse").as_bytes(policy=SMTP),
        "unknown UID": outlook_reply(reply_calendar("mdk-conference-999999@localhost", email,
                                                    "ACCEPTED"), email),
        "someone never invited": outlook_reply(reply_calendar(
            uid, "stranger@example.se", "ACCEPTED"), "stranger@example.se"),
        "broken calendar": outlook_reply("BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n"
                                         "UID:" + uid + "\r\n", email),
        "one occurrence": outlook_reply(reply_calendar(
            uid, email, "ACCEPTED", extra="RECURRENCE-ID:20261208T070000Z"), email),
        "no answer": outlook_reply(reply_calendar(uid, email, "NEEDS-ACTION"), email),
        "broken MIME, not UTF-8": broken_mime,
    }


def test_mail_that_cannot_be_used_is_filed_as_unusable_and_changes_nothing(sent, inbox):
    mails = _unusable_mails(sent)
    inbox.append(*mails.values())

    result = mailbox.read_replies()

    assert (result.processed, result.unusable, result.applied) == (0, len(mails), 0)
    assert inbox.counts() == (0, 0, len(mails))
    assert {invite_row(_uid(sent), person.email).partstat for person in sent.mdt} == {
        "NEEDS-ACTION"}
    assert sorted(inbox.messages(UNUSABLE)) == sorted(mails.values())  # filed as they came


@pytest.mark.parametrize("name", sorted(["no calendar", "out of office", "unknown UID",
                                         "broken calendar", "one occurrence",
                                         "broken MIME, not UTF-8"]))
def test_each_kind_of_unusable_mail_is_refused_for_its_own_reason(sent, name):
    mail = _unusable_mails(sent)[name]
    if name in ("unknown UID",):
        assert mailbox._apply(mail) == (False, 0)  # readable, but nobody was sent that UID
        return
    with pytest.raises(mailbox.Unusable):
        mailbox.replies_in(mail)


def test_a_withdrawn_invite_takes_no_answer_from_the_mailbox(sent, inbox):
    email = sent.mdt[0].email
    sent.conference.status = "cancelled"
    db.session.commit()
    sending.send_invites()
    inbox.append(outlook_reply(reply_calendar(_uid(sent), email, "ACCEPTED", 1), email))

    result = mailbox.read_replies()

    assert result.unusable == 1 and invite_row(_uid(sent), email).partstat == "NEEDS-ACTION"


def test_oversized_mail_and_calendar_parts_are_not_read(sent, inbox, monkeypatch):
    email = sent.mdt[0].email
    small = outlook_reply(reply_calendar(_uid(sent), email, "ACCEPTED"), email)
    monkeypatch.setattr(mailbox, "MAX_CALENDAR_BYTES", 100)
    with pytest.raises(mailbox.Unusable):
        mailbox.replies_in(small)
    monkeypatch.setattr(mailbox, "MAX_CALENDAR_BYTES", 1024 * 1024)
    monkeypatch.setattr(mailbox, "MAX_MESSAGE_BYTES", len(small) - 1)
    inbox.append(small)

    result = mailbox.read_replies()

    assert result.unusable == 1 and inbox.counts() == (0, 0, 1)
    assert invite_row(_uid(sent), email).partstat == "NEEDS-ACTION"


# --- the job and the server ----------------------------------------------------------------

def test_a_run_reads_at_most_its_limit_and_the_next_one_the_rest(sent, inbox):
    email = sent.mdt[0].email
    inbox.append(plain_mail(email), plain_mail(email),
                 outlook_reply(reply_calendar(_uid(sent), email, "TENTATIVE"), email))

    first = mailbox.read_replies(limit=2)
    assert first.read == 2 and inbox.counts() == (1, 0, 2)

    second = mailbox.read_replies(limit=2)
    assert second.processed == 1 and inbox.counts() == (0, 1, 2)
    assert invite_row(_uid(sent), email).partstat == "TENTATIVE"


def test_without_move_the_mail_is_copied_and_expunged_by_uid(sent, inbox, monkeypatch):
    email = sent.mdt[0].email
    real = mailbox._capabilities
    monkeypatch.setattr(mailbox, "_capabilities", lambda imap: real(imap) - {"MOVE"})
    inbox.append(outlook_reply(reply_calendar(_uid(sent), email, "ACCEPTED"), email),
                 plain_mail(email))

    result = mailbox.read_replies()

    assert (result.processed, result.unusable) == (1, 1)
    assert inbox.counts() == (0, 1, 1)
    imap = inbox.server.connect(inbox.user)
    try:
        imap.select("INBOX", readonly=True)
        assert imap.uid("SEARCH", None, "ALL")[1] == [b""]  # expunged, not left behind
    finally:
        imap.logout()


def test_folders_with_swedish_letters_are_made_and_used(sent, inbox, app, monkeypatch):
    monkeypatch.setitem(app.config, "MDK", with_overrides(
        app.config["MDK"], imap_processed_folder="nMDK/Svar åtgärdade",
        imap_unusable_folder="nMDK/Svar att läsa"))
    email = sent.mdt[0].email
    inbox.append(outlook_reply(reply_calendar(_uid(sent), email, "ACCEPTED"), email),
                 plain_mail(email))

    mailbox.read_replies()

    assert len(inbox.messages("nMDK/Svar åtgärdade")) == 1
    assert len(inbox.messages("nMDK/Svar att läsa")) == 1
    assert mailbox.utf7_imap("Entwürfe & åäö") == "Entw&APw-rfe &- &AOUA5AD2-"


def test_the_scheduled_job_logs_counts_only(sent, inbox, caplog):
    email = sent.mdt[0].email
    inbox.append(outlook_reply(reply_calendar(_uid(sent), email, "ACCEPTED"), email),
                 plain_mail(email))

    with caplog.at_level(logging.DEBUG, logger="mdk.invites.mailbox"):
        mailbox.run_scheduled()

    assert "1 processed, 1 unusable" in caplog.text
    assert email not in caplog.text and inbox.user not in caplog.text
    assert _uid(sent) not in caplog.text


def test_a_refused_login_is_logged_without_the_login_and_stores_nothing(sent, inbox, app,
                                                                       monkeypatch, caplog):
    monkeypatch.setitem(app.config, "MDK", with_overrides(app.config["MDK"],
                                                          imap_password="wrong"))
    inbox.append(plain_mail(sent.mdt[0].email))

    with caplog.at_level(logging.WARNING, logger="mdk.invites.mailbox"):
        mailbox.run_scheduled()

    assert "could not read the mailbox" in caplog.text
    assert inbox.user not in caplog.text and "wrong" not in caplog.text
    assert inbox.counts() == (1, 0, 0)


def test_without_an_imap_host_the_job_does_nothing(app, app_ctx):
    assert not app.config["MDK"].imap_host
    assert mailbox.read_replies().read == 0
