"""Care providers and units: create, update, list; which units are NHV units of which area."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mdk.care_areas.domain import CareArea
from mdk.care_areas.service import care_areas
from mdk.db import matching_any
from mdk.extensions import db
from mdk.units.models import CareProvider, Unit
from mdk.validation import (
    ConflictError,
    FieldError,
    clean_bool,
    clean_email,
    clean_hsa_id,
    clean_id,
    clean_organisation_number,
    clean_phone,
    clean_text,
)

UNIT_KINDS = ("nhv", "referring")
UNKNOWN_PROVIDER = _l("Choose a care provider from the list.")
UNKNOWN_UNIT = _l("Choose a unit from the list.")

Cleaner = Callable[[Any], Any]

PROVIDER_FIELDS: dict[str, Cleaner] = {
    "name": lambda v: clean_text(v, "name", max_length=200),
    "organisation_number": clean_organisation_number,
    "hsa_id": lambda v: clean_hsa_id(v, "hsa_id", required=False),
    "is_private": lambda v: clean_bool(v, "is_private"),
}
PROVIDER_DEFAULTS = {"hsa_id": None, "is_private": False}

UNIT_FIELDS: dict[str, Cleaner] = {
    "name": lambda v: clean_text(v, "name", max_length=200),
    "short_name": lambda v: clean_text(v, "short_name", max_length=40),
    "hsa_id": clean_hsa_id,
    "provider_id": lambda v: clean_id(v, "provider_id", UNKNOWN_PROVIDER),
    "mailbox": lambda v: clean_email(v, "mailbox"),
    "phone": clean_phone,
    "address": lambda v: clean_text(v, "address", max_length=200, required=False),
    "city": lambda v: clean_text(v, "city", max_length=100, required=False),
    "active": lambda v: clean_bool(v, "active"),
}
UNIT_DEFAULTS = {"address": None, "city": None, "active": True}


def clean_fields(fields: Mapping[str, Cleaner], data: Mapping[str, Any], *,
                 defaults: Mapping[str, Any] | None = None, partial: bool = False) -> dict:
    """Run each field's rule; a full record (not `partial`) needs every field or a default.

    Fields are checked in declaration order, so the first wrong one is the one reported.
    """
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise FieldError(unknown[0], _l("Unknown field."))
    cleaned = {}
    for name, rule in fields.items():
        if name in data:
            cleaned[name] = rule(data[name])
        elif not partial:
            cleaned[name] = (defaults or {})[name] if name in (defaults or {}) else rule(None)
    return cleaned


# --- care providers -------------------------------------------------------------------------

def list_providers() -> list[CareProvider]:
    return list(db.session.scalars(
        select(CareProvider).options(selectinload(CareProvider.units))
        .order_by(CareProvider.name)))


def get_provider(provider_id: int) -> CareProvider | None:
    return db.session.get(CareProvider, provider_id)


def provider_by_organisation_number(number: str) -> CareProvider | None:
    return db.session.scalar(
        select(CareProvider).where(CareProvider.organisation_number == number))


def create_provider(data: Mapping[str, Any]) -> CareProvider:
    values = clean_fields(PROVIDER_FIELDS, data, defaults=PROVIDER_DEFAULTS)
    _check_provider_unique(values, None)
    provider = CareProvider(**values)
    db.session.add(provider)
    db.session.commit()
    return provider


def update_provider(provider: CareProvider, data: Mapping[str, Any]) -> CareProvider:
    values = clean_fields(PROVIDER_FIELDS, data, partial=True)
    _check_provider_unique(values, provider.id)
    for name, value in values.items():
        setattr(provider, name, value)
    db.session.commit()
    return provider


def _check_provider_unique(values: dict, own_id: int | None) -> None:
    for column, message in (
        ("organisation_number",
         _l("Another care provider already has this organisation number.")),
        ("hsa_id", _l("Another care provider already has this HSA-id.")),
    ):
        if values.get(column) is not None:
            taken = db.session.scalar(select(CareProvider.id).where(
                getattr(CareProvider, column) == values[column]))
            if taken is not None and taken != own_id:
                raise ConflictError(column, message)


# --- units ----------------------------------------------------------------------------------

def nhv_areas_by_hsa_id() -> dict[str, list[CareArea]]:
    """HSA-id -> the care areas whose file names that unit as an NHV unit."""
    result: dict[str, list[CareArea]] = {}
    for area in care_areas().values():
        for nhv in area.nhv_units:
            result.setdefault(nhv.hsa_id, []).append(area)
    return result


def list_units(kind: str | None = None, query: str | None = None) -> list[Unit]:
    """All units, NHV units only (`kind="nhv"`) or referring units only; `query` searches
    name, short name, HSA-id and provider name."""
    statement = (select(Unit).join(Unit.provider).options(selectinload(Unit.provider))
                 .order_by(Unit.name))
    nhv_ids = list(nhv_areas_by_hsa_id())
    if kind == "nhv":
        statement = statement.where(Unit.hsa_id.in_(nhv_ids))
    elif kind == "referring" and nhv_ids:
        statement = statement.where(Unit.hsa_id.not_in(nhv_ids))
    search = matching_any(query, Unit.name, Unit.short_name, Unit.hsa_id, CareProvider.name)
    if search is not None:
        statement = statement.where(search)
    return list(db.session.scalars(statement))


def get_unit(unit_id: int) -> Unit | None:
    return db.session.get(Unit, unit_id)


def unit_by_hsa_id(hsa_id: str) -> Unit | None:
    return db.session.scalar(select(Unit).where(Unit.hsa_id == hsa_id))


def check_unit_fields(data: Mapping[str, Any]) -> None:
    """Raise the FieldError create_unit would, before anything else (e.g. a provider) is made."""
    values = clean_fields(UNIT_FIELDS, {"provider_id": 1, **data}, defaults=UNIT_DEFAULTS)
    values.pop("provider_id")  # the provider is checked when the unit is made
    _check_unit_references(values, None)


def create_unit(data: Mapping[str, Any]) -> Unit:
    values = clean_fields(UNIT_FIELDS, data, defaults=UNIT_DEFAULTS)
    _check_unit_references(values, None)
    unit = Unit(**values)
    db.session.add(unit)
    db.session.commit()
    return unit


def update_unit(unit: Unit, data: Mapping[str, Any]) -> Unit:
    values = clean_fields(UNIT_FIELDS, data, partial=True)
    _check_unit_references(values, unit.id)
    for name, value in values.items():
        setattr(unit, name, value)
    db.session.commit()
    return unit


def _check_unit_references(values: dict, own_id: int | None) -> None:
    if "hsa_id" in values:
        taken = db.session.scalar(select(Unit.id).where(Unit.hsa_id == values["hsa_id"]))
        if taken is not None and taken != own_id:
            raise ConflictError("hsa_id", _l("Another unit already has this HSA-id."))
    if "provider_id" in values and get_provider(values["provider_id"]) is None:
        raise FieldError("provider_id", UNKNOWN_PROVIDER)
