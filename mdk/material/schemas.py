"""API schemas of a case's material. Input schemas check types only; the rules (dates,
references, units, the case being open) are mdk.material.service's, so forms and API agree."""

from __future__ import annotations

from flask import url_for
from flask_smorest.fields import Upload
from marshmallow import Schema, fields

from mdk.material.models import (
    AVAILABILITY,
    HOSPITAL_LENGTH,
    KINDS,
    LABEL_LENGTH,
    NOTE_LENGTH,
    REFERENCE_KINDS,
)
from mdk.schemas import Flag, Text, database_id

# --- output ---------------------------------------------------------------------------------


class AvailabilitySchema(Schema):
    unit_id = fields.Integer()
    unit_name = fields.String(attribute="unit.name")
    status = fields.String(metadata={"enum": list(AVAILABILITY)})
    status_on = fields.Date()
    updated_at = fields.DateTime()


class FileSchema(Schema):
    id = fields.Integer()
    item_id = fields.Integer(allow_none=True)
    name = fields.Method("_name", metadata={
        "description": "the uploader's file name (cleaned) for those who see the case's "
                       "identity (it may name the patient); otherwise <case number>-<id>"})
    content_type = fields.String(metadata={"description": "decided from the content"})
    size_bytes = fields.Integer()
    sha256 = fields.String()
    uploaded_at = fields.DateTime()
    download_url = fields.Method("_download_url")

    def _name(self, found) -> str:
        from mdk.access import current_principal, policy
        from mdk.material.service import shown_file_name

        case = found.case
        return shown_file_name(case, found,
                               policy.may_see_case_identity(current_principal(), case))

    def _download_url(self, found) -> str:
        return url_for("api_material.FileDownload", case_id=found.case_id, file_id=found.id)


class ItemSchema(Schema):
    id = fields.Integer()
    entry = fields.Method("_entry", metadata={
        "description": "the entry's key: the checklist key, or item-<id> for an extra item"})
    checklist_key = fields.String(allow_none=True)
    kind = fields.String(metadata={"enum": list(KINDS)})
    label = fields.String(allow_none=True)
    required = fields.Boolean()
    review_by = fields.String(allow_none=True)
    examined_on = fields.Date(allow_none=True)
    source_hospital = fields.String(allow_none=True)
    reference_kind = fields.String(allow_none=True)
    reference = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    provided = fields.Boolean(metadata={"description": "a date, a reference or a file"})
    availability = fields.List(fields.Nested(AvailabilitySchema))
    files = fields.List(fields.Nested(FileSchema))
    created_at = fields.DateTime()
    updated_at = fields.DateTime()

    def _entry(self, item) -> str:
        from mdk.material.service import entry_key

        return entry_key(item)


class ProblemItemSchema(Schema):
    code = fields.String(metadata={"enum": ["missing", "undated", "too_old", "not_at_host"]})
    key = fields.String(metadata={"description": "the entry's key"})
    blocking = fields.Boolean(metadata={"description": "a required entry: blocks readiness"})
    too_old_on = fields.Date(allow_none=True)
    message = fields.String(metadata={"description": "in plain words (Accept-Language)"})


class EntrySchema(Schema):
    key = fields.String()
    title = fields.String()
    kind = fields.String()
    required = fields.Boolean()
    max_age_days = fields.Integer(allow_none=True)
    review_by = fields.String(allow_none=True)
    item = fields.Nested(ItemSchema, allow_none=True, metadata={
        "description": "null: a checklist entry not yet filled in"})


class MaterialSchema(Schema):
    """The case's material list and its readiness for the meeting."""

    case_id = fields.Integer()
    ready = fields.Boolean()
    meeting_day = fields.Date(allow_none=True, metadata={
        "description": "the day judged against: the case's meeting, else the area's next"})
    conference_id = fields.Integer(allow_none=True)
    host_unit_id = fields.Integer(allow_none=True)
    open = fields.Boolean(metadata={"description": "whether the material may still change"})
    entries = fields.List(fields.Nested(EntrySchema))
    problems = fields.List(fields.Nested(ProblemItemSchema))


# --- input: types only ----------------------------------------------------------------------

class ItemFieldsSchema(Schema):
    examined_on = fields.Date(allow_none=True, metadata={
        "description": "not in the future, nor more than 50 years ago"})
    source_hospital = Text(allow_none=True, max_length=HOSPITAL_LENGTH)
    reference_kind = Text(allow_none=True, metadata={"enum": list(REFERENCE_KINDS)})
    reference = Text(allow_none=True, max_length=64, metadata={
        "description": "study_uid: a DICOM UID (digits and dots, no leading zeros, at most "
                       "64); pad_number (at most 30) and accession_number (at most 16): "
                       "letters, digits, '-', '/' and single spaces"})
    note = Text(allow_none=True, multiline=True, max_length=NOTE_LENGTH)


class ExtraFieldsSchema(ItemFieldsSchema):
    kind = Text(metadata={"enum": list(KINDS)})
    label = Text(allow_none=True, max_length=LABEL_LENGTH)
    required = Flag()
    review_by = Text(allow_none=True, metadata={
        "description": "a competence key of the area's secondary review"})


class ItemCreateSchema(ExtraFieldsSchema):
    """With `checklist_key`: fill in that checklist entry (kind, required and reviewer come
    from the area file, so those fields are refused). Without: an extra item (kind and
    label needed)."""

    checklist_key = Text(allow_none=True, max_length=60)


class ItemPatchSchema(ExtraFieldsSchema):
    """Any subset; kind, label, required and review_by of an extra item only."""


class AvailabilityInputSchema(Schema):
    unit_id = database_id(allow_none=True, metadata={"description": "one of the area's NHV "
                                                                    "units (needed)"})
    status = Text(allow_none=True, metadata={"enum": list(AVAILABILITY)})
    status_on = fields.Date(allow_none=True, metadata={"description": "default today"})


class UploadSchema(Schema):
    file = Upload(metadata={"description": "a PDF or an image (PNG, JPEG, TIFF), at most "
                                           "MDK_UPLOAD_MAX_MB"})
