"""Patients: register, find by identity number (never from a URL), read, list; every read and
change writes its audit event in the same transaction.

Identity numbers and names never go into log lines, audit details or URLs: only the internal
id does.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_gettext as translate_later  # a message chosen at run time
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from mdk.audit import service as audit
from mdk.audit.service import Actor
from mdk.db import commit_keeping_loaded
from mdk.extensions import db
from mdk.patients.identity import (
    IdentityNumberError,
    luhn_check_digit,
    parse_identity_number,
)
from mdk.patients.models import Patient
from mdk.patients.reservnummer import (
    RESERVNUMMER,
    ReservnummerFormat,
    load_formats,
    parse_reservnummer,
)
from mdk.validation import ConflictError, FieldError, clean_bool, clean_text

log = logging.getLogger(__name__)

FORMATS_KEY = "mdk.reservnummer"
NATIONAL = "national"  # the form's choice: personnummer or samordningsnummer, told apart by day
IDENTITY_CHOICES = (NATIONAL, RESERVNUMMER)
PAGE_SIZE = 50
FICTITIOUS_SEED = 19301990
FICTITIOUS_GIVEN_NAME = "Testpatient"
NUMBER_WORDS = ("Ett", "Två", "Tre", "Fyra", "Fem", "Sex", "Sju", "Åtta", "Nio", "Tio", "Elva",
                "Tolv", "Tretton", "Fjorton", "Femton", "Sexton", "Sjutton", "Arton", "Nitton",
                "Tjugo")
DUPLICATE_IDENTITY = _l("A patient with this identity number is already registered.")


@dataclass(frozen=True)
class Identity:
    kind: str
    value: str
    issuer: str | None = None


@dataclass(frozen=True)
class PatientPage:
    patients: list[Patient]
    page: int
    pages: int
    total: int


def init_app(app) -> None:
    app.extensions[FORMATS_KEY] = load_formats()


def reservnummer_formats() -> dict[str, ReservnummerFormat]:
    return current_app.extensions[FORMATS_KEY]


# --- identity -------------------------------------------------------------------------------

def parse_identity(kind: object, raw: object, issuer: object = None) -> Identity:
    """Validate an identity number as the form gives it; FieldError names the wrong field."""
    if kind not in IDENTITY_CHOICES:
        raise FieldError("identity_kind", _l("Choose the kind of identity number."))
    try:
        if kind == RESERVNUMMER:
            if issuer not in reservnummer_formats():
                raise FieldError("issuer", _l("Choose the region that issued the reservnummer."))
            number = parse_reservnummer(raw, issuer, reservnummer_formats())
            return Identity(RESERVNUMMER, number.value, number.issuer)
        parsed = parse_identity_number(raw)
    except IdentityNumberError as error:
        raise FieldError("identity_number", translate_later(error.args[0])) from error
    return Identity(parsed.kind, parsed.value)


def patient_by_identity(identity: Identity) -> Patient | None:
    return db.session.scalar(select(Patient).where(
        Patient.identity_kind == identity.kind, Patient.identity_value == identity.value))


def find_patient_by_identity(raw: object, issuer: object = None, *,
                             kind: object = None) -> Patient | None:
    """The patient with this number, or None. `kind` is "national" (personnummer or
    samordningsnummer) or "reservnummer"; by default a reservnummer when `issuer` is given.

    Takes the number from a POST body: never put an identity number in a URL.
    """
    kind = kind or (RESERVNUMMER if issuer else NATIONAL)
    return patient_by_identity(parse_identity(kind, raw, issuer))


# --- register, read, update -----------------------------------------------------------------

PATIENT_FIELDS = {
    "given_name": lambda v: clean_text(v, "given_name", max_length=100),
    "family_name": lambda v: clean_text(v, "family_name", max_length=100),
    "protected_identity": lambda v: clean_bool(v, "protected_identity"),
}


def _clean_names(data: Mapping[str, Any], partial: bool) -> dict[str, Any]:
    values = {}
    for name, rule in PATIENT_FIELDS.items():
        if name in data:
            values[name] = rule(data[name])
        elif not partial:
            values[name] = False if name == "protected_identity" else rule(None)
    return values


def register_patient(actor: Actor, data: Mapping[str, Any], *,
                     fictitious: bool = False) -> Patient:
    """Register a patient from `identity_kind`, `identity_number`, `issuer` (reservnummer),
    `given_name`, `family_name`, `protected_identity`; writes patient.create."""
    patient = add_patient(actor, data, fictitious=fictitious)
    db.session.commit()
    log.info("patient %d registered (%s)", patient.id, patient.identity_kind)
    return patient


def add_patient(actor: Actor, data: Mapping[str, Any], *, fictitious: bool = False) -> Patient:
    """`register_patient` without the commit: for a service that registers the patient
    together with something else (a case), in one transaction."""
    unknown = sorted(set(data) - {"identity_kind", "identity_number", "issuer", *PATIENT_FIELDS})
    if unknown:
        raise FieldError(unknown[0], _l("Unknown field."))
    identity = parse_identity(data.get("identity_kind", NATIONAL), data.get("identity_number"),
                              data.get("issuer"))
    values = _clean_names(data, partial=False)
    if patient_by_identity(identity) is not None:
        raise ConflictError("identity_number", DUPLICATE_IDENTITY)
    patient = Patient(identity_kind=identity.kind, identity_value=identity.value,
                      identity_issuer=identity.issuer, fictitious=fictitious, **values)
    db.session.add(patient)
    try:
        db.session.flush()
    except IntegrityError as exc:  # registered by someone else a moment ago
        db.session.rollback()
        raise ConflictError("identity_number", DUPLICATE_IDENTITY) from exc
    audit.record(actor, "patient.create", patient,
                 details={"identity_kind": identity.kind, "fictitious": fictitious})
    return patient


def get_patient(patient_id: int) -> Patient | None:
    """The patient, without an audit event: for services that record their own."""
    return db.session.get(Patient, patient_id)


def read_patient(actor: Actor, patient_id: int) -> Patient | None:
    """The patient as shown to a user: writes patient.read."""
    patient = get_patient(patient_id)
    if patient is not None:
        audit.record(actor, "patient.read", patient)
        db.session.commit()
    return patient


def add_protection(actor: Actor, patient: Patient) -> Patient:
    """Mark the patient's identity protected (a referral may add protection, never remove
    it); audited, not committed: the caller's transaction decides."""
    if not patient.protected_identity:
        update_patient(actor, patient, {"protected_identity": True}, commit=False)
    return patient


def update_patient(actor: Actor, patient: Patient, data: Mapping[str, Any], *,
                   commit: bool = True) -> Patient:
    """Change the name or the protected-identity flag (the identity itself never changes)."""
    unknown = sorted(set(data) - set(PATIENT_FIELDS))
    if unknown:
        raise FieldError(unknown[0], _l("Unknown field."))
    values = _clean_names(data, partial=True)
    changed = sorted(name for name, value in values.items() if getattr(patient, name) != value)
    for name in changed:
        setattr(patient, name, values[name])
    if changed:
        audit.record(actor, "patient.update", patient, details={"fields": ",".join(changed)})
        if commit:
            db.session.commit()
    return patient


def list_patients(actor: Actor, page: int = 1, per_page: int = PAGE_SIZE, *,
                  where=None, options: Sequence = ()) -> PatientPage:
    """One page of patients; one patient.read event per patient shown, in one INSERT.
    `where` limits it to the reader's scope; `options` loads what the page shows with them
    (other features' rows, e.g. the patient's cases)."""
    count, rows = select(func.count(Patient.id)), select(Patient)
    if where is not None:
        count, rows = count.where(where), rows.where(where)
    total = db.session.scalar(count) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    patients = list(db.session.scalars(
        rows.options(*options).order_by(Patient.family_name, Patient.given_name, Patient.id)
        .limit(per_page).offset((page - 1) * per_page)))
    audit.record_reads(actor, patients)
    commit_keeping_loaded(db.session)
    return PatientPage(patients=patients, page=page, pages=pages, total=total)


# --- fictitious patients (demo and tests) ---------------------------------------------------

def fictitious_identity_numbers(count: int, seed: int = FICTITIOUS_SEED) -> list[str]:
    """`count` different valid personnummer (12 digits) born 1930-1990, the same every time."""
    rng = random.Random(seed)
    first, days = date(1930, 1, 1), (date(1990, 12, 31) - date(1930, 1, 1)).days
    numbers: list[str] = []
    seen: set[str] = set()  # a list lookup would make 10,000 numbers (mdk demo scale) slow
    while len(numbers) < count:
        birth = first + timedelta(days=rng.randint(0, days))
        nine = f"{birth:%y%m%d}{rng.randint(0, 999):03d}"
        number = f"{birth.year // 100}{nine}{luhn_check_digit(nine)}"
        if number not in seen:
            seen.add(number)
            numbers.append(number)
    return numbers


def fictitious_family_name(n: int) -> str:
    return NUMBER_WORDS[n - 1] if 1 <= n <= len(NUMBER_WORDS) else str(n)


def create_fictitious_patients(actor: Actor, count: int,
                               seed: int = FICTITIOUS_SEED) -> list[Patient]:
    """Testpatient Ett, Två, ... with generated numbers, always marked fictitious; a number
    already registered is skipped, so running it again adds nothing."""
    created = []
    for n, number in enumerate(fictitious_identity_numbers(count, seed), start=1):
        identity = Identity(kind="personnummer", value=number)
        if patient_by_identity(identity) is not None:
            continue
        created.append(register_patient(actor, {
            "identity_kind": NATIONAL, "identity_number": number,
            "given_name": FICTITIOUS_GIVEN_NAME, "family_name": fictitious_family_name(n),
            "protected_identity": False}, fictitious=True))
    return created
