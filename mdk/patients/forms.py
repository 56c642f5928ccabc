"""Forms for registering and finding patients. Identity numbers are checked by the service."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField

from mdk.patients.service import NATIONAL, RESERVNUMMER

IDENTITY_KIND_LABELS = {
    NATIONAL: _l("Personnummer or samordningsnummer"),
    RESERVNUMMER: _l("Reservnummer"),
}


class IdentityFields(FlaskForm):
    identity_kind = SelectField(_l("Kind of identity number"), validate_choice=False,
                                default=NATIONAL)
    # autocomplete off: the browser must not remember identity numbers
    identity_number = StringField(_l("Identity number"),
                                  render_kw={"autocomplete": "off", "spellcheck": "false"})
    issuer = SelectField(_l("Issuing region (reservnummer only)"), validate_choice=False)

    def set_choices(self, issuers: list[tuple[str, str]]) -> IdentityFields:
        # Choices are set on the bound form (WTForms warns about tuples given at declaration).
        self.identity_kind.choices = list(IDENTITY_KIND_LABELS.items())
        self.issuer.choices = [("", _l("Not a reservnummer")), *issuers]
        return self

    def identity_data(self) -> dict:
        data = {"identity_kind": self.identity_kind.data,
                "identity_number": self.identity_number.data or ""}
        if self.identity_kind.data == RESERVNUMMER:
            data["issuer"] = self.issuer.data
        return data


class PatientForm(IdentityFields):
    given_name = StringField(_l("Given name"), render_kw={"autocomplete": "off"})
    family_name = StringField(_l("Family name"), render_kw={"autocomplete": "off"})
    protected_identity = BooleanField(_l("Protected identity (skyddad identitet)"))

    def service_data(self) -> dict:
        return {**self.identity_data(), "given_name": self.given_name.data,
                "family_name": self.family_name.data,
                "protected_identity": bool(self.protected_identity.data)}


class PatientSearchForm(IdentityFields):
    """Sent by POST, so the number is never part of a URL."""
