"""The exports pages: /exports lists the areas' past exports (who, when, kind, purpose,
period, rows: no patient data) and links the forms; /exports/register and /exports/research
take the form and answer with the CSV file (or the form again, its errors at their fields)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField

from mdk.access import current_principal
from mdk.audit.service import actor_from_request
from mdk.exports import service
from mdk.exports.models import ETHICS_REFERENCE_LENGTH, PURPOSE_LENGTH, STUDY_NAME_LENGTH
from mdk.forms import attach_error, status_for
from mdk.i18n import current_language
from mdk.validation import FieldError

blp = Blueprint("exports", __name__)

KIND_LABELS = {service.REGISTER: _l("Quality register (identified)"),
               service.RESEARCH: _l("Research extract (pseudonymised)")}


class RegisterExportForm(FlaskForm):
    care_area = SelectField(_l("Care area"), validate_choice=False)
    # Date inputs; the service checks the days (and names the field).
    period_from = StringField(_l("Meetings from (day)"), render_kw={"type": "date"})
    period_to = StringField(_l("Meetings to (day, included)"), render_kw={"type": "date"})
    purpose = StringField(_l("Purpose"), render_kw={"maxlength": PURPOSE_LENGTH})

    def values(self) -> dict[str, Any]:
        return {name: field.data for name, field in self._fields.items()
                if name != "csrf_token"}


class ResearchExtractForm(RegisterExportForm):
    study_name = StringField(_l("Study"), render_kw={"maxlength": STUDY_NAME_LENGTH})
    ethics_reference = StringField(_l("Ethics approval (etikprövningsnummer)"),
                                   render_kw={"maxlength": ETHICS_REFERENCE_LENGTH})


FORMS = {service.REGISTER: RegisterExportForm, service.RESEARCH: ResearchExtractForm}


def _form(kind: str, formdata=None) -> RegisterExportForm:
    form = FORMS[kind](formdata=formdata)
    language = current_language()
    form.care_area.choices = [(key, area.name(language)) for key, area in
                              service.areas_for(current_principal(), kind).items()]
    if formdata is None:
        today = service.local_today()
        form.period_from.data = date(today.year, 1, 1).isoformat()
        form.period_to.data = today.isoformat()
    return form


def _page(kind: str, form: RegisterExportForm, status: int = 200):
    return render_template(f"exports/{kind}.html", form=form), status


def _download(made: service.Made) -> Response:
    return Response(made.csv, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{made.filename}"',
        "Cache-Control": "no-store"})


def _export(kind: str, make):
    if request.method == "GET":
        return _page(kind, _form(kind))
    form = _form(kind, request.form)
    if not form.validate_on_submit():  # the CSRF token
        return _page(kind, form, status_for(form))
    try:
        made = make(actor_from_request(), current_principal(), form.values(),
                    current_language())
    except FieldError as error:
        attach_error(form, error)
        return _page(kind, form, error.status)
    return _download(made)


@blp.get("/exports")
def list_exports():
    principal = current_principal()
    return render_template(
        "exports/list.html", exports=service.past_exports(principal), kind_labels=KIND_LABELS,
        may_register=bool(service.areas_for(principal, service.REGISTER)),
        may_research=bool(service.areas_for(principal, service.RESEARCH)),
        limit=service.PAGE_SIZE)


@blp.route("/exports/register", methods=["GET", "POST"])
def register_export():
    return _export(service.REGISTER, service.make_register_export)


@blp.route("/exports/research", methods=["GET", "POST"])
def research_extract():
    return _export(service.RESEARCH, service.make_research_extract)
