"""A case's material: fill in the area's checklist entries, add extra items, change them,
say where each can be read (availability per NHV unit), attach files and hand them out.

Rules that hold for every change:
- Only while the case is open (OPEN_STATES): once the MDK has discussed the case its
  recommendation stands on the material it had, so the list is frozen from `discussed` on
  (and in the final states closed, declined and withdrawn). Later material belongs to a new
  case or an addendum, not a silent rewrite.
- Who may is the access policy's `material.edit` (the referring unit's referrers, the
  area's coordinators); views and API check it on the loaded case before calling here.
- Every change writes its audit event in the same transaction, with the case's patient and
  the names of the fields changed, never their values (a note or a hospital name may hold
  patient data). A refused change raises FieldError naming the field and changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from mdk.audit import service as audit
from mdk.audit.service import Actor
from mdk.care_areas.domain import CareArea
from mdk.care_areas.service import care_area
from mdk.cases.models import STATES, Case
from mdk.cases.workflow import FINAL
from mdk.db import utcnow
from mdk.extensions import db
from mdk.i18n import to_local
from mdk.material import uploads
from mdk.material.models import (
    AVAILABILITY,
    HOSPITAL_LENGTH,
    KINDS,
    LABEL_LENGTH,
    NOTE_LENGTH,
    REFERENCE_KINDS,
    MaterialAvailability,
    MaterialFile,
    MaterialItem,
)
from mdk.material.readiness import Readiness, assess
from mdk.units.models import Unit
from mdk.validation import (
    ConflictError,
    FieldError,
    Problems,
    clean_bool,
    clean_text,
    parse_day,
    parse_id,
)

# The states in which the material may change (see the module's docstring).
OPEN_STATES = frozenset(STATES) - FINAL - {"discussed", "reported"}

ITEM_FIELDS = ("examined_on", "source_hospital", "reference_kind", "reference", "note")
EXTRA_FIELDS = ("kind", "label", "required", "review_by")
AVAILABILITY_FIELDS = ("unit_id", "status", "status_on")
EXTRA_PREFIX = "item-"

# An examination or a status older than this is a typing error, not history.
OLDEST_YEARS = 50

# DICOM PS3.5 §9.1: digits and dots, at most 64 characters, no empty component and no
# leading zero in one (except "0" itself); an OID, so its first arc is 0, 1 or 2.
UID_LENGTH = 64
UID_PATTERN = re.compile(r"(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))+")
# PAD numbers (e.g. "T2026-01234", "U 1234/26") and RIS accession numbers: letters, digits,
# "-", "/" and single spaces. An accession number is a DICOM SH value: at most 16 characters.
CODE_PATTERN = re.compile(r"[A-Za-z0-9ÅÄÖåäö]+([-/ ][A-Za-z0-9ÅÄÖåäö]+)*[-/]?")
CODE_LENGTHS = {"pad_number": 30, "accession_number": 16}

# Which references fit which kind of item (a PAD number is not a CT's reference).
IMAGING = ("accession_number", "study_uid")
REFERENCES_FOR = {"pad": ("pad_number",), "molecular": ("pad_number",), "mri": IMAGING,
                  "pet_ct": IMAGING, "ct": IMAGING,
                  "colonoscopy": ("pad_number", "accession_number")}

NOT_OPEN = _l("The material can only be changed while the case is open, not after it has "
              "been discussed or ended.")


# --- reading ---------------------------------------------------------------------------------

def items_of(case: Case) -> list[MaterialItem]:
    """The case's items with their availability and files, in three statements."""
    return list(db.session.scalars(
        select(MaterialItem).where(MaterialItem.case_id == case.id)
        .options(selectinload(MaterialItem.availability).joinedload(MaterialAvailability.unit),
                 selectinload(MaterialItem.files))
        .order_by(MaterialItem.id)))


def readiness_of(case: Case) -> Readiness:
    return assess(case, items=items_of(case))


def is_open(case: Case) -> bool:
    return case.state in OPEN_STATES


def nhv_units(area_key: str) -> list[Unit]:
    """The area's NHV units: where material is requested, available or transferred."""
    hsa_ids = [unit.hsa_id for unit in care_area(area_key).nhv_units]
    return list(db.session.scalars(select(Unit).where(Unit.hsa_id.in_(hsa_ids))
                                   .order_by(Unit.name)))


def item_by_entry(case: Case, key: object) -> MaterialItem | None:
    """The row of an entry: a checklist key, or "item-<id>" for an extra item."""
    if not isinstance(key, str):
        return None
    if key.startswith(EXTRA_PREFIX):

        return get_item(case, parse_id(key.removeprefix(EXTRA_PREFIX)))
    return db.session.scalar(select(MaterialItem).where(
        MaterialItem.case_id == case.id, MaterialItem.checklist_key == key))


def is_entry(case: Case, key: object) -> bool:
    """Whether `key` names one of the case's entries (a checklist key or an extra item)."""
    if not isinstance(key, str):
        return False
    if key.startswith(EXTRA_PREFIX):
        return item_by_entry(case, key) is not None
    return care_area(case.care_area).material_item(key) is not None


def get_item(case: Case, item_id: int | None) -> MaterialItem | None:
    """One of the case's items (None: not one, or another case's)."""
    if item_id is None:
        return None
    item = db.session.get(MaterialItem, item_id)
    return item if item is not None and item.case_id == case.id else None


def entry_key(item: MaterialItem) -> str:
    return item.checklist_key or f"{EXTRA_PREFIX}{item.id}"


def get_file(case: Case, file_id: int) -> MaterialFile | None:
    found = db.session.get(MaterialFile, file_id)
    return found if found is not None and found.case_id == case.id else None


def shown_file_name(case: Case, found: MaterialFile, identity_visible: bool) -> str:
    """The uploader's file name may name the patient ("PAD Anna Andersson.pdf"): it is
    shown only to those who see the case's identity; others get the case number."""
    if identity_visible:
        return found.original_name
    return f"{case.number}-{found.id}{uploads.EXTENSIONS_BY_TYPE.get(found.content_type, '')}"


def download(actor: Actor, case: Case, found: MaterialFile) -> Path | None:
    """The stored file's path for the download, recorded as a read of the case's material
    (material.download); None when its bytes are missing (nothing recorded then)."""
    path = uploads.stored_path(found.storage_name)
    if path is None:
        return None
    audit.record(actor, "material.download", found, patient_id=case.patient_id,
                 details={"case_id": case.id, "item_id": found.item_id})
    db.session.commit()
    return path


# --- changing --------------------------------------------------------------------------------

def check_open(case: Case) -> None:
    if not is_open(case):
        raise ConflictError("state", NOT_OPEN)


def save_entry(actor: Actor, case: Case, key: object, data: Mapping[str, Any]) -> MaterialItem:
    """Fill in a checklist entry (its row is made) or change an entry already filled in or
    an extra item ("item-<id>"). The page's one form per entry uses it."""
    item = item_by_entry(case, key)
    if item is not None:
        return update_item(actor, case, item, data)
    return fill_entry(actor, case, key, data)


def fill_entry(actor: Actor, case: Case, key: object, data: Mapping[str, Any], *,
               commit: bool = True) -> MaterialItem:
    """Make the row of the area's checklist entry `key` with what is given (kind, required
    and the reviewing competence come from the area file). A row made before anything was
    provided (accepting the case makes those of the entries reviewed at the host) is filled
    in instead."""
    _known_fields(data, ITEM_FIELDS, also=("checklist_key",))
    check_open(case)
    area = care_area(case.care_area)
    entry = area.material_item(key) if isinstance(key, str) else None
    if entry is None:
        raise FieldError("checklist_key", _l("Choose an entry of the care area's checklist."))
    existing = item_by_entry(case, key)
    if existing is not None:
        if commit and _is_blank(existing):
            # The row made empty when the case was accepted (a review task needs it):
            # nobody has filled it in yet, so this fills it in.
            return update_item(actor, case, existing,
                               {name: value for name, value in data.items()
                                if name != "checklist_key"})
        raise ConflictError("checklist_key", _l("This entry is already filled in: change it "
                                                "instead."))
    values = _clean_item_fields(entry.kind, data, current=None)
    item = MaterialItem(case_id=case.id, checklist_key=entry.key, kind=entry.kind,
                        required=entry.required, review_by=entry.review_by,
                        created_by=actor.person_id, **values)
    return _insert(actor, case, item, sorted(name for name in values if values[name] is not None),
                   commit=commit)


def _is_blank(item: MaterialItem) -> bool:
    """None of the item's own fields given yet and no file (an availability may be: the
    host's "requested" is set when a review task moves there)."""
    return not item.files and all(getattr(item, name) in (None, "") for name in ITEM_FIELDS)


def add_item(actor: Actor, case: Case, data: Mapping[str, Any]) -> MaterialItem:
    """An item beyond the checklist: its kind, a name, whether it is required, optionally
    the competence reviewing it at the host, and the item's own fields."""
    _known_fields(data, ITEM_FIELDS + EXTRA_FIELDS)
    check_open(case)
    area = care_area(case.care_area)
    problems = Problems()
    extra = _clean_extra_fields(area, data, problems, partial=False)
    values = problems.check(_clean_item_fields, extra.get("kind", "other"), data, current=None)
    problems.raise_any()
    item = MaterialItem(case_id=case.id, checklist_key=None, created_by=actor.person_id,
                        **extra, **values)
    changed = sorted(name for name, value in {**extra, **values}.items()
                     if value not in (None, False))
    return _insert(actor, case, item, changed)


def _insert(actor: Actor, case: Case, item: MaterialItem, changed: list[str], *,
            commit: bool = True) -> MaterialItem:
    try:
        with db.session.begin_nested():
            db.session.add(item)
            db.session.flush()
    except IntegrityError as exc:  # the same entry filled in twice at once
        db.session.rollback()
        raise ConflictError("checklist_key", _l("This entry is already filled in: change "
                                                "it instead.")) from exc
    db.session.expire(case, ["material_items"])  # the case's list now has the new row
    audit.record(actor, "material.create", item, patient_id=case.patient_id,
                 details=_details(case, item, changed))
    if commit:
        db.session.commit()
    return item


def update_item(actor: Actor, case: Case, item: MaterialItem,
                data: Mapping[str, Any]) -> MaterialItem:
    """Change the given fields of an item (an extra item's kind, name, required flag and
    reviewer too; a checklist entry's come from the area file)."""
    extra_allowed = EXTRA_FIELDS if item.checklist_key is None else ()
    _known_fields(data, ITEM_FIELDS + extra_allowed)
    check_open(case)
    problems = Problems()
    extra = _clean_extra_fields(care_area(case.care_area), data, problems, partial=True) \
        if extra_allowed else {}
    values = problems.check(_clean_item_fields, extra.get("kind", item.kind), data,
                            current=item)
    problems.raise_any()
    merged = {**extra, **(values or {})}
    changed = sorted(name for name, value in merged.items() if getattr(item, name) != value)
    for name in changed:
        setattr(item, name, merged[name])
    if changed:
        audit.record(actor, "material.update", item, patient_id=case.patient_id,
                     details=_details(case, item, changed))
        db.session.commit()
    return item


def set_availability(actor: Actor, case: Case, item: MaterialItem | str,
                     data: Mapping[str, Any]) -> MaterialAvailability:
    """Requested, available or transferred at one of the area's NHV units, on a day.
    `item` may be an entry key: a checklist entry not yet filled in then gets its row,
    once the values are known to be right."""
    _known_fields(data, AVAILABILITY_FIELDS)
    check_open(case)
    problems = Problems()
    unit = problems.check(_nhv_unit, case.care_area, data.get("unit_id"))
    status = problems.check(_choice, data.get("status"), "status", AVAILABILITY,
                            _l("Choose requested, available or transferred."))
    raw_day = data.get("status_on")
    status_on = problems.check(_past_day, raw_day, "status_on") if raw_day not in (None, "") \
        else _today()
    problems.raise_any()
    if isinstance(item, str):
        item = item_by_entry(case, item) or fill_entry(actor, case, item, {}, commit=False)
    row = item.availability_at(unit.id)
    if row is None:
        row = MaterialAvailability(item_id=item.id, unit_id=unit.id, unit=unit)
        item.availability.append(row)
        db.session.add(row)
    changed = [name for name, value in (("status", status), ("status_on", status_on))
               if getattr(row, name, None) != value]
    row.status, row.status_on, row.updated_by = status, status_on, actor.person_id
    if changed or row.id is None:
        try:
            with db.session.begin_nested():
                db.session.flush()
        except IntegrityError as exc:  # the same unit's row saved by another at once
            db.session.rollback()
            raise ConflictError("unit_id", _l(
                "Someone else saved this unit's availability at the same time: reload the "
                "page and try again.")) from exc
        audit.record(actor, "material.availability", item, patient_id=case.patient_id,
                     details={"case_id": case.id, "entry": entry_key(item),
                              "unit_id": unit.id, "status": status,
                              "fields": ",".join(changed)})
    db.session.commit()
    return row


def discard_refused() -> None:
    """After a refused change: every check runs before anything is added to the session,
    so there is normally nothing to undo; a rollback would also expire what the page shown
    again still reads."""
    if db.session.new or db.session.dirty or db.session.deleted:
        db.session.rollback()


def attach_file(actor: Actor, case: Case, key: object, stream: BinaryIO | None,
                filename: object, field: str = "file") -> MaterialFile:
    """Store an uploaded PDF or image with entry `key` (a checklist key or "item-<id>";
    an entry not yet filled in gets its row, the file being what it provides).
    mdk.material.uploads decides what the file is from its bytes. The bytes are written
    before any row, so a refused file leaves nothing; a failed commit leaves an
    unreferenced file, never a row without its file."""
    check_open(case)
    item = item_by_entry(case, key)
    if item is None and not is_entry(case, key):
        raise FieldError("checklist_key", _l("Choose an entry of the care area's checklist."))
    if stream is None:
        raise FieldError(field, _l("Choose a file to upload."))
    stored = uploads.store(stream, filename, field)
    if item is None:
        item = fill_entry(actor, case, key, {}, commit=False)
    found = _add_file(actor, case, item, stored)
    db.session.commit()
    return found


def add_document(actor: Actor, case: Case, stored: uploads.StoredFile, *, label: str,
                 kind: str = "other") -> MaterialFile:
    """An extra item holding one document already stored (the remiss a coordinator
    registers a referral from: mdk.cases.on_behalf), in the caller's transaction: the
    caller commits. Audited as any item and upload."""
    check_open(case)
    item = MaterialItem(case_id=case.id, checklist_key=None, kind=kind, label=label,
                        required=False, created_by=actor.person_id)
    _insert(actor, case, item, ["kind", "label"], commit=False)
    return _add_file(actor, case, item, stored)


def _add_file(actor: Actor, case: Case, item: MaterialItem,
              stored: uploads.StoredFile) -> MaterialFile:
    found = MaterialFile(case_id=case.id, item=item, storage_name=stored.storage_name,
                         original_name=stored.original_name, content_type=stored.content_type,
                         size_bytes=stored.size_bytes, sha256=stored.sha256,
                         uploaded_by=actor.person_id)
    db.session.add(found)
    db.session.flush()
    audit.record(actor, "material.upload", found, patient_id=case.patient_id,
                 details={"case_id": case.id, "entry": entry_key(item), "item_id": item.id,
                          "content_type": stored.content_type, "size_bytes": stored.size_bytes})
    return found


# --- the rules of the fields -------------------------------------------------------------------

def _details(case: Case, item: MaterialItem, changed: list[str]) -> dict[str, Any]:
    return {"case_id": case.id, "entry": entry_key(item), "kind": item.kind,
            "fields": ",".join(changed)}


def _known_fields(data: Mapping[str, Any], allowed: tuple[str, ...],
                  also: tuple[str, ...] = ()) -> None:
    unknown = sorted(set(data) - set(allowed) - set(also))
    if unknown:
        raise FieldError(unknown[0], _l("Unknown field."))


def _today() -> date:
    return to_local(utcnow()).date()


def _past_day(value: object, field: str) -> date:
    """A day that has been: not in the future, not more than OLDEST_YEARS ago."""
    day = parse_day(value.strip() if isinstance(value, str) else value, field)
    today = _today()
    if day > today:
        raise FieldError(field, _l("The date cannot be in the future."))
    if day < today - timedelta(days=round(OLDEST_YEARS * 365.25)):
        raise FieldError(field, _l("Enter a date within the last %(years)d years.",
                                   years=OLDEST_YEARS))
    return day


def _choice(value: object, field: str, allowed, message) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise FieldError(field, message)
    return value


def _optional_day(value: object, field: str) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _past_day(value, field)


def _clean_item_fields(kind: str, data: Mapping[str, Any],
                       current: MaterialItem | None) -> dict[str, Any]:
    """The item's own fields given in `data` (all of them for a new item), each checked;
    the reference checked against its kind as it will be after the change."""
    problems = Problems()
    rules = {
        "examined_on": lambda v: _optional_day(v, "examined_on"),
        "source_hospital": lambda v: clean_text(v, "source_hospital",
                                                max_length=HOSPITAL_LENGTH, required=False),
        "reference_kind": lambda v: None if v in (None, "") else _choice(
            v, "reference_kind", REFERENCE_KINDS, _l("Choose the kind of reference.")),
        "reference": lambda v: clean_text(v, "reference", max_length=UID_LENGTH,
                                          required=False),
        "note": lambda v: clean_text(v, "note", max_length=NOTE_LENGTH, required=False,
                                     multiline=True),
    }
    values: dict[str, Any] = {}
    failed: set[str] = set()
    for name, rule in rules.items():
        if name in data or current is None:
            before = len(problems.errors)
            values[name] = problems.check(rule, data.get(name))
            if len(problems.errors) > before:
                failed.add(name)
    if not failed & {"reference_kind", "reference"}:
        reference_kind = values.get("reference_kind", getattr(current, "reference_kind", None))
        reference = values.get("reference", getattr(current, "reference", None))
        problems.check(_check_reference, kind, reference_kind, reference)
        if "reference" in values and reference is not None and reference_kind is not None:
            values["reference"] = _normal_reference(reference_kind, reference)
    problems.raise_any()
    return values


def _check_reference(kind: str, reference_kind: str | None, reference: str | None) -> None:
    if reference is None and reference_kind is None:
        return
    if reference is None:
        raise FieldError("reference", _l("Give the reference, or leave its kind empty."))
    if reference_kind is None:
        raise FieldError("reference_kind", _l("Choose the kind of reference."))
    fitting = REFERENCES_FOR.get(kind, REFERENCE_KINDS)
    if reference_kind not in fitting:
        raise FieldError("reference_kind", _l("This kind of reference does not fit the item."))
    if reference_kind == "study_uid":
        _check_study_uid(reference)
    else:
        _check_code(reference_kind, reference)


def _check_study_uid(reference: str) -> None:
    message = _l("A StudyInstanceUID is digits in dot-separated parts without leading zeros, "
                 "at most 64 characters, e.g. 1.2.840.113619.2.55.3.")
    if len(reference) > UID_LENGTH or not reference.isascii() \
            or not UID_PATTERN.fullmatch(reference):
        raise FieldError("reference", message)
    arcs = [int(part) for part in reference.split(".")[:2]]
    if arcs[0] > 2 or (arcs[0] < 2 and arcs[1] > 39):  # the OID's root arcs
        raise FieldError("reference", message)


def _check_code(reference_kind: str, reference: str) -> None:
    limit = CODE_LENGTHS[reference_kind]
    if len(reference) > limit or not CODE_PATTERN.fullmatch(reference):
        raise FieldError("reference", _l(
            "Use letters, digits, '-', '/' and single spaces, at most %(max)d characters.",
            max=limit))


def _normal_reference(reference_kind: str, reference: str) -> str:
    return reference if reference_kind == "study_uid" else reference.upper()


def review_competences(area: CareArea) -> tuple[str, ...]:
    """Who may be named to review an extra item at the host: the area's secondary-review
    competences and those its checklist names."""
    named = [*area.secondary_review, *(entry.review_by for entry in area.material_checklist
                                       if entry.review_by)]
    return tuple(dict.fromkeys(named))


def _clean_extra_fields(area: CareArea, data: Mapping[str, Any], problems: Problems, *,
                        partial: bool) -> dict[str, Any]:
    rules = {
        "kind": lambda v: _choice(v, "kind", KINDS, _l("Choose the kind of material.")),
        "label": lambda v: clean_text(v, "label", max_length=LABEL_LENGTH),
        "required": lambda v: clean_bool(False if v is None else v, "required"),
        "review_by": lambda v: None if v in (None, "") else _choice(
            v, "review_by", review_competences(area),
            _l("Choose one of the care area's reviewing competences.")),
    }
    values = {}
    for name, rule in rules.items():
        if name in data or not partial:
            before = len(problems.errors)
            value = problems.check(rule, data.get(name))
            if len(problems.errors) == before:
                values[name] = value
    return values


def _nhv_unit(area_key: str, raw: object) -> Unit:
    unit_id = parse_id(raw) if isinstance(raw, int) and not isinstance(raw, bool) else None
    unit = db.session.get(Unit, unit_id) if unit_id is not None else None
    if unit is None or care_area(area_key).nhv_unit(unit.hsa_id) is None:
        raise FieldError("unit_id", _l("Choose one of the care area's NHV units."))
    return unit
