"""Forms for care providers and units."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField

from mdk.forms import optional_int


class ProviderForm(FlaskForm):
    name = StringField(_l("Name"))
    organisation_number = StringField(_l("Organisation number"))
    hsa_id = StringField(_l("HSA-id (optional)"))
    is_private = BooleanField(_l("Private care provider"))

    def service_data(self) -> dict:
        return {"name": self.name.data, "organisation_number": self.organisation_number.data,
                "hsa_id": self.hsa_id.data or None, "is_private": bool(self.is_private.data)}


class UnitForm(FlaskForm):
    name = StringField(_l("Name"))
    short_name = StringField(_l("Short name"))
    hsa_id = StringField(_l("HSA-id"))
    provider_id = SelectField(_l("Care provider"), coerce=optional_int, validate_choice=False)
    mailbox = EmailField(_l("Functional mailbox (e-mail)"))
    phone = StringField(_l("Phone"))
    address = StringField(_l("Address (optional)"))
    city = StringField(_l("City (optional)"))
    active = BooleanField(_l("Active"), default=True)

    def service_data(self) -> dict:
        return {"name": self.name.data, "short_name": self.short_name.data,
                "hsa_id": self.hsa_id.data, "provider_id": self.provider_id.data,
                "mailbox": self.mailbox.data, "phone": self.phone.data,
                "address": self.address.data, "city": self.city.data,
                "active": bool(self.active.data)}
