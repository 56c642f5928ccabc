"""API schemas of the PROM follow-up (mdk.proms.api)."""

from __future__ import annotations

from flask import url_for
from marshmallow import Schema, fields

from mdk.proms.models import NOTE_LENGTH, STATUSES
from mdk.schemas import Text


class PromFollowUpSchema(Schema):
    position = fields.Integer(metadata={"description": "the time point's place in the care "
                                                      "plan's PROM schedule, from 1"})
    section = fields.String(metadata={"description": "the care plan's schedule section"})
    what = fields.String()
    instrument = fields.String(allow_none=True)
    count = fields.Integer(allow_none=True)
    unit = fields.String(allow_none=True, metadata={
        "description": "days, weeks, months or years (null for a fixed date)"})
    anchor = fields.String(allow_none=True, data_key="from", metadata={
        "description": "treatment_start, treatment_end, discharge or conference: the event "
                       "the time point counts from (null for a fixed date)"})
    fixed_on = fields.Date(allow_none=True, data_key="date")
    due_on = fields.Date(allow_none=True, metadata={
        "description": "known once the event it counts from is; null while not, and for "
                       "a time point counted from a treatment the patient did not have"})
    not_due = fields.Boolean(metadata={
        "description": "true: counted from the treatment and the patient was not treated"})
    status = fields.String(allow_none=True, metadata={
        "description": "done, declined or not_reached; null while pending"})
    completed_on = fields.Date(allow_none=True)
    score = fields.Decimal(allow_none=True, as_string=True)
    note = fields.String(allow_none=True)
    reminded_at = fields.DateTime(allow_none=True)
    recorded_at = fields.DateTime(allow_none=True)
    recorded_by_name = fields.String(allow_none=True)
    corrected_at = fields.DateTime(allow_none=True)
    corrected_by_name = fields.String(allow_none=True)


class PromFollowUpsSchema(Schema):
    case_id = fields.Integer()
    case_number = fields.String()
    case_state = fields.String()
    treating_unit_hsa_id = fields.String(allow_none=True)
    meeting_on = fields.Date(allow_none=True)
    treatment_started_on = fields.Date(allow_none=True)
    treatment_ended_on = fields.Date(allow_none=True)
    discharged_on = fields.Date(allow_none=True)
    not_treated = fields.Boolean()
    time_points = fields.List(fields.Nested(PromFollowUpSchema))
    page = fields.Method("_page")

    def _page(self, data) -> str:
        return url_for("proms.show_proms", case_id=data["case_id"], _external=True)


class PromInputSchema(Schema):
    # Strings and a number, checked by the service, so every problem names its field in
    # one 422 after the access check.
    status = fields.String(metadata={"enum": list(STATUSES), "description": "needed"})
    completed_on = fields.String(allow_none=True, metadata={
        "format": "date", "description": "YYYY-MM-DD, needed when done: not before the "
                                         "meeting's day (nor the event the time point counts "
                                         "from), not after today (Europe/Stockholm)"})
    score = fields.Raw(allow_none=True, metadata={
        "type": "number", "description": "only when done: a number with at most two "
                                         "decimals"})
    note = Text(multiline=True, max_length=NOTE_LENGTH, allow_none=True)
