"""The treatment page of a case (/cases/<id>/treatment: the outcome, and its form for those
who record it) and the list of reported cases waiting for it (/treatment/waiting)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField

from mdk.access import authorize, current_principal, policy
from mdk.audit.service import actor_from_request
from mdk.care_areas.service import care_area, care_areas
from mdk.cases import service as cases
from mdk.cases.models import Case
from mdk.db import utcnow
from mdk.forms import attach_error, status_for
from mdk.i18n import current_language, to_local
from mdk.treatment import service
from mdk.treatment.models import NOTE_LENGTH, TreatmentOutcome
from mdk.validation import FieldError

blp = Blueprint("treatment", __name__)

OUTCOME_LABELS = {"started": _l("Treatment started"),
                  "not_treated": _l("The patient was not treated")}
ADHERENCE_LABELS = {"followed": _l("The recommendation was followed"),
                    "deviated": _l("Deviated from the recommendation")}


class TreatmentForm(FlaskForm):
    outcome = RadioField(_l("Treatment"), validate_choice=False)
    # A date input; the service checks the day (and names the field).
    started_on = StringField(_l("Start of treatment"), render_kw={"type": "date"})
    adherence = RadioField(_l("The MDK's recommendation"), validate_choice=False)
    deviation_reason = SelectField(_l("Reason for the deviation"), validate_choice=False)
    note = TextAreaField(_l("Comment"), render_kw={"rows": 3, "maxlength": NOTE_LENGTH})

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name).data or None
                for name in ("outcome", "started_on", "adherence", "deviation_reason", "note")}


def _form(case: Case, row: TreatmentOutcome | None, formdata=None) -> TreatmentForm:
    form = TreatmentForm(formdata=formdata)
    language = current_language()
    form.outcome.choices = [(key, str(label)) for key, label in OUTCOME_LABELS.items()]
    form.adherence.choices = [(key, str(label)) for key, label in ADHERENCE_LABELS.items()]
    form.deviation_reason.choices = [("", _("No deviation")), *(
        (reason.key, reason.label(language))
        for reason in care_area(case.care_area).deviation_reasons)]
    if formdata is None and row is not None and row.recorded:
        form.outcome.data, form.adherence.data = row.outcome, row.adherence
        form.started_on.data = row.started_on.isoformat() if row.started_on else ""
        form.deviation_reason.data, form.note.data = row.deviation_reason or "", row.note
    return form


def _page(case: Case, row: TreatmentOutcome | None, form: TreatmentForm, status: int = 200):
    principal = current_principal()
    may_record = service.may_record(principal, case, row) and (
        case.state == "reported" or (row is not None and row.recorded))
    return render_template(
        "treatment/show.html", case=case, row=row, form=form, may_record=may_record,
        outcome_labels=OUTCOME_LABELS, adherence_labels=ADHERENCE_LABELS,
        reason_label=_reason_label(case), today=to_local(utcnow()).date()), status


def _reason_label(case: Case):
    area = care_area(case.care_area)

    def label(key: str | None) -> str:
        reason = area.deviation_reason(key) if key else None
        return reason.label(current_language()) if reason else (key or "")
    return label


@blp.route("/cases/<int:case_id>/treatment", methods=["GET", "POST"])
def show_treatment(case_id: int):
    case = authorize("treatment.view", cases.get_case(case_id))
    actor, principal = actor_from_request(), current_principal()
    if request.method == "GET":
        row = service.read(actor, principal, case)
        return _page(case, row, _form(case, row))
    authorize("treatment.record", case)
    row = service.follow_up_of(case)
    form = _form(case, row, request.form)
    if not form.validate_on_submit():
        return _page(case, row, form, status_for(form))
    try:
        service.record(actor, principal, case, form.values())
    except FieldError as error:
        attach_error(form, error)
        return _page(case, service.follow_up_of(case), form, error.status)
    flash(_("The treatment is recorded; the case is closed."), "success")
    return redirect(url_for("treatment.show_treatment", case_id=case.id), code=303)


@blp.get("/treatment/waiting")
def waiting():
    """Cases reported and waiting for their treatment start: the reader's share."""
    area = request.args.get("area") or None
    areas = care_areas()
    if area not in areas:
        area = None
    total, found = service.waiting(actor_from_request(), current_principal(), area=area)
    return render_template("treatment/waiting.html", total=total, found=found, area=area,
                           area_choices={key: areas[key] for key in sorted(
                               policy.areas_in_scope(current_principal(),
                                                     "treatment.waiting"))},
                           today=to_local(utcnow()).date(), limit=service.PAGE_SIZE)


def case_section(case: Case, principal) -> dict[str, Any]:
    """The case page's part on the treatment: its outcome, or that it is awaited."""
    if not service.may_view(principal, case) or case.state not in ("reported", "closed"):
        return {"shown": False}
    row = service.follow_up_of(case)
    return {"shown": True, "row": row, "outcome_labels": OUTCOME_LABELS,
            "adherence_labels": ADHERENCE_LABELS,
            "may_record": service.may_record(principal, case, row)}
