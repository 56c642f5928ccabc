"""The accept / tentative / decline links of the invite mail (issue #13 point 5).

Each link carries a signed, single-purpose token: the meeting, the attendee's address, the
answer and the SEQUENCE of the version mailed. It opens a confirmation page whose button
POSTs (mail scanners follow links; a GET never records anything); the POST applies the
answer with the same rule as an iTIP REPLY (mdk.invites.replies.record_reply, via="link").

A token is signed with the service's secret under a salt of its own, so no other signed
value of the service is one. It is valid until the meeting starts; one of an older version
(the meeting moved since that mail) answers nothing and the page offers the current version
instead. The page shows no patient data: the area, the meeting's time and its host.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from itsdangerous import BadData, URLSafeSerializer

from mdk.care_areas.service import CareAreaNotFound, care_area
from mdk.conferences.models import Conference
from mdk.db import utcnow
from mdk.extensions import db
from mdk.invites import service
from mdk.invites.models import InviteSent
from mdk.invites.replies import ANSWERABLE, ReplyOutcome, invite_row, record_reply
from mdk.validation import MAX_ID

SALT = "invite-answer"
# One letter per answer keeps the link short.
CODES = {"ACCEPTED": "a", "TENTATIVE": "t", "DECLINED": "d"}
ANSWERS_BY_CODE = {code: partstat for partstat, code in CODES.items()}
MAX_EMAIL = 320


@dataclass(frozen=True)
class AnswerToken:
    conference_id: int
    email: str
    partstat: str  # ACCEPTED, TENTATIVE or DECLINED
    sequence: int  # the version of the meeting the mail carried


class Refusal(enum.Enum):
    """Why a link answers nothing; the page says which (STATUS: its HTTP status)."""

    BAD_TOKEN = "bad_token"  # not one of ours: altered, cut short, another signed value
    MEETING_BEGUN = "begun"  # valid until the meeting starts
    UNKNOWN = "unknown"  # no such meeting, or the address was never sent it
    WITHDRAWN = "withdrawn"  # cancelled, or the address no longer invited (a CANCEL sent)


STATUS = {Refusal.BAD_TOKEN: 400, Refusal.MEETING_BEGUN: 400, Refusal.UNKNOWN: 404,
          Refusal.WITHDRAWN: 404}


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make_token(conference_id: int, email: str, partstat: str, sequence: int) -> str:
    return _serializer().dumps([conference_id, email, CODES[partstat], sequence])


def read_token(token: str) -> AnswerToken | None:
    """The token's content, or None for anything not signed by us for this purpose."""
    if not token or len(token) > 1000:
        return None
    try:
        payload = _serializer().loads(token)
    except (BadData, UnicodeError, ValueError):
        return None
    if not (isinstance(payload, list) and len(payload) == 4):
        return None
    conference_id, email, code, sequence = payload
    if not (_an_id(conference_id) and _an_id(sequence, lowest=0)
            and isinstance(email, str) and 0 < len(email) <= MAX_EMAIL
            and code in ANSWERS_BY_CODE):
        return None
    return AnswerToken(conference_id, email, ANSWERS_BY_CODE[code], sequence)


def _an_id(value, lowest: int = 1) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and lowest <= value <= MAX_ID


def answer_links(conference: Conference, email: str, sequence: int) -> dict[str, str]:
    """partstat -> the absolute URL of its confirmation page, for the mail."""
    return {partstat: service.absolute_url(
        "invites.answer", answer_token=make_token(conference.id, email, partstat, sequence))
        for partstat in ANSWERABLE}


# --- the page ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Invitation:
    """What a valid link is about: the meeting and the attendee's row (what they hold)."""

    token: AnswerToken
    conference: Conference
    row: InviteSent

    @property
    def stale(self) -> bool:
        """The mail was of an older version: the meeting changed since."""
        return self.token.sequence < self.row.sequence

    def current_tokens(self) -> dict[str, str]:
        """Links for the version the attendee now holds (offered when `stale`)."""
        return {partstat: make_token(self.conference.id, self.token.email, partstat,
                                     self.row.sequence) for partstat in ANSWERABLE}


def open_link(token: str, now: datetime | None = None) -> Invitation | Refusal:
    """The invitation a link is for, or why it answers nothing. Reads only."""
    content = read_token(token)
    if content is None:
        return Refusal.BAD_TOKEN
    conference = db.session.get(Conference, content.conference_id)
    if conference is None or not _has_area(conference):
        return Refusal.UNKNOWN
    row = invite_row(service.meeting_uid(conference), content.email)
    if row is None:
        return Refusal.UNKNOWN
    if row.method != "REQUEST" or conference.is_cancelled:
        return Refusal.WITHDRAWN
    if conference.starts_at <= (now or utcnow()):
        return Refusal.MEETING_BEGUN
    return Invitation(content, conference, row)


def answer(invitation: Invitation, now: datetime | None = None) -> ReplyOutcome:
    """Record the link's answer (the caller commits)."""
    token = invitation.token
    return record_reply(invitation.row.uid, token.email, token.partstat, token.sequence,
                        via="link", now=now)


def _has_area(conference: Conference) -> bool:
    try:
        care_area(conference.care_area)
    except CareAreaNotFound:
        return False
    return True
