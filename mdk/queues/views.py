"""The work queues' pages: the coordinator's inbox (/inbox) and the referrer's own cases
(/my-cases, mina ärenden)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from mdk.access.enforcement import current_principal
from mdk.audit.service import actor_from_request
from mdk.care_areas.service import care_areas, competence_label
from mdk.db import utcnow
from mdk.forms import optional_int
from mdk.i18n import current_language
from mdk.queues import service

blp = Blueprint("queues", __name__)


@blp.get("/inbox")
def inbox():
    """Inkorg: what waits for the coordinator in their care areas, group by group."""
    language = current_language()
    found = service.inbox(actor_from_request(), current_principal(), utcnow(), language)
    return render_template("queues/inbox.html", inbox=found, areas=care_areas(),
                           limit=service.GROUP_LIMIT, now=utcnow(),
                           competence=lambda key: competence_label(key, language))


@blp.get("/my-cases")
def my_cases():
    """Mina ärenden: the referrer's units' cases, with their timeline and what is missing."""
    page = optional_int(request.args.get("page", "1")) or 1
    found = service.own_cases(actor_from_request(), current_principal(), page=page,
                              language=current_language())
    return render_template("queues/my_cases.html", page=found, areas=care_areas())
