"""The coordinators' log review: filtered events, CSV export, random-sample review, and a
patient's log extract. A patient is named by internal id in URLs; by number only in POSTs.

Open for now; the access policy (coordinators only) goes in `_before_request`.
"""

from __future__ import annotations

from datetime import datetime

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from mdk.access import authorize, can
from mdk.access.enforcement import current_principal, shows_identity
from mdk.audit import export, labels, review
from mdk.audit.forms import FilterForm, PatientChoiceForm, SampleForm, VerdictForm
from mdk.audit.scope import reviewable_people
from mdk.audit.service import actor_from_request
from mdk.db import utcnow
from mdk.forms import attach_error, status_for
from mdk.patients import service as patients
from mdk.people.forms import ROLE_LABELS
from mdk.validation import FieldError

blp = Blueprint("audit", __name__)


@blp.before_request
def _before_request() -> None:
    """The single place where the access policy for these pages will be checked."""


@blp.app_template_global()
def audit_action_label(action: str) -> str:
    return labels.action_label(action)


@blp.app_template_global()
def audit_object_type_label(object_type: str | None) -> str:
    return labels.object_type_label(object_type)


@blp.app_template_global()
def audit_area_label(key: str | None) -> str:
    return labels.area_label(key)


def _role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


def _zone():
    return current_app.config["MDK"].tz


def _today():
    return datetime.now(_zone()).date()


def _filter_form() -> FilterForm:
    form = FilterForm(formdata=request.args or None)
    form.object_type.choices = [("", _("Every kind"))] + [
        (key, str(label)) for key, label in labels.OBJECT_TYPE_LABELS.items()]
    return form


def _patient_choice_form(formdata=None) -> PatientChoiceForm:
    form = PatientChoiceForm(formdata=formdata, prefix="patient")
    return form.set_choices([(key, entry.label)
                             for key, entry in patients.reservnummer_formats().items()])


def _review_page(choice_form: PatientChoiceForm, status: int = 200):
    form = _filter_form()
    page, filters = None, None
    principal = current_principal()
    try:
        filters = review.parse_filters(request.args, principal)
        page = review.find_events(principal, filters, _zone(),
                                  before=review.parse_cursor(request.args.get("before")),
                                  after=review.parse_cursor(request.args.get("after")))
    except FieldError as error:
        attach_error(form, error)
    return render_template("audit/review.html", form=form, choice_form=choice_form,
                           page=page, filters=filters, people=reviewable_people(principal),
                           role_label=_role_label), max(status, status_for(form))


@blp.get("/audit", endpoint="review")
def review_log():
    return _review_page(_patient_choice_form())


@blp.post("/audit/patient")
def choose_patient():
    """The patient filter by identity number: the number stays in the POST body."""
    form = _patient_choice_form(request.form)
    if form.validate_on_submit():
        data = form.identity_data()
        try:
            patient = patients.find_patient_by_identity(
                data["identity_number"], data.get("issuer"), kind=data["identity_kind"])
        except FieldError as error:
            attach_error(form, error)
        else:
            if patient is not None and can("patient.view", patient):
                return redirect(url_for(".review", patient_id=patient.id))
            form.identity_number.errors = [_("No patient has this identity number.")]
            return _review_page(form, 404)
    return _review_page(form, 422)


@blp.get("/audit/export.csv")
def export_csv():
    try:
        filters = review.parse_filters(request.args, current_principal())
    except FieldError:
        return redirect(url_for(".review", **request.args))  # the page names the field
    events = review.export_events(actor_from_request(), current_principal(), filters, _zone())
    return _download(export.events_csv(events, _role_label), CSV,
                     f"audit-log-{_today().isoformat()}.csv")


# Flask adds "; charset=utf-8" to a text mimetype itself: naming it here sent it twice.
CSV = "text/csv"


def _download(body: str | bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"  # patient data: no copies in caches
    return response


@blp.get("/audit/patients/<int:patient_id>/extract.<any(csv, pdf):file_format>")
def patient_extract(patient_id: int, file_format: str):
    # A patient outside the coordinator's care areas is not found here either (404).
    patient = authorize("patient.view", patients.get_patient(patient_id))
    authorize("audit.review", patient)
    events = review.patient_extract(actor_from_request(), current_principal(), patient,
                                    file_format)
    name = f"log-extract-patient-{patient.id}"  # the id only: file names end up in logs
    if file_format == "csv":
        return _download(export.patient_extract_csv(events, _role_label), CSV, f"{name}.csv")
    pdf = export.patient_extract_pdf(patient, events, _role_label, utcnow(),
                                     show_identity=shows_identity(patient))
    return _download(pdf, "application/pdf", f"{name}.pdf")


# --- random samples -------------------------------------------------------------------------

def _sample_page(form: SampleForm, verdict_forms: dict | None = None, status: int = 200):
    sample = None
    try:
        date_from, date_to, size, seed = review.parse_sample(request.values, _today())
    except FieldError as error:
        attach_error(form, error)
    else:
        if seed is None:
            return None
        sample = review.draw_sample(current_principal(), date_from, date_to, size, seed,
                                    _zone())
        form.date_from.data, form.date_to.data = date_from.isoformat(), date_to.isoformat()
        form.size.data, form.seed.data = str(size), str(seed)
    forms = {event.id: VerdictForm(formdata=None, prefix=f"e{event.id}").set_choices()
             for event in (sample.events if sample else [])}
    forms.update(verdict_forms or {})
    return render_template("audit/sample.html", form=form, sample=sample, verdict_forms=forms,
                           role_label=_role_label), max(status, status_for(form))


@blp.get("/audit/sample")
def sample():
    form = SampleForm(formdata=request.args or None)
    page = _sample_page(form)
    if page is None:  # no seed yet: draw one and show it in the URL, so it can be repeated
        args = {key: value for key, value in request.args.items() if key != "seed"}
        return redirect(url_for(".sample", seed=review.new_seed(), **args))
    return page


@blp.post("/audit/sample/<int:event_id>/verdict")
def record_verdict(event_id: int):
    form = VerdictForm(prefix=f"e{event_id}").set_choices()
    args = {key: request.args.get(key, "") for key in ("date_from", "date_to", "size", "seed")}
    if form.validate_on_submit():
        try:
            review.record_verdict(actor_from_request(), current_principal(), event_id,
                                  form.outcome.data, form.comment.data,
                                  review.parse_sample(args, _today())[3])
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(_("Verdict saved."), "success")
            return redirect(url_for(".sample", **args, _anchor=f"event-{event_id}"))
    page = _sample_page(SampleForm(formdata=None, data=args), {event_id: form}, 422)
    if page is None:  # no sample in the request to show the verdict against
        flash(_("Draw a sample first."), "error")
        return redirect(url_for(".sample"))
    return page
