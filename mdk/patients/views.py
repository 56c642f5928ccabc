"""HTML pages for patients. Only the internal id is ever part of a URL; identity numbers
travel in POST bodies.

The access policy is checked by the before-request hook (mdk.access) and, for one patient,
by `authorize`; which patients a list shows is the policy's patient.view scope.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from mdk.access import authorize, can, visible
from mdk.access.enforcement import current_principal
from mdk.audit.service import actor_from_request
from mdk.cases import service as cases
from mdk.forms import attach_error, status_for
from mdk.patients import service
from mdk.patients.forms import PatientForm, PatientSearchForm
from mdk.validation import FieldError

blp = Blueprint("patients", __name__)


@blp.app_template_global()
def identity_kind_label(kind: str) -> str:
    labels = {"personnummer": _("Personnummer"), "samordningsnummer": _("Samordningsnummer"),
              "reservnummer": _("Reservnummer")}
    return labels.get(kind, kind)


def _with_issuers(form):
    return form.set_choices([(key, entry.label)
                             for key, entry in service.reservnummer_formats().items()])


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 7 else 1


@blp.get("/patients")
def list_patients():
    principal = current_principal()
    page = service.list_patients(actor_from_request(), page=_page_number(),
                                 where=cases.patient_scope_clause(principal),
                                 options=(cases.patient_case_loading(),))
    return render_template("patients/list.html", page=page,
                           search_form=_with_issuers(PatientSearchForm(formdata=None)))


@blp.route("/patients/new", methods=["GET", "POST"])
def new_patient():
    form = _with_issuers(PatientForm())
    if form.validate_on_submit():
        try:
            patient = service.register_patient(actor_from_request(), form.service_data())
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(_("Patient registered."), "success")  # no name: flashes live in the cookie
            return redirect(url_for(".show_patient", patient_id=patient.id))
    return render_template("patients/form.html", form=form), status_for(form)


@blp.get("/patients/<int:patient_id>")
def show_patient(patient_id: int):
    authorize("patient.view", service.get_patient(patient_id))  # before the read is logged
    patient = service.read_patient(actor_from_request(), patient_id) or abort(404)
    issuer = service.reservnummer_formats().get(patient.identity_issuer or "")
    return render_template("patients/show.html", patient=patient,
                           cases=visible("case.view", patient.cases),
                           issuer_label=issuer.label if issuer else patient.identity_issuer)


@blp.route("/patients/search", methods=["GET", "POST"])
def search_patient():
    form = _with_issuers(PatientSearchForm())
    if form.validate_on_submit():
        data = form.identity_data()
        try:
            patient = service.find_patient_by_identity(
                data["identity_number"], data.get("issuer"), kind=data["identity_kind"])
        except FieldError as error:
            attach_error(form, error)
        else:
            # One outside the user's scope answers as "not found": no probing by number.
            if patient is not None and can("patient.view", patient):
                return redirect(url_for(".show_patient", patient_id=patient.id))
            form.identity_number.errors = [_("No patient has this identity number.")]
            return render_template("patients/search.html", form=form), 404
    return render_template("patients/search.html", form=form), status_for(form)
