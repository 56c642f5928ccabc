"""The conference view (a shared screen: one case at a time, `?case=N`, arrow keys via
mdk/static/js/conference-day.js), the attendance page and the listed-not-discussed form.

A refused change shows the page again with the message at its field (409 for a conflict,
422 for bad input), never a 500.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from mdk.access import authorize, current_principal
from mdk.audit.service import actor_from_request
from mdk.care_areas.service import care_areas, competence_label, competences
from mdk.conference_day import attendance as attendance_service
from mdk.conference_day import service
from mdk.conferences import service as conferences
from mdk.conferences.labels import offer_label
from mdk.i18n import current_language, format_datetime_local
from mdk.material.views import entry_states
from mdk.validation import FieldError, field_messages, parse_id

blp = Blueprint("conference_day", __name__)


def _conference_or_404(conference_id: int, action: str):
    conference = conferences.get_conference(conference_id)
    if conference is not None and conference.care_area not in care_areas():
        conference = None
    return authorize(action, conference)


def _series_name(conference) -> str:
    series = care_areas()[conference.care_area].series_by_key(conference.series_key)
    return series.name(current_language()) if series else conference.series_key


@blp.app_template_global()
@blp.app_template_filter()
def competence_name(key: str) -> str:
    return competence_label(key, current_language())


@blp.app_template_global()
def all_competences() -> dict:
    return competences()


blp.add_app_template_global(entry_states, "entry_states")


def _position() -> int | None:
    return parse_id(request.args.get("case", ""))


def _view(conference, position: int | None, status: int = 200,
          error: FieldError | None = None):
    principal = current_principal()
    day = service.conference_day(actor_from_request(), principal, conference, position)
    may_note = attendance_service.may_note_attendance(principal, conference)
    targets = [(offer.conference.id, offer_label(offer), offer.full)
               for offer in service.later_meetings(conference)] if may_note else []
    return render_template(
        "conference_day/show.html", day=day, conference=conference,
        series_name=_series_name(conference), may_note=may_note, targets=targets,
        errors=field_messages(error) if error is not None else {},
        posted=request.form if error is not None else {}), status




@blp.get("/conferences/<int:conference_id>/conference")
def show(conference_id: int):
    return _view(_conference_or_404(conference_id, "conference_day.view"), _position())


@blp.post("/conferences/<int:conference_id>/conference/not-discussed")
def not_discussed(conference_id: int):
    conference = _conference_or_404(conference_id, "agenda.edit")
    data = {key: request.form.get(key) for key in ("case_id", "reason", "conference_id")
            if request.form.get(key) not in (None, "") or key == "reason"}
    position = parse_id(request.form.get("position", ""))
    try:
        case = service.not_discussed(actor_from_request(), current_principal(), conference,
                                     data)
    except FieldError as error:
        return _view(conference, position, error.status, error)
    flash(_("Case %(number)s was listed, not discussed: it is moved to the meeting of "
            "%(time)s and the referrer is told.", number=case.number,
            time=format_datetime_local(case.conference.starts_at)), "success")
    return redirect(url_for(".show", conference_id=conference.id, case=position or None))


def _attendance_page(conference, status: int = 200, error: FieldError | None = None,
                     failed: str | None = None):
    rows = attendance_service.open_attendance(current_principal(), conference)
    area = care_areas()[conference.care_area]
    present = {row.competence for row in rows if row.present}
    return render_template(
        "conference_day/attendance.html", conference=conference, rows=rows,
        series_name=_series_name(conference), quorum=service.quorum_of(area, present),
        people=attendance_service.addable_people(conference),
        errors=field_messages(error) if error is not None else {}, failed=failed,
        posted=request.form if error is not None else {}), status


@blp.route("/conferences/<int:conference_id>/attendance", methods=["GET", "POST"])
def attendance(conference_id: int):
    conference = _conference_or_404(conference_id, "conference_day.attendance")
    if request.method == "GET":
        return _attendance_page(conference)
    data = {key: request.form.get(key) for key in ("attendance_id", "present", "remote")
            if key in request.form}
    try:
        attendance_service.correct_attendance(actor_from_request(), current_principal(),
                                              conference, data)
    except FieldError as error:
        return _attendance_page(conference, error.status, error,
                                f"row-{request.form.get('attendance_id', '')}")
    flash(_("Attendance saved."), "success")
    return redirect(url_for(".attendance", conference_id=conference.id))


@blp.post("/conferences/<int:conference_id>/attendance/add")
def add_attendee(conference_id: int):
    conference = _conference_or_404(conference_id, "conference_day.attendance")
    data = {key: request.form.get(key) for key in ("person_id", "competence", "remote")
            if key in request.form}
    try:
        attendance_service.add_attendee(actor_from_request(), current_principal(), conference,
                                        data)
    except FieldError as error:
        return _attendance_page(conference, error.status, error, "add")
    flash(_("The person is added as present."), "success")
    return redirect(url_for(".attendance", conference_id=conference.id))
