"""The attendees' answers read from the organizer mailbox over IMAP: the job `read-replies`.

Calendar clients send an attendee's answer (an iTIP REPLY) to the event's ORGANIZER, the care
area's own address; every area's address delivers into one mailbox (MDK_IMAP_*). The job
reads up to MAX_MESSAGES_PER_RUN messages of MDK_IMAP_FOLDER, applies each REPLY it finds
through the one rule for answers (mdk.invites.replies.record_reply), commits, and only then
files every message it read: into MDK_IMAP_PROCESSED_FOLDER when each answer in it was
applied (or was understood but outdated), else into MDK_IMAP_UNUSABLE_FOLDER for a person to
look at (no calendar, not a REPLY, an event or attendee we never sent, a withdrawn invite, a
single occurrence, a broken or oversized object, an out-of-office mail). Nothing is deleted:
a message is moved (or copied, then flagged \\Deleted in the source when the server cannot
MOVE). A message the job could not file stays and is read again next run, which applies the
same answer again: harmless.

The attendee is the REPLY's ATTENDEE (iTIP puts exactly the one answering there), never the
mail's From. Logs hold counts only, never an address or a message's content.
"""

from __future__ import annotations

import base64
import email
import imaplib
import logging
import re
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import Message

import icalendar
from flask import current_app

from mdk.config import Settings
from mdk.extensions import db
from mdk.invites.replies import ReplyOutcome, record_reply

log = logging.getLogger(__name__)

MAX_MESSAGES_PER_RUN = 200
MAX_MESSAGE_BYTES = 10 * 1024 * 1024  # a larger mail is filed as unusable without reading it
MAX_CALENDAR_BYTES = 1024 * 1024  # a larger calendar part is skipped
TIMEOUT_SECONDS = 30
# An old answer (to an earlier version, or given before the one stored) was still read right.
UNDERSTOOD = (ReplyOutcome.APPLIED, ReplyOutcome.OUTDATED, ReplyOutcome.SUPERSEDED)

_told_off = False  # "no MDK_IMAP_HOST" is logged once per process


@dataclass
class ReadResult:
    processed: int = 0  # messages filed as processed
    unusable: int = 0  # messages filed as unusable
    applied: int = 0  # answers stored
    left: int = 0  # messages read but not filed (the server refused the move): next run

    @property
    def read(self) -> int:
        return self.processed + self.unusable + self.left


@dataclass(frozen=True)
class Answer:
    """One attendee's answer to one event, as a REPLY carries it."""

    uid: str
    email: str
    partstat: str
    sequence: int | None
    stamped_at: datetime | None = None  # the REPLY's DTSTAMP: when the attendee answered


class Unusable(Exception):
    """The message holds nothing the job can apply (the reason is for tests, never logged)."""


# --- the job ---------------------------------------------------------------------------------

def read_replies(limit: int = MAX_MESSAGES_PER_RUN) -> ReadResult:
    """Apply the answers waiting in the mailbox, commit, then file the messages."""
    settings: Settings = current_app.config["MDK"]
    if not settings.imap_host.strip():
        _log_off_once()
        return ReadResult()
    result = ReadResult()
    with _connected(settings) as imap:
        folders = _Folders(imap, settings)
        _ok(imap.select(folders.source), "SELECT")
        verdicts: dict[bytes, bool] = {}
        for uid, raw in _messages(imap, limit):
            verdicts[uid], applied = _apply(raw)
            result.applied += applied
        db.session.commit()  # only answers stored for good are filed as processed
        filer = _Filer(imap)
        for uid, processed in verdicts.items():
            target = folders.processed if processed else folders.unusable
            if not filer.file(uid, target):
                result.left += 1
            elif processed:
                result.processed += 1
            else:
                result.unusable += 1
        filer.finish()
    return result


def run_scheduled() -> None:
    """The scheduler's job (scheduler/registry.py: read-replies)."""
    try:
        result = read_replies()
    except (imaplib.IMAP4.error, OSError) as exc:
        db.session.rollback()
        # The class only: a server's text may quote the login name.
        log.warning("read-replies could not read the mailbox (%s)", type(exc).__name__)
        return
    if result.read:
        log.info("read-replies read %d message(s): %d processed, %d unusable, %d left; "
                 "%d answer(s) applied", result.read, result.processed, result.unusable,
                 result.left, result.applied)


def _log_off_once() -> None:
    global _told_off
    if not _told_off:
        log.debug("read-replies: MDK_IMAP_HOST is not set, no mailbox is read")
        _told_off = True


def _apply(raw: bytes | None) -> tuple[bool, int]:
    """(every answer of the message understood, answers stored)."""
    if raw is None:
        return False, 0
    try:
        answers = replies_in(raw)
    except Unusable:
        return False, 0
    outcomes = [record_reply(answer.uid, answer.email, answer.partstat, answer.sequence,
                             via="mail", given_at=answer.stamped_at) for answer in answers]
    return (all(outcome in UNDERSTOOD for outcome in outcomes),
            sum(outcome is ReplyOutcome.APPLIED for outcome in outcomes))


# --- reading one message -----------------------------------------------------------------------

def replies_in(raw: bytes) -> list[Answer]:
    """The answers of a mail (each once), or Unusable when it holds none or a bad one."""
    try:
        message = email.message_from_bytes(raw, policy=policy.default)
        texts = list(_calendar_texts(message))
    except Exception as exc:  # broken MIME or headers: whatever the parser trips over
        raise Unusable("unreadable mail") from exc
    if not texts:
        raise Unusable("no calendar")
    answers = [answer for text in texts for answer in _answers_of(text)]
    if not answers:
        raise Unusable("no REPLY")
    return list(dict.fromkeys(answers))  # the inline part and the .ics are the same object


def _calendar_texts(message: Message) -> Iterator[str]:
    for part in message.walk():
        if part.is_multipart() or not _is_calendar(part):
            continue
        payload = part.get_payload(decode=True)  # undoes base64 and quoted-printable
        if not payload or len(payload) > MAX_CALENDAR_BYTES:
            continue
        yield _decoded(payload, part.get_content_charset())


def _is_calendar(part: Message) -> bool:
    if part.get_content_type() in ("text/calendar", "application/ics"):
        return True
    return (part.get_filename() or "").strip().lower().endswith(".ics")


def _decoded(payload: bytes, charset: str | None) -> str:
    """The declared charset, else UTF-8, else Latin-1 (never fails: the fields that matter,
    UID, addresses and PARTSTAT, are ASCII)."""
    for name in (charset, "utf-8"):
        if not name:
            continue
        try:
            return payload.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("latin-1")


def _answers_of(text: str) -> list[Answer]:
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except Exception as exc:  # icalendar raises ValueError, and others on odd input
        raise Unusable("broken calendar") from exc
    if str(calendar.get("METHOD", "")).strip().upper() != "REPLY":
        return []  # e.g. our own REQUEST quoted back by an out-of-office mail
    return [_answer_of(event) for event in calendar.walk("VEVENT")]


def _answer_of(event: icalendar.Event) -> Answer:
    uid = str(event.get("UID", "")).strip()
    if not uid or "\0" in uid:
        raise Unusable("no UID")
    if event.get("RECURRENCE-ID") is not None:
        raise Unusable("an answer to one occurrence")  # our events are single, never series
    sequence = event.get("SEQUENCE")
    if sequence is not None and (not isinstance(sequence, int) or sequence < 0):
        raise Unusable("bad SEQUENCE")
    attendees = event.get("ATTENDEE")
    attendees = attendees if isinstance(attendees, list) else [attendees] if attendees else []
    if len(attendees) != 1:
        # iTIP: a REPLY names exactly the one attendee answering; a list could carry stale
        # answers of the others.
        raise Unusable("not one ATTENDEE")
    attendee = attendees[0]
    address = re.sub(r"(?i)^mailto:", "", str(attendee).strip())
    if "@" not in address or "\0" in address:
        raise Unusable("no attendee address")
    partstat = str(attendee.params.get("PARTSTAT", "")) if hasattr(attendee, "params") else ""
    return Answer(uid=uid, email=address, partstat=partstat.strip().upper(),
                  sequence=int(sequence) if sequence is not None else None,
                  stamped_at=_stamp(event))


def _stamp(event: icalendar.Event) -> datetime | None:
    """DTSTAMP as an aware moment (RFC 5545: in UTC; a floating one is read as UTC), or
    None when it is missing or not a date-time."""
    stamp = event.get("DTSTAMP")
    moment = getattr(stamp, "dt", None)
    if not isinstance(moment, datetime):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# --- the IMAP side -----------------------------------------------------------------------------

@contextmanager
def _connected(settings: Settings) -> Iterator[imaplib.IMAP4]:
    context = ssl.create_default_context()
    if settings.imap_security == "ssl":
        imap = imaplib.IMAP4_SSL(settings.imap_host, settings.imap_port, ssl_context=context,
                                 timeout=TIMEOUT_SECONDS)
    else:
        imap = imaplib.IMAP4(settings.imap_host, settings.imap_port, timeout=TIMEOUT_SECONDS)
    try:
        if settings.imap_security == "starttls":
            imap.starttls(ssl_context=context)
        imap.login(settings.imap_user, settings.imap_password)
        yield imap
    finally:
        with suppress(imaplib.IMAP4.error, OSError):
            imap.logout()


def _ok(response: tuple[str, list], command: str) -> list:
    kind, data = response
    if kind != "OK":
        raise imaplib.IMAP4.error(f"{command} refused")
    return data


def _messages(imap: imaplib.IMAP4, limit: int) -> Iterator[tuple[bytes, bytes | None]]:
    """(UID, the whole mail or None when too big to read) of the oldest `limit` messages not
    flagged \\Deleted. BODY.PEEK leaves them unseen for whoever else looks."""
    found = _ok(imap.uid("SEARCH", None, "UNDELETED"), "SEARCH")
    uids = sorted(int(uid) for uid in b" ".join(found).split())[:limit]
    if not uids:
        return
    sizes = _sizes(imap, b",".join(str(uid).encode() for uid in uids))
    for uid in uids:
        key = str(uid).encode()
        size = sizes.get(key)
        if size is None or size > MAX_MESSAGE_BYTES:
            yield key, None
            continue
        yield key, _body(imap, key)


def _sizes(imap: imaplib.IMAP4, uid_set: bytes) -> dict[bytes, int]:
    data = _ok(imap.uid("FETCH", uid_set, "(RFC822.SIZE)"), "FETCH")
    sizes = {}
    for line in data:
        text = line if isinstance(line, bytes) else line[0] if isinstance(line, tuple) else b""
        uid, size = re.search(rb"UID (\d+)", text), re.search(rb"RFC822\.SIZE (\d+)", text)
        if uid and size:
            sizes[uid.group(1)] = int(size.group(1))
    return sizes


def _body(imap: imaplib.IMAP4, uid: bytes) -> bytes | None:
    data = _ok(imap.uid("FETCH", uid, "(BODY.PEEK[])"), "FETCH")
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            return item[1]
    return None


def _capabilities(imap: imaplib.IMAP4) -> set[str]:
    """Asked again after login: servers announce MOVE and UIDPLUS to a logged-in user."""
    data = _ok(imap.capability(), "CAPABILITY")
    return {word.upper() for line in data if line
            for word in line.decode("ascii", "replace").split()}


class _Folders:
    """The three folders as the server names them (its hierarchy separator for "/", modified
    UTF-7 for non-ASCII); the two targets made and subscribed when missing."""

    def __init__(self, imap: imaplib.IMAP4, settings: Settings) -> None:
        separator = _separator(imap)
        self.source = _mailbox(settings.imap_folder, separator)
        self.processed = _mailbox(settings.imap_processed_folder, separator)
        self.unusable = _mailbox(settings.imap_unusable_folder, separator)
        for folder in (self.processed, self.unusable):
            _ensure(imap, folder)


def _separator(imap: imaplib.IMAP4) -> str:
    data = _ok(imap.list('""', '""'), "LIST")
    for line in data:
        if isinstance(line, bytes):
            found = re.search(rb'\) "((?:\\.|[^"])*)"', line)
            if found:
                return found.group(1).decode("ascii").replace("\\\\", "\\").replace('\\"', '"')
    return "/"  # NIL (a flat server) or an odd answer: names stay as written


def _mailbox(name: str, separator: str) -> str:
    """The quoted IMAP name of a configured folder ("/" between levels)."""
    name = name.strip()
    if name.upper() == "INBOX":
        return "INBOX"
    levels = [utf7_imap(level) for level in name.split("/")]
    encoded = separator.join(levels)
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _ensure(imap: imaplib.IMAP4, folder: str) -> None:
    listed = _ok(imap.list('""', folder), "LIST")
    if any(isinstance(line, bytes) and line for line in listed):
        return
    kind, _data = imap.create(folder)
    if kind != "OK":  # made meanwhile by another run? then LIST finds it now
        listed = _ok(imap.list('""', folder), "LIST")
        if not any(isinstance(line, bytes) and line for line in listed):
            raise imaplib.IMAP4.error("CREATE refused")
    imap.subscribe(folder)  # so mail clients show it; a refusal does no harm


def utf7_imap(text: str) -> str:
    """RFC 3501 §5.1.3 modified UTF-7, the encoding of non-ASCII folder names."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            encoded = base64.b64encode("".join(pending).encode("utf-16-be")).decode("ascii")
            out.append("&" + encoded.rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in text:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return "".join(out)


class _Filer:
    """MOVE where the server has it; else COPY, flag \\Deleted, and expunge exactly those
    (UID EXPUNGE, with UIDPLUS): without UIDPLUS they stay flagged, since a plain EXPUNGE
    would also remove what others flagged."""

    def __init__(self, imap: imaplib.IMAP4) -> None:
        self.imap = imap
        capabilities = _capabilities(imap)
        self.can_move = "MOVE" in capabilities
        self.can_uid_expunge = "UIDPLUS" in capabilities
        self.copied: list[bytes] = []

    def file(self, uid: bytes, folder: str) -> bool:
        if self.can_move:
            return self.imap.uid("MOVE", uid, folder)[0] == "OK"
        if self.imap.uid("COPY", uid, folder)[0] != "OK":
            return False
        self.imap.uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)")
        self.copied.append(uid)
        return True

    def finish(self) -> None:
        if self.copied and self.can_uid_expunge:
            self.imap.uid("EXPUNGE", b",".join(self.copied))

