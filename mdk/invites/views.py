"""The confirmation page of the invite mail's answer links: no login (the recipient may read
on a phone), the token in the path is the key, and the page shows no patient data (the area,
the meeting's time and host). GET shows what will be recorded; only the POST (CSRF
protected, as every form) records it. The token never reaches a log line (mdk.feeds.logs)."""

from __future__ import annotations

from flask import Blueprint, make_response, render_template, request
from flask_babel import gettext as _

from mdk.care_areas.service import care_area
from mdk.extensions import db
from mdk.i18n import current_language, format_datetime_local
from mdk.invites import answers
from mdk.invites.replies import ReplyOutcome

blp = Blueprint("invites", __name__)

REFUSALS = {
    answers.Refusal.BAD_TOKEN: lambda: _(
        "This answer link is not valid: it may have been cut short or changed. Open the "
        "link in the invite again, or answer in your calendar."),
    answers.Refusal.MEETING_BEGUN: lambda: _(
        "The meeting has begun: it can no longer be answered."),
    answers.Refusal.UNKNOWN: lambda: _(
        "There is no invite to answer for this link."),
    answers.Refusal.WITHDRAWN: lambda: _(
        "The meeting is cancelled or you are no longer invited to it: there is nothing to "
        "answer."),
}


@blp.route("/invites/answer/<answer_token>", methods=["GET", "POST"])
def answer(answer_token: str):
    found = answers.open_link(answer_token)
    if isinstance(found, answers.Refusal):
        return _private(render_template("invites/answer.html", refusal=REFUSALS[found](),
                                        title=_("Answer the invite")), answers.STATUS[found])
    outcome = None
    status = 200
    if request.method == "POST" and not found.stale:
        outcome = answers.answer(found)
        if outcome is ReplyOutcome.APPLIED:
            db.session.commit()
        else:
            db.session.rollback()
            status = 409
    elif request.method == "POST":
        status = 409  # an answer to an older version: the page offers the current one
    return _private(render_template("invites/answer.html", **_page(found), outcome=outcome,
                                    applied=outcome is ReplyOutcome.APPLIED), status)


def _private(page: str, status: int):
    """No copy in a cache: the page is one person's, and its forms carry their tokens."""
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _page(invitation: answers.Invitation) -> dict:
    conference = invitation.conference
    language = current_language()
    host = conference.host_unit
    return {
        "title": _("Answer the invite"),
        "area_name": care_area(conference.care_area).name(language),
        "meeting_time": format_datetime_local(conference.starts_at, language),
        "host_unit": host.name if host is not None else None,
        "partstat": invitation.token.partstat,
        "current_answer": invitation.row.partstat,
        "stale": invitation.stale,
        "current_tokens": invitation.current_tokens() if invitation.stale else {},
    }
