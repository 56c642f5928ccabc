"""API schemas of the treatment start and adherence (mdk.treatment.api)."""

from __future__ import annotations

from flask import url_for
from marshmallow import Schema, fields

from mdk.schemas import Text
from mdk.treatment.models import ADHERENCE, KEY_LENGTH, NOTE_LENGTH, OUTCOMES


class TreatmentSchema(Schema):
    case_id = fields.Integer()
    case_number = fields.String(attribute="case.number")
    case_state = fields.String(attribute="case.state", metadata={
        "description": "reported while waiting for the outcome; closed once it is recorded"})
    treating_unit_hsa_id = fields.String(attribute="treating_unit.hsa_id", allow_none=True)
    due_on = fields.Date(allow_none=True, metadata={
        "description": "the last day of the area's meeting → treatment start target "
                       "(Europe/Stockholm); null without such a target"})
    reminded_at = fields.DateTime(allow_none=True)
    outcome = fields.String(allow_none=True, metadata={
        "description": "started or not_treated; null until recorded"})
    started_on = fields.Date(allow_none=True)
    adherence = fields.String(allow_none=True, metadata={
        "description": "followed or deviated; null until recorded"})
    deviation_reason = fields.String(allow_none=True, metadata={
        "description": "a key of the area's deviation reasons (GET "
                       "/api/v1/care-areas/<key>: deviation_reasons)"})
    note = fields.String(allow_none=True)
    recorded_at = fields.DateTime(allow_none=True)
    recorded_by_name = fields.String(allow_none=True)
    corrected_at = fields.DateTime(allow_none=True)
    corrected_by_name = fields.String(allow_none=True)
    page = fields.Method("_page")

    def _page(self, row) -> str:
        return url_for("treatment.show_treatment", case_id=row.case_id, _external=True)


class TreatmentInputSchema(Schema):
    # Strings, checked by the service, so every problem names its field in one 422 after
    # the access check (a caller who may not record gets its 403 or 404 first).
    outcome = fields.String(metadata={"enum": list(OUTCOMES), "description":
                                      "needed: started, or not_treated"})
    started_on = fields.String(allow_none=True, metadata={
        "format": "date", "description": "YYYY-MM-DD, needed when started: not before the "
                                         "meeting's day, not after today (Europe/Stockholm)"})
    adherence = fields.String(metadata={"enum": list(ADHERENCE), "description": "needed"})
    deviation_reason = Text(allow_none=True, max_length=KEY_LENGTH, metadata={
        "description": "needed when deviated: a key of the area's deviation reasons"})
    note = Text(multiline=True, max_length=NOTE_LENGTH, allow_none=True, metadata={
        "description": "free text; needed when the reason is other"})
