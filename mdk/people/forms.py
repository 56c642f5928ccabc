"""Forms for people, their absences and role grants, and the competence-register filter."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, SelectMultipleField, StringField
from wtforms.widgets import CheckboxInput, ListWidget

from mdk.forms import optional_int

ROLE_LABELS = {
    "admin": _l("Administrator"),
    "coordinator": _l("Coordinator"),
    "member": _l("MDT member"),
    "reviewer": _l("Secondary reviewer"),
    "referrer": _l("Referrer"),
    "registrar": _l("Quality-register reporter"),
}

UNIT_NOT_YOURS = _l("You may not place people at this unit.")
AREA_NOT_YOURS = _l("You may grant roles only in care areas you administer.")


class CheckboxGroupField(SelectMultipleField):
    """Competences as labelled checkboxes; unknown values reach the service, which names them."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PersonForm(FlaskForm):
    name = StringField(_l("Name"))
    email = EmailField(_l("E-mail"))
    hsa_id = StringField(_l("Personal HSA-id (optional)"))
    title = StringField(_l("Title (optional)"))
    unit_id = SelectField(_l("Unit"), coerce=optional_int, validate_choice=False)
    competences = CheckboxGroupField(_l("Competences"), validate_choice=False)
    active = BooleanField(_l("Active"), default=True)

    def service_data(self) -> dict:
        return {"name": self.name.data, "email": self.email.data,
                "hsa_id": self.hsa_id.data or None, "title": self.title.data,
                "unit_id": self.unit_id.data, "competences": self.competences.data or [],
                "active": bool(self.active.data)}


class AbsenceForm(FlaskForm):
    # Text fields (type=date in the browser): the service parses them and names a bad one.
    first_day = StringField(_l("First day"), render_kw={"type": "date"})
    last_day = StringField(_l("Last day"), render_kw={"type": "date"})
    reason = StringField(_l("Reason (optional)"))


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), validate_choice=False)
    care_area = SelectField(_l("Care area"), validate_choice=False)
    unit_id = SelectField(_l("Acting for unit"), coerce=optional_int, validate_choice=False)


class RegisterFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter: nothing is changed

    area = SelectField(_l("Care area"), validate_choice=False)
    week = StringField(_l("Week"), render_kw={"type": "week"})


MAIL_LANGUAGES = [("sv", "Svenska"), ("en", "English")]  # each in its own language


class MailPreferencesForm(FlaskForm):
    locale = SelectField(_l("Language of the mail sent to you"), validate_choice=False)
    informational_mail = BooleanField(_l(
        "Also send me the mails that only inform (a receipt, a decline, a withdrawal). "
        "The mails that ask you to act are always sent."))
