"""The PROM page of a case (/cases/<id>/proms: its time points with their due day and
state, a form per time point and one for the days they count from, for those who record)
and the list of PROMs due (/proms/due) for the treating unit's contact nurse."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.exceptions import NotFound
from wtforms import RadioField, StringField, TextAreaField

from mdk.access import authorize, current_principal, policy
from mdk.audit.service import actor_from_request
from mdk.care_areas.service import care_areas
from mdk.cases import service as cases
from mdk.cases.models import Case
from mdk.forms import attach_error, status_for
from mdk.proms import due as due_list
from mdk.proms import recording, service
from mdk.proms.models import NOTE_LENGTH, PromFollowUp
from mdk.protocols import rows
from mdk.validation import FieldError

blp = Blueprint("proms", __name__)

STATUS_LABELS = {"done": _l("Questionnaire done"), "declined": _l("Declined by the patient"),
                 "not_reached": _l("The patient was not reached")}
DATE_LABELS = {"treatment_end": _l("End of treatment"), "discharge": _l("Discharge")}


class PromForm(FlaskForm):
    status = RadioField(_l("Follow-up"), validate_choice=False)
    # A date input; the service checks the day (and names the field).
    completed_on = StringField(_l("Day the questionnaire was done"),
                               render_kw={"type": "date"})
    score = StringField(_l("Score"), render_kw={"inputmode": "decimal"})
    note = TextAreaField(_l("Comment"), render_kw={"rows": 2, "maxlength": NOTE_LENGTH})

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name).data or None
                for name in ("status", "completed_on", "score", "note")}


class DatesForm(FlaskForm):
    treatment_ended_on = StringField(_l("End of treatment"), render_kw={"type": "date"})
    discharged_on = StringField(_l("Discharge"), render_kw={"type": "date"})

    def values(self, anchors: set[str]) -> dict[str, Any]:
        return {field: getattr(self, field).data or None
                for field, anchor in recording.DATE_ANCHORS.items() if anchor in anchors}


def _prom_form(row: PromFollowUp, formdata=None) -> PromForm:
    form = PromForm(formdata=formdata, prefix=f"p{row.position}")
    form.status.choices = [(key, str(label)) for key, label in STATUS_LABELS.items()]
    if formdata is None and row.recorded:
        form.status.data = row.status
        form.completed_on.data = row.completed_on.isoformat() if row.completed_on else ""
        form.score.data = str(row.score) if row.score is not None else ""
        form.note.data = row.note
    return form


def _dates_form(schedule, formdata=None) -> DatesForm:
    form = DatesForm(formdata=formdata, prefix="dates")
    if formdata is None and schedule is not None:
        form.treatment_ended_on.data = (schedule.treatment_ended_on.isoformat()
                                        if schedule.treatment_ended_on else "")
        form.discharged_on.data = (schedule.discharged_on.isoformat()
                                   if schedule.discharged_on else "")
    return form


def when(row: PromFollowUp) -> str:
    """The time point as the plan gives it: a date, or "3 months after the end of
    treatment" (as the care plan shows its schedule)."""
    if row.fixed_on is not None:
        return row.fixed_on.isoformat()
    return rows.when({"count": row.count, "unit": row.unit, "from": row.anchor})


def _page(case: Case, found: service.PromFollowUpView, *, failed: dict[int, PromForm] | None = None,
          dates_form: DatesForm | None = None, status: int = 200):
    failed = failed or {}
    may_record = service.may_record(current_principal(), case, found.schedule)
    forms = {row.position: failed.get(row.position) or _prom_form(row) for row in found.rows
             if may_record and not found.excluded(row)}
    anchors = found.anchors() & set(DATE_LABELS)
    return render_template(
        "proms/show.html", case=case, found=found, forms=forms, may_record=may_record,
        dates_form=dates_form or _dates_form(found.schedule), anchors=anchors,
        status_labels=STATUS_LABELS, when=when, today=service.today()), status


@blp.get("/cases/<int:case_id>/proms")
def show_proms(case_id: int):
    case = authorize("prom.view", cases.get_case(case_id))
    return _page(case, service.read(actor_from_request(), current_principal(), case))


@blp.post("/cases/<int:case_id>/proms/<int:position>")
def record_prom(case_id: int, position: int):
    case = authorize("prom.record", cases.get_case(case_id))
    actor, principal = actor_from_request(), current_principal()
    found = service.view_of(case)
    row = next((one for one in found.rows if one.position == position), None)
    if row is None:
        raise NotFound()
    form = _prom_form(row, request.form)
    if not form.validate_on_submit():
        return _page(case, service.read(actor, principal, case), failed={position: form},
                     status=status_for(form))
    try:
        recording.record(actor, principal, case, position, form.values())
    except FieldError as error:
        attach_error(form, error)
        return _page(case, service.read(actor, principal, case), failed={position: form},
                     status=error.status)
    flash(_("The PROM follow-up is recorded."), "success")
    return redirect(url_for("proms.show_proms", case_id=case.id, _anchor=f"prom-{position}"),
                    code=303)


@blp.post("/cases/<int:case_id>/proms/dates")
def record_dates(case_id: int):
    case = authorize("prom.record", cases.get_case(case_id))
    actor, principal = actor_from_request(), current_principal()
    found = service.view_of(case)
    form = _dates_form(found.schedule, request.form)
    if not form.validate_on_submit():
        return _page(case, service.read(actor, principal, case), dates_form=form,
                     status=status_for(form))
    try:
        recording.record_dates(actor, principal, case, form.values(found.anchors()))
    except FieldError as error:
        attach_error(form, error)
        return _page(case, service.read(actor, principal, case), dates_form=form,
                     status=error.status)
    flash(_("The days are recorded; the due days follow."), "success")
    return redirect(url_for("proms.show_proms", case_id=case.id), code=303)


@blp.get("/proms/due")
def due():
    """The reader's PROM time points due soon or overdue."""
    principal = current_principal()
    area = request.args.get("area") or None
    areas = care_areas()
    if area not in areas:
        area = None
    page = due_list.due(actor_from_request(), principal, area=area,
                        page=due_list.page_number(request.args.get("page")))
    return render_template("proms/due.html", page=page, area=area, when=when,
                           area_choices={key: areas[key] for key in sorted(
                               policy.areas_in_scope(principal, "prom.due"))},
                           today=service.today(), within=due_list.DUE_WITHIN_DAYS)


def case_section(case: Case, principal) -> dict[str, Any]:
    """The case page's part on the PROMs: how many time points, how many followed up, and
    the next due."""
    if not service.may_view(principal, case) or case.state not in service.REPORTED:
        return {"shown": False}
    found = service.view_of(case)
    counted = [row for row in found.rows if not found.excluded(row)]
    pending = sorted((row for row in counted if not row.recorded and row.due_on),
                     key=lambda row: row.due_on)
    return {"shown": True, "total": len(counted), "done": sum(row.recorded for row in counted),
            "next": pending[0] if pending else None, "not_treated": found.not_treated}
