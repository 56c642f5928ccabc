"""Forms for referring and triaging cases. The area's own referral questions come from its
file, so the form class is built per care area; the service checks every value."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, Field, SelectField, StringField, TextAreaField

from mdk.care_areas.domain import CareArea, ReferralField
from mdk.cases.workflow import CASE_TYPE_LABELS, PRIORITY_LABELS
from mdk.forms import optional_int
from mdk.i18n import current_language
from mdk.patients.forms import IdentityFields

ANSWER_PREFIX = "answer_"


class CaseFields(FlaskForm):
    """What every referral says, whatever the care area."""

    question = TextAreaField(_l("Question to the MDK"), render_kw={"rows": 5})
    case_type = SelectField(_l("Kind of question"), validate_choice=False)
    priority = SelectField(_l("Priority"), validate_choice=False, default="normal")
    contact_phone = StringField(_l("Phone number for questions about the referral"),
                                render_kw={"autocomplete": "tel", "inputmode": "tel"})
    consent_recorded = BooleanField(
        _l("The patient agrees to the case being discussed at a national MDK"))

    def set_case_choices(self, area: CareArea):
        # Choices are set on the bound form (WTForms warns about tuples given at declaration).
        self.case_type.choices = list(CASE_TYPE_LABELS.items())
        self.priority.choices = list(PRIORITY_LABELS.items())
        language = current_language()
        for item in area.referral_fields:
            if item.type == "choice":
                self[f"{ANSWER_PREFIX}{item.key}"].choices = [
                    ("", _l("Not stated")), *((c.key, c.label(language)) for c in item.choices)]
        return self

    def answer_fields(self) -> list[Field]:
        return [field for name, field in self._fields.items() if name.startswith(ANSWER_PREFIX)]

    def case_data(self) -> dict:
        return {"question": self.question.data or "", "case_type": self.case_type.data,
                "priority": self.priority.data, "contact_phone": self.contact_phone.data or None,
                "consent_recorded": bool(self.consent_recorded.data),
                "answers": {name.removeprefix(ANSWER_PREFIX): _answer(field)
                            for name, field in self._fields.items()
                            if name.startswith(ANSWER_PREFIX)}}


class NewCaseFields(CaseFields, IdentityFields):
    referring_unit_id = SelectField(_l("Referring unit"), validate_choice=False,
                                    coerce=optional_int)
    given_name = StringField(_l("Given name"), render_kw={"autocomplete": "off"})
    family_name = StringField(_l("Family name"), render_kw={"autocomplete": "off"})
    protected_identity = BooleanField(_l("Protected identity (skyddad identitet)"))

    def service_data(self, area_key: str, submit: bool) -> dict:
        return {"care_area": area_key, "referring_unit_id": self.referring_unit_id.data,
                **self.identity_data(), "given_name": self.given_name.data,
                "family_name": self.family_name.data,
                "protected_identity": bool(self.protected_identity.data),
                **self.case_data(), "submit": submit}


class OnBehalfFields(NewCaseFields):
    """The coordinator's referral form: also a remiss registered on the referring unit's
    behalf (mdk.cases.on_behalf), with the remiss attached. Choices: the view."""

    on_behalf = BooleanField(_l("I register a remiss sent to the MDK, on the referring "
                                "unit's behalf"), default=True)
    contact_person_id = SelectField(_l("Contact at the referring unit"),
                                    validate_choice=False, coerce=optional_int)
    remiss_source = SelectField(_l("The remiss came"), validate_choice=False)
    remiss_received_on = StringField(_l("Day the remiss arrived"), render_kw={"type": "date"})
    remiss_reference = StringField(_l("The sender's reference (optional)"),
                                   render_kw={"autocomplete": "off"})
    remiss_file = FileField(_l("The remiss (PDF)"), render_kw={"accept": "application/pdf"})

    def remiss_data(self) -> dict:
        return {"contact_person_id": self.contact_person_id.data,
                "remiss_source": self.remiss_source.data or None,
                "remiss_received_on": self.remiss_received_on.data or None,
                "remiss_reference": self.remiss_reference.data or None}

    def remiss_upload(self) -> tuple:
        """The uploaded file's stream and name, or (None, None) when none was chosen."""
        chosen = self.remiss_file.data
        if chosen is None or not getattr(chosen, "filename", None):
            return None, None
        return chosen.stream, chosen.filename


def _answer(field: Field) -> object:
    if isinstance(field, BooleanField):
        return bool(field.data)
    return field.data if field.data not in (None, "") else None


def _answer_field(item: ReferralField, language: str) -> Field:
    label = item.label(language)
    description = item.help(language) if item.help else ""
    if item.type == "choice":  # choices: CaseFields.set_case_choices
        return SelectField(label, validate_choice=False, description=description)
    if item.type == "boolean":
        return BooleanField(label, description=description)
    if item.type == "long_text":
        return TextAreaField(label, description=description, render_kw={"rows": 3})
    kind = {"integer": {"inputmode": "numeric", **_limits(item)},
            "date": {"type": "date"}}.get(item.type, {})
    return StringField(label, description=description, render_kw=kind)


def _limits(item: ReferralField) -> dict[str, object]:
    """The area file's range as a number input's min and max (the service checks it too)."""
    limits = {name: value for name, value in (("min", item.min), ("max", item.max))
              if value is not None}
    return {"type": "number", "step": 1, **limits} if limits else {}


def form_class(area: CareArea, base: type[CaseFields]) -> type[CaseFields]:
    """A form class with the area's referral questions added as answer_<key> fields."""
    language = current_language()
    fields = {f"{ANSWER_PREFIX}{item.key}": _answer_field(item, language)
              for item in area.referral_fields}
    return type(f"{base.__name__}For{area.key.title()}", (base,), fields)


def form_field_name(service_field: str) -> str:
    """The form's name of a field the service names: answers.histology → answer_histology."""
    return service_field.replace("answers.", ANSWER_PREFIX, 1)


class MoveForm(FlaskForm):
    """One move of the case (submit, withdraw, accept, return, decline, defer)."""

    reason = TextAreaField(_l("Reason"), render_kw={"rows": 2})
    conference_id = SelectField(_l("Meeting"), validate_choice=False, coerce=optional_int)
    treating_unit_id = SelectField(_l("Proposed treating unit"), validate_choice=False,
                                   coerce=optional_int)

    def move_data(self, fields: tuple[str, ...]) -> dict:
        return {name: getattr(self, name).data for name in fields}


class ConfirmIdentityForm(FlaskForm):
    """The coordinator confirms the registered identity of a case flagged by the name check
    (the form carries the CSRF token only)."""


class TakeCaseForm(FlaskForm):
    """A coordinator takes the case for one of their units (ta ärendet)."""

    unit_id = SelectField(_l("For the unit"), validate_choice=False, coerce=optional_int)
