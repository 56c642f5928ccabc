"""The operators' page of the mail queue: counts, the oldest waiting mail, dead mail and its
resend button. Admins only (mdk.access.matrix); no subject or body is ever shown."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from mdk.access.enforcement import may_visit
from mdk.audit.service import actor_from_request
from mdk.outbox import operators

blp = Blueprint("outbox", __name__)

STATE_LABELS = {"queued": _l("Queued"), "sending": _l("Sending"), "sent": _l("Sent"),
                "failed": _l("Failed, will retry"), "dead": _l("Dead")}


@blp.get("/admin/outbox")
def queue():
    return render_template("outbox/queue.html", status=operators.queue_status(),
                           dead=operators.dead_mail(),
                           case_links=may_visit("cases.show_case"),
                           state_labels=STATE_LABELS)


@blp.post("/admin/outbox/<int:message_id>/resend")
def resend(message_id: int):
    try:
        operators.resend(message_id, actor_from_request())
    except operators.NotDead:
        abort(404)
    flash(_("The mail is queued again."), "success")
    return redirect(url_for(".queue"))
