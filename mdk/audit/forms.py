"""Forms of the log review: filters (GET), the patient chosen by number (POST), samples."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField

from mdk.patients.forms import IdentityFields


class FilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter: nothing is changed

    # Searchable without a script: the browser offers the people of the page's <datalist>.
    actor = StringField(_l("User (name or e-mail)"),
                        render_kw={"list": "audit-people", "autocomplete": "off"})
    patient_id = StringField(_l("Patient (internal id)"), render_kw={"inputmode": "numeric"})
    case_number = StringField(_l("Case number"), render_kw={"placeholder": "AC-2026-0142"})
    object_type = SelectField(_l("Kind of object"), validate_choice=False)
    object_id = StringField(_l("Object id"), render_kw={"inputmode": "numeric"})
    date_from = StringField(_l("From"), render_kw={"type": "date"})
    date_to = StringField(_l("To"), render_kw={"type": "date"})


class PatientChoiceForm(IdentityFields):
    """The patient filter by identity number: POSTed, then replaced by the internal id."""


class SampleForm(FlaskForm):
    class Meta:
        csrf = False

    date_from = StringField(_l("From"), render_kw={"type": "date"})
    date_to = StringField(_l("To"), render_kw={"type": "date"})
    size = StringField(_l("Number of events"), render_kw={"inputmode": "numeric"})
    seed = StringField(_l("Seed (empty: a new random one)"), render_kw={"inputmode": "numeric"})


class VerdictForm(FlaskForm):
    outcome = RadioField(_l("Outcome"), validate_choice=False)
    comment = TextAreaField(_l("Comment"))

    def set_choices(self) -> VerdictForm:
        self.outcome.choices = [("ok", _l("OK")), ("follow_up", _l("Needs follow-up"))]
        return self
