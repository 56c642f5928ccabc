"""API schemas of secondary review. Input schemas check types only; the rules (who may write,
the states) live in mdk.reviews.service, so forms and API agree."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from mdk.reviews.models import COMMENT_LENGTH, DISCREPANCIES, STATEMENT_LENGTH, STATES
from mdk.schemas import Text


class ReviewAvailabilitySchema(Schema):
    status = fields.String()
    status_on = fields.Date()


class ReviewItemSchema(Schema):
    """The material the review is of: what the case page shows of it."""

    id = fields.Integer()
    checklist_key = fields.String(allow_none=True)
    kind = fields.String()
    examined_on = fields.Date(allow_none=True)
    source_hospital = fields.String(allow_none=True)
    reference_kind = fields.String(allow_none=True)
    reference = fields.String(allow_none=True)
    provided = fields.Boolean()


class ReviewerSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class ReviewUnitSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    short_name = fields.String()


class ReviewTaskSchema(Schema):
    id = fields.Integer(dump_only=True)
    case_id = fields.Integer(dump_only=True)
    case_number = fields.String(attribute="case.number", dump_only=True)
    care_area = fields.String(attribute="case.care_area", dump_only=True)
    conference_id = fields.Integer(dump_only=True)
    meeting_starts_at = fields.DateTime(attribute="conference.starts_at", dump_only=True)
    competence = fields.String(dump_only=True)
    item = fields.Nested(ReviewItemSchema, dump_only=True)
    availability_at_host = fields.Method("_availability", dump_only=True,
                                         metadata={"type": "object"})
    host_unit = fields.Nested(ReviewUnitSchema, dump_only=True)
    assignee = fields.Nested(ReviewerSchema, allow_none=True, dump_only=True)
    state = fields.String(dump_only=True, metadata={"enum": list(STATES)})
    due_at = fields.DateTime(dump_only=True)
    late = fields.Method("_late", dump_only=True, metadata={"type": "boolean"})
    statement = fields.String(allow_none=True, dump_only=True)
    discrepancy = fields.String(allow_none=True, dump_only=True,
                                metadata={"enum": list(DISCREPANCIES)})
    comment = fields.String(allow_none=True, dump_only=True)
    completed_at = fields.DateTime(allow_none=True, dump_only=True)

    def _availability(self, task):
        row = task.item.availability_at(task.host_unit_id)
        return ReviewAvailabilitySchema().dump(row) if row is not None else None

    def _late(self, task) -> bool:
        from mdk.reviews.service import is_late

        return is_late(task)


class ReviewWriteSchema(Schema):
    """Complete an open review, or correct a finished one before the meeting."""

    statement = Text(required=True, multiline=True, max_length=STATEMENT_LENGTH)
    discrepancy = fields.String(required=True, validate=validate.OneOf(DISCREPANCIES),
                                metadata={"description": "against the original report"})
    comment = Text(allow_none=True, multiline=True, max_length=COMMENT_LENGTH)
