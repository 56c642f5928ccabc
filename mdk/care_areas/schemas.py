"""REST output of the care areas (GET /api/v1/care-areas). Files are validated in file_schema."""

from __future__ import annotations

from marshmallow import Schema, fields

from mdk.care_areas.service import competences


class LabelSchema(Schema):
    sv = fields.String()
    en = fields.String()


class CompetenceSchema(Schema):
    key = fields.String()
    label = fields.Nested(LabelSchema)


class CompetenceKeys(fields.Field):
    """A tuple of competence keys dumped as [{key, label: {sv, en}}], for clients' labels."""

    def _serialize(self, value, attr, obj, **kwargs):
        known = competences()
        return [CompetenceSchema().dump(known[key]) for key in value]


class NhvUnitSchema(Schema):
    hsa_id = fields.String()
    name = fields.String()
    short_name = fields.String()
    colour = fields.String(metadata={"description": '"#rrggbb", white text is readable on it'})


class HostPolicySchema(Schema):
    kind = fields.String(metadata={"description": '"rotating" or "fixed"'})
    rotation = fields.String(allow_none=True)
    period_length = fields.Integer(allow_none=True)
    period_unit = fields.String(allow_none=True)
    weights = fields.Dict(keys=fields.String(), values=fields.Float())
    fixed_unit = fields.String(allow_none=True)


class SeriesSchema(Schema):
    key = fields.String()
    name = fields.Nested(LabelSchema)
    weekday = fields.Integer(metadata={"description": "ISO weekday, 1 = Monday"})
    start = fields.String(metadata={"description": '"HH:MM", Europe/Stockholm'})
    end = fields.String()
    duration_minutes = fields.Integer()
    case_slot_minutes = fields.Integer()
    cutoff_days = fields.Integer(metadata={"description": "working days before the meeting"})
    cutoff_time = fields.String()
    on_holiday = fields.String()
    host_policy = fields.Nested(HostPolicySchema)


class LicenceSchema(Schema):
    critical_competences = CompetenceKeys(attribute="licence_critical")
    other_competences = CompetenceKeys(attribute="licence_other")
    critical_equipment = fields.List(fields.Nested(LabelSchema))


class QuorumSchema(Schema):
    competences = CompetenceKeys(attribute="quorum")
    when_needed = CompetenceKeys(attribute="quorum_when_needed")
    secondary_review = CompetenceKeys()


class ChoiceSchema(Schema):
    key = fields.String()
    label = fields.Nested(LabelSchema)


class ReferralFieldSchema(Schema):
    key = fields.String()
    label = fields.Nested(LabelSchema)
    type = fields.String()
    required = fields.Boolean()
    choices = fields.List(fields.Nested(ChoiceSchema))
    help = fields.Nested(LabelSchema, allow_none=True)
    min = fields.Integer(allow_none=True, metadata={"description": "integer: lowest answer"})
    max = fields.Integer(allow_none=True, metadata={"description": "integer: highest answer"})
    pattern = fields.String(allow_none=True, metadata={
        "description": "text: a regular expression (Python syntax) the whole answer matches"})
    pattern_message = fields.Nested(LabelSchema, allow_none=True)


class EligibilityHintSchema(Schema):
    key = fields.String()
    field = fields.String()
    condition = fields.String()
    values = fields.List(fields.String())
    value = fields.Integer(allow_none=True)
    message = fields.Nested(LabelSchema)


class MaterialItemSchema(Schema):
    key = fields.String()
    label = fields.Nested(LabelSchema)
    kind = fields.String()
    required = fields.Boolean()
    max_age_days = fields.Integer(allow_none=True)
    review_by = fields.String(allow_none=True)
    note = fields.Nested(LabelSchema, allow_none=True)


class LeadTimeTargetSchema(Schema):
    key = fields.String()
    label = fields.Nested(LabelSchema)
    from_event = fields.String()
    to_event = fields.String()
    max_days = fields.Integer()
    share_percent = fields.Integer()
    day_kind = fields.String()


class TemplateSectionSchema(Schema):
    key = fields.String()
    label = fields.Nested(LabelSchema)
    required = fields.Boolean()
    kind = fields.String(metadata={"description": "text, choice, unit, person_and_date or "
                                                  "boolean"})
    options = fields.List(fields.Nested(ChoiceSchema))
    prefill = fields.String(allow_none=True)
    help = fields.Nested(LabelSchema, allow_none=True)


class DocumentTemplateSchema(Schema):
    kind = fields.String()
    sections = fields.List(fields.Nested(TemplateSectionSchema))


class CareAreaSummarySchema(Schema):
    key = fields.String()
    name = fields.Nested(LabelSchema)
    national_mdk = fields.Boolean()
    case_prefix = fields.String(metadata={"description": "case numbers start with it: AC-…"})
    nhv_units = fields.List(fields.Nested(NhvUnitSchema))
    series = fields.List(fields.Nested(SeriesSchema))


class CareAreaSchema(CareAreaSummarySchema):
    scope = fields.Nested(LabelSchema, allow_none=True)
    licence = fields.Function(lambda area: LicenceSchema().dump(area))
    quorum = fields.Function(lambda area: QuorumSchema().dump(area))
    referral_fields = fields.List(fields.Nested(ReferralFieldSchema))
    eligibility_hints = fields.List(fields.Nested(EligibilityHintSchema))
    material_checklist = fields.List(fields.Nested(MaterialItemSchema))
    lead_time_targets = fields.List(fields.Nested(LeadTimeTargetSchema))
    # The reasons a deviation from the recommendation names (mdk.treatment, its API).
    deviation_reasons = fields.List(fields.Nested(ChoiceSchema))
    templates = fields.List(fields.Nested(DocumentTemplateSchema))
