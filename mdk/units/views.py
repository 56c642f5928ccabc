"""HTML pages for care providers and units. Who may open each page is checked by the access
hook (mdk.access); a page that loads a unit or provider checks it with `authorize`."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from mdk.access import authorize, visible
from mdk.forms import attach_error, status_for
from mdk.i18n import current_language
from mdk.units import service
from mdk.units.forms import ProviderForm, UnitForm
from mdk.validation import FieldError

blp = Blueprint("units", __name__)


def _provider_choices() -> list[tuple[str, str]]:
    return [("", _("Choose a care provider"))] + [
        (str(provider.id), f"{provider.name} ({provider.organisation_number})")
        for provider in service.list_providers()]


# --- care providers -------------------------------------------------------------------------

@blp.get("/providers")
def list_providers():
    return render_template("units/providers.html", providers=service.list_providers())


@blp.route("/providers/new", methods=["GET", "POST"])
def new_provider():
    form = ProviderForm()
    if form.validate_on_submit():
        try:
            provider = service.create_provider(form.service_data())
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(_("Care provider %(name)s saved.", name=provider.name), "success")
            return redirect(url_for(".list_providers"))
    return render_template("units/provider_form.html", form=form, provider=None), status_for(form)


@blp.route("/providers/<int:provider_id>/edit", methods=["GET", "POST"])
def edit_provider(provider_id: int):
    provider = authorize("provider.edit", service.get_provider(provider_id))
    form = ProviderForm(obj=provider)
    if form.validate_on_submit():
        try:
            service.update_provider(provider, form.service_data())
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(_("Care provider %(name)s saved.", name=provider.name), "success")
            return redirect(url_for(".list_providers"))
    return (render_template("units/provider_form.html", form=form, provider=provider),
            status_for(form))


# --- units ----------------------------------------------------------------------------------

@blp.get("/units")
def list_units():
    kind = request.args.get("kind", "")
    kind = kind if kind in service.UNIT_KINDS else ""
    query = request.args.get("q", "").strip()
    units = visible("unit.view", service.list_units(kind=kind or None, query=query or None))
    return render_template("units/list.html", units=units, kind=kind, query=query,
                           nhv_areas=service.nhv_areas_by_hsa_id(),
                           language=current_language())


@blp.get("/units/<int:unit_id>")
def show_unit(unit_id: int):
    unit = authorize("unit.view", service.get_unit(unit_id))
    return render_template("units/show.html", unit=unit,
                           areas=service.nhv_areas_by_hsa_id().get(unit.hsa_id, []),
                           language=current_language())


@blp.route("/units/new", methods=["GET", "POST"])
def new_unit():
    form = UnitForm()
    form.provider_id.choices = _provider_choices()
    if form.validate_on_submit():
        try:
            unit = service.create_unit(form.service_data())
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(_("Unit %(name)s saved.", name=unit.name), "success")
            return redirect(url_for(".show_unit", unit_id=unit.id))
    return render_template("units/form.html", form=form, unit=None), status_for(form)


@blp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
def edit_unit(unit_id: int):
    unit = authorize("unit.edit", service.get_unit(unit_id))
    form = UnitForm(obj=unit)
    form.provider_id.choices = _provider_choices()
    if form.validate_on_submit():
        try:
            service.update_unit(unit, form.service_data())
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(_("Unit %(name)s saved.", name=unit.name), "success")
            return redirect(url_for(".show_unit", unit_id=unit.id))
    return render_template("units/form.html", form=form, unit=unit), status_for(form)
