"""API schemas for cases. Input schemas check types only; the rules (the area's referral
fields, consent on submission, the state table) live in mdk.cases.service, so forms and API
agree.

Who sees the patient's identity is declared once, in `patient_schema_for(principal, case)`:
when the access policy's identity rule allows it (DESIGN.md §5), the full `PatientSchema`
for the area's coordinators and `ReferredPatientSchema` (the identity as shown, without the
register's id and dates) for the others; otherwise a pseudonym (no identity number, no
name; the register's id for coordinators only).
`CaseSummarySchema` and `CaseSchema` ask it for every case they dump, so a list mixes both
field sets as the rule decides per case. Outside an API request (an HTML page, a document)
bind the reader: `CaseSchema(principal=principal).dump(case)`.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_dump, validate
from marshmallow.utils import missing

from mdk.access import policy
from mdk.care_areas.schemas import LabelSchema
from mdk.care_areas.service import CareAreaNotFound, care_area, care_areas
from mdk.cases.identity import shown_patient
from mdk.cases.models import (
    CASE_TYPES,
    PRIORITIES,
    QUESTION_LENGTH,
    REASON_LENGTH,
    REMISS_SOURCES,
    STATES,
    Case,
)
from mdk.cases.workflow import DEFAULT_STATE_CHOICE, IN_PROGRESS, STATE_GROUPS
from mdk.patients.schemas import PatientPseudonymSchema, PatientSchema
from mdk.schemas import Flag, Key, Text, database_id, rule_pattern
from mdk.validation import PHONE_PATTERN


class ReferredPatientSchema(Schema):
    """The identity as the referring, host and treating units see it on a case: the number
    and the name shown (mdk.cases.identity.shown_patient), without the register's own id and
    dates, which would tell a referrer how old the record is, so whether the number was
    registered before their referral."""

    given_name = fields.String(dump_only=True)
    family_name = fields.String(dump_only=True)
    masked_identity = fields.String(dump_only=True)
    identity_kind = fields.String(dump_only=True)
    identity = fields.String(attribute="display_identity", dump_only=True)
    identity_issuer = fields.String(allow_none=True, dump_only=True)
    protected_identity = fields.Boolean(dump_only=True)
    fictitious = fields.Boolean(dump_only=True)


class CasePseudonymSchema(Schema):
    """The patient for those who see the clinical content only, without the register's id
    (it would link a referrer's referral to an older record, and cases to each other)."""

    protected_identity = fields.Boolean(dump_only=True)
    fictitious = fields.Boolean(dump_only=True)


def patient_schema_for(principal: policy.Principal, case: Case) -> type[Schema]:
    """The patient field set this reader gets on this case: the full identity for the
    area's coordinators, the identity as shown (mdk.cases.identity) for the referring, host
    and treating units (a protected identity: the handling coordinators only), otherwise the
    pseudonym. The one place that decides."""
    if case.care_area in principal.areas("coordinator"):
        return PatientSchema if policy.may_see_case_identity(principal, case) \
            else PatientPseudonymSchema
    return ReferredPatientSchema if shown_patient(principal, case).visible \
        else CasePseudonymSchema


# --- output ---------------------------------------------------------------------------------

class UnitRefSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    short_name = fields.String()


class ConferenceRefSchema(Schema):
    id = fields.Integer()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    status = fields.String()
    host_unit = fields.Nested(UnitRefSchema, allow_none=True)


class TransitionSchema(Schema):
    action = fields.String()
    from_state = fields.String(allow_none=True)
    to_state = fields.String()
    reason = fields.String(allow_none=True)
    occurred_at = fields.DateTime()
    actor_name = fields.String()


class StepSchema(Schema):
    """One line of the case's timeline (mdk.cases.progress)."""

    at = fields.DateTime(attribute="occurred_at")
    what = fields.String(attribute="text", metadata={
        "description": "what happened, in plain words (Accept-Language)"})
    reason = fields.String(allow_none=True, metadata={
        "description": "the reason given with the move, if any"})


class MissingSchema(Schema):
    """One thing the case's meeting still lacks (mdk.material.readiness)."""

    code = fields.String(attribute="problem.code", metadata={
        "enum": ["missing", "undated", "too_old", "not_at_host"]})
    key = fields.String(attribute="problem.key", metadata={
        "description": "the material entry's key (GET .../material)"})
    blocking = fields.Boolean(attribute="problem.blocking", metadata={
        "description": "a required entry: keeps the case from being ready"})
    too_old_on = fields.Date(attribute="problem.too_old_on", allow_none=True)
    message = fields.String(metadata={"description": "in plain words (Accept-Language)"})


class EligibilityWarningSchema(Schema):
    key = fields.String()
    field = fields.String(metadata={"description": "the referral field (answers key)"})
    message = fields.Nested(LabelSchema)


class PatientByIdentityRule(fields.Nested):
    """The case's patient, dumped with the field set `patient_schema_for` chooses for the
    reader (documented as the full PatientSchema; others get a subset of it)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(PatientSchema, **kwargs)

    def _serialize(self, nested_obj, attr, obj, **kwargs):
        if nested_obj is None:
            return None
        reader = self.root.reader()
        schema = patient_schema_for(reader, obj)
        data = schema().dump(nested_obj)
        if schema in (ReferredPatientSchema, CasePseudonymSchema):
            shown = shown_patient(reader, obj)
            data.update({key: getattr(shown, key) for key in data
                         if key in ("given_name", "family_name", "protected_identity")})
        return data


class EligibilityWarnings(fields.List):
    """The area's eligibility hints the case's answers trigger (warnings, never refusals)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(fields.Nested(EligibilityWarningSchema), dump_only=True, **kwargs)

    def get_value(self, obj, attr, accessor=None, default=missing):
        from mdk.cases.answers import eligibility_warnings

        try:
            area = care_area(obj.care_area)
        except CareAreaNotFound:
            return []
        return eligibility_warnings(area, obj.answers or {})


class OnBehalfSchema(Schema):
    """A remiss a coordinator registered for the referring unit (mdk.cases.on_behalf)."""

    registered_by_id = fields.Integer(allow_none=True, attribute="registered_on_behalf_by_id")
    registered_by_name = fields.Function(
        lambda case: case.registered_on_behalf_by.name if case.registered_on_behalf_by
        else None, allow_none=True, metadata={"type": "string"})
    source = fields.String(attribute="remiss_source",
                           metadata={"enum": list(REMISS_SOURCES)})
    received_on = fields.Date(attribute="remiss_received_on", allow_none=True)
    reference = fields.String(attribute="remiss_reference", allow_none=True)


class OnBehalf(fields.Nested):
    """The case itself, dumped with OnBehalfSchema, when it was registered on behalf."""

    def __init__(self, **kwargs) -> None:
        super().__init__(OnBehalfSchema, allow_none=True, dump_only=True, **kwargs)

    def get_value(self, obj, attr, accessor=None, default=missing):
        return obj if obj.registered_on_behalf else None


def progress_found(cases) -> dict:
    """Find the cases' progress (mdk.cases.progress) for this dump, in the reader's
    language; kept on the request's context, so no schema instance (shared by requests)
    holds it."""
    from flask import g

    from mdk.cases.progress import progress_of
    from mdk.i18n import current_language

    g.case_progress = progress_of([case for case in cases if case is not None],
                                  current_language())
    return g.case_progress


class ProgressList(fields.List):
    """The case's timeline or missing list, from the progress its schema found for every
    case it dumps (CaseSummarySchema._find_progress)."""

    def __init__(self, nested: type[Schema], part: str, **kwargs) -> None:
        super().__init__(fields.Nested(nested), dump_only=True, **kwargs)
        self.part = part

    def get_value(self, obj, attr, accessor=None, default=missing):
        from flask import g

        found = g.get("case_progress", {}).get(obj.id)
        if found is None:
            found = progress_found([obj])[obj.id]
        return getattr(found, self.part)


class CaseSummarySchema(Schema):
    """A case in a list (GET /api/v1/cases)."""

    def __init__(self, *args, principal: policy.Principal | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.principal = principal

    def reader(self) -> policy.Principal:
        """The principal the identity rule is asked about: the one bound, else the request's
        (anonymous, so the pseudonym, outside a request or without a login)."""
        if self.principal is not None:
            return self.principal
        from flask import has_request_context

        if not has_request_context():
            return policy.ANONYMOUS
        from mdk.access.enforcement import current_principal

        return current_principal()

    id = fields.Integer()
    number = fields.String(metadata={"example": "AC-2026-0142"})
    care_area = fields.String()
    state = fields.String(metadata={"description": f"one of {', '.join(STATES)}"})
    case_type = fields.String()
    priority = fields.String()
    referring_unit = fields.Nested(UnitRefSchema)
    conference = fields.Nested(ConferenceRefSchema, allow_none=True)
    treating_unit_id = fields.Integer(allow_none=True)
    patient = PatientByIdentityRule(metadata={
        "description": "the full identity for the referring, host and treating units and the "
                       "area's coordinators (a protected identity: the coordinators handling "
                       "the case only); for others id, protected_identity and fictitious only"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    submitted_at = fields.DateTime(allow_none=True, metadata={
        "description": "when the case was received (first submitted)"})
    waiting_days = fields.Method("_waiting_days", allow_none=True, metadata={
        "type": "integer", "description": "days (Swedish calendar days) since the case was "
                                          "received, while it waits for its MDK; null for a "
                                          "draft or a case discussed or ended"})

    timeline = ProgressList(StepSchema, "timeline", metadata={
        "description": "how the case has moved, oldest first"})
    missing = ProgressList(MissingSchema, "missing", metadata={
        "description": "what the case's meeting (or the area's next) still lacks, blocking "
                       "first; empty once the material is complete or no longer gathered "
                       "(discussed, reported or ended)"})

    @pre_dump(pass_collection=True)
    def _find_progress(self, data, many: bool, **kwargs):
        """The timelines and missing lists of all the cases dumped, in a fixed number of
        statements (a page of cases too), for ProgressList to pick from."""
        progress_found(data if many else [data])
        return data

    def _waiting_days(self, case: Case) -> int | None:
        from mdk.cases.triage import waiting_days

        return waiting_days(case)


class CaseSchema(CaseSummarySchema):
    """One case with its referral, its history and the area's eligibility warnings."""

    state_reason = fields.String(allow_none=True)
    question = fields.String()
    consent_recorded = fields.Boolean()
    contact_phone = fields.String(allow_none=True)
    answers = fields.Dict(keys=fields.String(), metadata={
        "description": "the care area's referral fields, by key"})
    handling_unit_id = fields.Integer(allow_none=True)
    identity_check = fields.Method("_identity_check", dump_only=True, allow_none=True, metadata={
        "description": "for the area's coordinators, while the referral's name differs from "
                       "the registered one: the names given ({given_name, family_name}); "
                       "null otherwise, and always null for everyone else"})
    eligibility_warnings = EligibilityWarnings()
    transitions = fields.List(fields.Nested(TransitionSchema))
    registered_on_behalf = OnBehalf(metadata={
        "description": "a remiss a coordinator registered for the referring unit: by whom, "
                       "how it came (source), the day it arrived and the sender's "
                       "reference; null for a referral the unit made itself"})

    def _identity_check(self, case: Case) -> dict[str, str] | None:
        if not case.identity_check_needed or case.care_area not in self.reader().areas(
                "coordinator"):
            return None
        return {"given_name": case.referred_given_name or "",
                "family_name": case.referred_family_name or ""}


# --- input: types only ------------------------------------------------------------------------

class AnswerValue(fields.Field):
    """One referral-field answer: text, a number, yes/no or empty; the service checks it
    against the field's type. Objects and lists are refused here."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value is None or isinstance(value, str | bool | int | float):
            return value
        raise ValidationError("Give text, a number, true/false or null.")


class CaseFieldsSchema(Schema):
    """What the referrer says about the case (create and PATCH). Enumerations are checked
    by the service (so a referral reports all its problems at once); declared here."""

    question = Text(allow_none=True, multiline=True, max_length=QUESTION_LENGTH)
    case_type = Text(metadata={"enum": list(CASE_TYPES)})
    priority = Text(allow_none=True, metadata={"enum": list(PRIORITIES),
                                                "description": "default normal"})
    consent_recorded = Flag(allow_none=True)
    contact_phone = Text(allow_none=True, max_length=40, metadata={
        "pattern": rule_pattern(PHONE_PATTERN, optional=True, trimmed=True)})
    answers = fields.Dict(keys=fields.String(), values=AnswerValue(allow_none=True, metadata={
                              "nullable": True, "oneOf": [{"type": "string"},
                                                          {"type": "number"},
                                                          {"type": "boolean"}]}),
                          allow_none=True,
                          metadata={"description": "the care area's referral fields, by key "
                                                   "(GET /api/v1/care-areas/<key>)"})


class CaseCreateSchema(CaseFieldsSchema):
    care_area = Key(care_areas, required=True)
    case_type = Text(required=True, metadata={"enum": list(CASE_TYPES)})
    referring_unit_id = database_id(allow_none=True, metadata={
        "description": "default: the referrer's one unit in the care area"})
    identity_kind = Text(metadata={"enum": ["national", "reservnummer"],
                                   "description": "default national"})
    identity_number = Text(required=True,
                           metadata={"description": "sent in the body, never a URL"})
    issuer = Text(allow_none=True, metadata={"description": "reservnummer region"})
    given_name = Text(allow_none=True, max_length=100)
    family_name = Text(allow_none=True, max_length=100)
    protected_identity = Flag()
    submit = Flag(metadata={"description": "submit to the MDK at once (default: "
                                                     "a draft)"})


class CasePatchSchema(CaseFieldsSchema):
    """PATCH: any subset of the referral's fields, while a draft or returned."""


class CaseMoveSchema(Schema):
    # Not required here: a missing action is refused (422) after the access check, so a
    # caller who may not see the case gets its 404 first.
    action = Text(metadata={
        "enum": ["submit", "accept", "return", "decline", "defer", "withdraw",
                 "ready_anyway"],
        "description": "needed: a missing one is refused with 422 after the access check"})
    reason = Text(allow_none=True, multiline=True, max_length=REASON_LENGTH)
    conference_id = database_id(allow_none=True)
    treating_unit_id = database_id(allow_none=True)


class StateList(fields.List):
    """?state=submitted&state=returned or ?state=submitted,returned; the groups
    `in_progress` and `all` too (mdk.cases.workflow.STATE_GROUPS)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(fields.String(validate=validate.OneOf((*STATES, *STATE_GROUPS))),
                         **kwargs)

    def _deserialize(self, value: Any, attr, data, **kwargs):
        items = value if isinstance(value, list | tuple) else [value]
        if all(isinstance(item, str) for item in items):
            items = [part.strip() for item in items for part in item.split(",") if part.strip()]
        return super()._deserialize(items, attr, data, **kwargs)


class CaseQueryArgsSchema(Schema):
    area = Key(care_areas)
    state = StateList(load_default=(DEFAULT_STATE_CHOICE,), metadata={
        "description": "the states to list, repeatable or comma-separated; besides each state "
                       f"`in_progress` (the default: {', '.join(IN_PROGRESS)}, that is every "
                       "state but closed, declined and withdrawn) and `all` (every state)"})
    q = Text(metadata={"description": "part of the case number"})
    conference_id = database_id()
