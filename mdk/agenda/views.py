"""The agenda page of a meeting and the coordinators' changes to it.

Each change is a small form carrying the agenda version the page was made from; a refused
change shows the page again, as it is now, with the message at the field it concerns (409
for a conflict or a locked agenda, 422 for bad input).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from mdk.access import authorize, can, current_principal
from mdk.agenda import service
from mdk.audit.service import actor_from_request
from mdk.care_areas.service import care_areas
from mdk.conferences import service as conferences
from mdk.conferences.labels import offer_label
from mdk.i18n import current_language
from mdk.invites.forecast import quorum_forecast
from mdk.validation import FieldError, field_messages

blp = Blueprint("agenda", __name__)

EVENT_LABELS = {"lock": _l("Locked"), "unlock": _l("Unlocked"), "reorder": _l("Order changed"),
                "reset_order": _l("Default order restored")}


@blp.app_template_global()
def agenda_event_label(action: str) -> str:
    return str(EVENT_LABELS.get(action, action))


def _conference_or_404(conference_id: int, action: str = "agenda.view"):
    conference = conferences.get_conference(conference_id)
    if conference is not None and conference.care_area not in care_areas():
        conference = None
    return authorize(action, conference)


def _page(conference, status: int = 200, error: FieldError | None = None,
          failed: str | None = None):
    area = care_areas()[conference.care_area]
    agenda = service.agenda_of(actor_from_request(), conference)
    series = area.series_by_key(conference.series_key)
    may_edit = can("agenda.edit", conference)
    targets = service.move_targets(conference) if may_edit and not agenda.locked else []
    # Who has answered the invite, per quorum competence: the coordinators' view.
    forecast = quorum_forecast(conference) if may_edit else None
    return render_template(
        "agenda/show.html", agenda=agenda, conference=conference, area=area,
        series_name=series.name(current_language()) if series else conference.series_key,
        may_edit=may_edit, may_unlock=can("agenda.unlock", conference), forecast=forecast,
        targets=[(offer.conference.id, offer_label(offer), offer.full)
                 for offer in targets],
        errors=field_messages(error) if error is not None else {},
        failed=failed, posted=request.form if error is not None else {}), status




@blp.get("/conferences/<int:conference_id>/agenda")
def show_agenda(conference_id: int):
    return _page(_conference_or_404(conference_id))


def _change(conference_id: int, change, keys: tuple[str, ...], done: str, action="agenda.edit"):
    """Run one change with the posted fields; the page again on a refusal."""
    conference = _conference_or_404(conference_id, action)
    data = {key: request.form.get(key) for key in keys if key in request.form}
    failed = request.form.get("form") or None
    try:
        change(actor_from_request(), current_principal(), conference, data)
    except FieldError as error:
        return _page(conference, error.status, error, failed)
    flash(done, "success")
    return redirect(url_for(".show_agenda", conference_id=conference.id))


@blp.post("/conferences/<int:conference_id>/agenda/order")
def reorder(conference_id: int):
    return _change(conference_id, service.place_case, ("agenda_version", "case_id", "position"),
                   _("Agenda order saved."))


@blp.post("/conferences/<int:conference_id>/agenda/reset")
def reset_order(conference_id: int):
    return _change(conference_id, service.reset_order, ("agenda_version",),
                   _("The agenda is in the default order again."))


@blp.post("/conferences/<int:conference_id>/agenda/move")
def move_case(conference_id: int):
    return _change(conference_id, service.move_to_meeting,
                   ("agenda_version", "case_id", "conference_id", "reason"),
                   _("The case was moved to the other meeting."))


@blp.post("/conferences/<int:conference_id>/agenda/remove")
def remove_case(conference_id: int):
    return _change(conference_id, service.remove_from_agenda,
                   ("agenda_version", "case_id", "reason"),
                   _("The case was removed from the agenda; it waits for a meeting again."))


@blp.post("/conferences/<int:conference_id>/agenda/lock")
def lock(conference_id: int):
    return _change(conference_id, service.lock, ("agenda_version",), _("The agenda is locked."))


@blp.post("/conferences/<int:conference_id>/agenda/unlock")
def unlock(conference_id: int):
    return _change(conference_id, service.unlock, ("agenda_version", "reason"),
                   _("The agenda is unlocked; lock it again when you are done."),
                   action="agenda.unlock")
