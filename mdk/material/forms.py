"""Forms of the case page's material section: one set per entry (its fields, where it is
available, a file), each with a prefix of its own so field names and ids stay unique on the
page. The service checks every value; the forms only carry them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField

from mdk.care_areas.service import competence_label
from mdk.forms import optional_int
from mdk.i18n import current_language
from mdk.material.models import AVAILABILITY, KINDS

REFERENCE_KIND_LABELS = {"pad_number": _l("PAD number"),
                         "accession_number": _l("Accession number (RIS/PACS)"),
                         "study_uid": _l("StudyInstanceUID (DICOM)")}
AVAILABILITY_LABELS = {"requested": _l("Requested"), "available": _l("Available at the unit"),
                       "transferred": _l("Transferred")}


def kind_choices():
    from mdk.material.readiness import KIND_LABELS

    return [(kind, KIND_LABELS[kind]) for kind in KINDS]


class ItemForm(FlaskForm):
    """A checklist entry's fields (its kind and name come from the area file)."""

    examined_on = StringField(_l("Examination or sampling date"),
                              render_kw={"type": "date", "autocomplete": "off"})
    source_hospital = StringField(_l("Hospital"), render_kw={"autocomplete": "off"})
    reference_kind = SelectField(_l("Kind of reference"), validate_choice=False)
    reference = StringField(_l("Reference"), render_kw={"autocomplete": "off",
                                                        "spellcheck": "false"})
    note = TextAreaField(_l("Note"), render_kw={"rows": 2})

    def set_choices(self, review_by: tuple[str, ...] = ()) -> ItemForm:
        self.reference_kind.choices = [("", _l("No reference")),
                                       *REFERENCE_KIND_LABELS.items()]
        return self

    def item_data(self) -> dict:
        return {name: getattr(self, name).data or None for name in
                ("examined_on", "source_hospital", "reference_kind", "reference", "note")}

    def fill_from(self, item) -> ItemForm:
        if item is not None:
            self.examined_on.data = item.examined_on.isoformat() if item.examined_on else ""
            for name in ("source_hospital", "reference_kind", "reference", "note"):
                getattr(self, name).data = getattr(item, name) or ""
        return self


class ExtraItemForm(ItemForm):
    """An item beyond the checklist: its kind, name, whether it is required, reviewer."""

    kind = SelectField(_l("Kind of material"), validate_choice=False, default="other")
    label = StringField(_l("Name"), render_kw={"autocomplete": "off"})
    required = BooleanField(_l("Required for the meeting"))
    review_by = SelectField(_l("Secondary review by"), validate_choice=False)

    def set_choices(self, review_by: tuple[str, ...] = ()) -> ExtraItemForm:
        super().set_choices()
        self.kind.choices = kind_choices()
        language = current_language()
        self.review_by.choices = [("", _l("No secondary review")),
                                  *((key, competence_label(key, language)) for key in review_by)]
        return self

    def item_data(self) -> dict:
        return {**super().item_data(), "kind": self.kind.data, "label": self.label.data or "",
                "required": bool(self.required.data), "review_by": self.review_by.data or None}

    def fill_from(self, item) -> ExtraItemForm:
        super().fill_from(item)
        if item is not None:
            self.kind.data, self.label.data = item.kind, item.label or ""
            self.required.data, self.review_by.data = item.required, item.review_by or ""
        return self


class AvailabilityForm(FlaskForm):
    unit_id = SelectField(_l("Unit"), validate_choice=False, coerce=optional_int)
    status = SelectField(_l("Status"), validate_choice=False, default="requested")
    status_on = StringField(_l("Date"), render_kw={"type": "date", "autocomplete": "off"})

    def set_choices(self, units) -> AvailabilityForm:
        self.unit_id.choices = [("", _l("Choose a unit")),
                                *((unit.id, unit.name) for unit in units)]
        self.status.choices = [(key, AVAILABILITY_LABELS[key]) for key in AVAILABILITY]
        return self

    def availability_data(self) -> dict:
        return {"unit_id": self.unit_id.data, "status": self.status.data,
                "status_on": self.status_on.data or None}


class UploadForm(FlaskForm):
    file = FileField(_l("File (PDF or image)"),
                     render_kw={"accept": "application/pdf,image/png,image/jpeg,image/tiff"})


def reference_kind_label(key: str | None) -> str:
    return str(REFERENCE_KIND_LABELS.get(key, key or ""))


def availability_label(key: str) -> str:
    return str(AVAILABILITY_LABELS.get(key, key))

