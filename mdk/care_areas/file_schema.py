"""Strict validation of one care-area file (config/care_areas/<key>.toml).

Every problem is reported, not just the first: marshmallow collects field errors per key, and
the cross-checks (competence keys known, hosts among the area's own units, unique keys, the file
named after the area) run on the raw data even when some fields already failed.
Loading also builds the frozen objects of mdk.care_areas.domain (post_load).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from types import MappingProxyType
from typing import Any

from email_validator import EmailNotValidError, validate_email
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from mdk.care_areas.domain import (
    CARE_PLAN_ONLY_KINDS,
    CARE_PLAN_ONLY_PREFILLS,
    PROTOCOL_PREFILL,
    ROW_KINDS,
    SCHEDULE_ANCHORS,
    SCHEDULE_UNITS,
    SECTION_KINDS,
    SECTION_PREFILLS,
    CalendarIdentity,
    CareArea,
    Choice,
    DocumentTemplate,
    EligibilityHint,
    HostPolicy,
    Label,
    LeadTimeTarget,
    MaterialItem,
    MeetingSeriesConfig,
    NhvUnit,
    ReferralField,
    TemplateSection,
)
from mdk.hsa import HSA_ID_MESSAGE, is_valid_hsa_id

KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
TIME_PATTERN = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
COLOUR_PATTERN = re.compile(r"#[0-9a-fA-F]{6}")
MIN_CONTRAST_WITH_WHITE = 4.5  # WCAG AA for normal text: unit chips carry white text

HOST_KINDS = ("rotating", "fixed")
ROTATIONS = ("per_meeting", "per_period")
PERIOD_UNITS = ("weeks", "months", "years")
ON_HOLIDAY = ("skip", "next_working_day")
FIELD_TYPES = ("text", "long_text", "integer", "date", "boolean", "choice")
HINT_CONDITIONS = ("in", "not_in", "above", "below", "is_true", "is_false")
MATERIAL_KINDS = ("clinical", "pad", "molecular", "mri", "pet_ct", "ct", "colonoscopy", "lab",
                  "other")
GATE_POLICIES = ("hold", "defer")
EVENTS = ("referral_submitted", "referral_accepted", "conference", "report_sent",
          "treatment_start", "discharge")
DAY_KINDS = ("calendar", "working")
TEMPLATE_KINDS = ("protocol", "care_plan")

REQUIRED = "required key is missing"


# -- fields that refuse what TOML can hold but the file must not (no silent coercion) ----------

def _messages(**extra: str) -> dict[str, str]:
    return {"required": REQUIRED, "null": "must not be empty", **extra}


def text(**kwargs: Any) -> fields.String:
    kwargs.setdefault("validate", validate.Length(min=1, error="must not be empty"))
    return fields.String(error_messages=_messages(invalid="must be text"), **kwargs)


def key_field(**kwargs: Any) -> fields.String:
    return fields.String(
        error_messages=_messages(invalid="must be text"),
        validate=validate.Regexp(KEY_PATTERN, error="must be lower-case a-z, 0-9 and _, "
                                 "starting with a letter, not {input!r}"),
        **kwargs,
    )


class WholeNumber(fields.Integer):
    default_error_messages = {"invalid": "must be a whole number"}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, error_messages=_messages(), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):  # True is an int in Python, never in this file
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class Flag(fields.Boolean):
    """true or false only (marshmallow would also take "yes", 1, "on" …)."""

    default_error_messages = {"invalid": "must be true or false"}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(error_messages=_messages(), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


def time_of_day(**kwargs: Any) -> fields.String:
    return fields.String(
        error_messages=_messages(invalid="must be text"),
        validate=validate.Regexp(TIME_PATTERN,
                                 error='must be a time "HH:MM" from 00:00 to 23:59, not {input!r}'),
        **kwargs,
    )


def one_of(choices: Iterable[str], **kwargs: Any) -> fields.String:
    choices = tuple(choices)
    return fields.String(
        error_messages=_messages(invalid="must be text"),
        validate=validate.OneOf(choices, error="must be one of "
                                + ", ".join(repr(c) for c in choices) + ", not {input!r}"),
        **kwargs,
    )


def table(schema: type[Schema], **kwargs: Any) -> fields.Nested:
    return fields.Nested(schema, error_messages=_messages(type="must be a table"), **kwargs)


def list_of(inner: fields.Field, **kwargs: Any) -> fields.List:
    return fields.List(inner, error_messages=_messages(invalid="must be a list"), **kwargs)


def tables(schema: type[Schema], **kwargs: Any) -> fields.List:
    return list_of(table(schema), **kwargs)


def competence_keys(**kwargs: Any) -> fields.List:
    return list_of(key_field(), **kwargs)


def contrast_with_white(colour: str) -> float:
    """WCAG contrast ratio of white text on this colour."""
    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i:i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 1.05 / (luminance + 0.05)


def _validate_colour(value: str) -> None:
    if not COLOUR_PATTERN.fullmatch(value):
        raise ValidationError(f'must be a colour "#rrggbb", not {value!r}')
    if contrast_with_white(value) < MIN_CONTRAST_WITH_WHITE:
        raise ValidationError(f"{value} is too light for white text "
                              f"(contrast {contrast_with_white(value):.1f}, needs "
                              f"{MIN_CONTRAST_WITH_WHITE})")


def _validate_hsa_id(value: str) -> None:
    if not is_valid_hsa_id(value):
        raise ValidationError(f"{value!r} is not a valid HSA-id. {HSA_ID_MESSAGE}")


# -- the parts of a file ---------------------------------------------------------------------

class StrictSchema(Schema):
    """Unknown keys are refused (marshmallow's default), with a message saying so."""

    error_messages = {"unknown": "unknown key", "type": "must be a table"}


class LabelSchema(StrictSchema):
    sv = text(required=True)
    en = text(required=True)

    @post_load
    def build(self, data, **_):
        return Label(**data)


def bilingual(**kwargs: Any) -> fields.Nested:
    return table(LabelSchema, **kwargs)


class AreaSchema(StrictSchema):
    key = key_field(required=True)
    name = bilingual(required=True)
    national_mdk = Flag(required=True)
    # Case numbers of the area start with it: AC-2026-0142. Pseudonymous, so it may appear
    # in invites, mail and URLs where the patient's identity never does.
    case_prefix = fields.String(
        required=True, error_messages=_messages(invalid="must be text"),
        validate=validate.Regexp(r"^[A-Z]{2,5}\Z",
                                 error="must be 2 to 5 capital letters A-Z, not {input!r}"))
    scope = bilingual(load_default=None)
    gate = one_of(GATE_POLICIES, load_default="hold")


def _validate_organizer(value: str) -> None:
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError(f"{value!r} is not an e-mail address: {exc}") from exc


class CalendarSchema(StrictSchema):
    # The service-owned mailbox every invite of the area comes from (ORGANIZER) and replies go
    # to; never a host unit's, so a host swap leaves it unchanged.
    organizer = fields.String(required=True, validate=_validate_organizer,
                              error_messages=_messages(invalid="must be text"))
    # The organizer's display name, and how every summary starts: "nMDK analcancer (värd: KS)".
    name = text(required=True, validate=validate.Length(
        min=1, max=60, error="must be 1 to 60 characters"))

    @post_load
    def build(self, data, **_):
        return CalendarIdentity(organizer=data["organizer"].lower(), name=data["name"])


class NhvUnitSchema(StrictSchema):
    hsa_id = fields.String(required=True, validate=_validate_hsa_id,
                           error_messages=_messages(invalid="must be text"))
    name = text(required=True)
    short_name = text(required=True, validate=validate.Length(
        min=1, max=8, error="must be 1 to 8 characters"))
    colour = fields.String(required=True, validate=_validate_colour,
                           error_messages=_messages(invalid="must be text"))

    @post_load
    def build(self, data, **_):
        return NhvUnit(**data)


class LicenceSchema(StrictSchema):
    critical_competences = competence_keys(required=True)
    other_competences = competence_keys(load_default=list)
    critical_equipment = list_of(bilingual(), load_default=list)


class QuorumSchema(StrictSchema):
    competences = competence_keys(
        required=True, validate=validate.Length(min=1, error="must name at least one competence"))
    when_needed = competence_keys(load_default=list)
    secondary_review = competence_keys(load_default=list)


class HostPolicySchema(StrictSchema):
    kind = one_of(HOST_KINDS, required=True)
    rotation = one_of(ROTATIONS, load_default=None)
    period_length = WholeNumber(load_default=None, validate=validate.Range(
        min=1, error="must be at least 1"))
    period_unit = one_of(PERIOD_UNITS, load_default=None)
    weights = fields.Dict(
        keys=fields.String(),
        values=fields.Float(validate=validate.Range(min=0, min_inclusive=False,
                                                    error="must be above 0"),
                            error_messages={"invalid": "must be a number"}),
        load_default=dict, error_messages=_messages(invalid="must be a table"),
    )
    fixed_unit = fields.String(load_default=None, error_messages=_messages(invalid="must be text"))

    @validates_schema(skip_on_field_errors=False)
    def check_kind(self, data, **_):
        errors: dict[str, list[str]] = {}
        kind, rotation = data.get("kind"), data.get("rotation")

        def refuse(key: str, problem: str) -> None:
            errors.setdefault(key, []).append(problem)

        if kind == "rotating":
            if rotation is None and "rotation" not in errors:
                refuse("rotation", 'a rotating host needs rotation = "per_meeting" or '
                                   '"per_period"')
            if data.get("fixed_unit") is not None:
                refuse("fixed_unit", 'only a "fixed" host policy names a fixed_unit')
        if kind == "fixed":
            if data.get("fixed_unit") is None:
                refuse("fixed_unit", "a fixed host needs fixed_unit (the HSA-id of the host unit)")
            for key in ("rotation", "period_length", "period_unit"):
                if data.get(key) is not None:
                    refuse(key, f'only a "rotating" host policy has {key}')
            if data.get("weights"):
                refuse("weights", 'only a "rotating" host policy has weights')
        if rotation == "per_period":
            for key in ("period_length", "period_unit"):
                if data.get(key) is None and key not in errors:
                    refuse(key, f"a per_period rotation needs {key}")
        if rotation == "per_meeting":
            for key in ("period_length", "period_unit"):
                if data.get(key) is not None:
                    refuse(key, f"only a per_period rotation has {key}")
        if errors:
            raise ValidationError(errors)

    @post_load
    def build(self, data, **_):
        return HostPolicy(**{**data, "weights": MappingProxyType(dict(data["weights"]))})


class SeriesSchema(StrictSchema):
    key = key_field(required=True)
    name = bilingual(required=True)
    weekday = WholeNumber(required=True, validate=validate.Range(
        min=1, max=7, error="must be an ISO weekday from 1 (Monday) to 7 (Sunday)"))
    start = time_of_day(required=True)
    duration_minutes = WholeNumber(required=True, validate=validate.Range(
        min=5, max=12 * 60, error="must be from 5 to 720 minutes"))
    case_slot_minutes = WholeNumber(required=True, validate=validate.Range(
        min=1, error="must be at least 1 minute"))
    cutoff_days = WholeNumber(required=True, validate=validate.Range(
        min=0, max=30, error="must be from 0 to 30 working days"))
    cutoff_time = time_of_day(required=True)
    on_holiday = one_of(ON_HOLIDAY, required=True)
    host_policy = table(HostPolicySchema, required=True)

    @validates_schema
    def check_times(self, data, **_):
        hours, minutes = (int(part) for part in data["start"].split(":"))
        if hours * 60 + minutes + data["duration_minutes"] > 24 * 60:
            raise ValidationError("the meeting must end by midnight", "duration_minutes")
        if data["case_slot_minutes"] > data["duration_minutes"]:
            raise ValidationError("a case slot cannot be longer than the meeting",
                                  "case_slot_minutes")

    @post_load
    def build(self, data, **_):
        return MeetingSeriesConfig(**data)


class ChoiceSchema(StrictSchema):
    key = key_field(required=True)
    label = bilingual(required=True)

    @post_load
    def build(self, data, **_):
        return Choice(**data)


class ReferralFieldSchema(StrictSchema):
    key = key_field(required=True)
    label = bilingual(required=True)
    type = one_of(FIELD_TYPES, required=True)
    required = Flag(required=True)
    choices = tables(ChoiceSchema, load_default=list)
    help = bilingual(load_default=None)
    # integer fields: the range an answer must lie in (either end may be left out)
    min = WholeNumber(load_default=None)
    max = WholeNumber(load_default=None)
    # text fields: a regular expression the whole answer must match, and what the referrer
    # is told when it does not (e.g. TNM by UICC)
    pattern = text(load_default=None)
    pattern_message = bilingual(load_default=None)

    @validates_schema
    def check_choices(self, data, **_):
        if data["type"] == "choice" and not data["choices"]:
            raise ValidationError('a field of type "choice" needs choices', "choices")
        if data["type"] != "choice" and data["choices"]:
            raise ValidationError('only a field of type "choice" has choices', "choices")

    @validates_schema
    def check_limits(self, data, **_):
        problems: dict[str, list[str]] = {}
        for key in ("min", "max"):
            if data[key] is not None and data["type"] != "integer":
                problems[key] = [f'only a field of type "integer" has {key}']
        if data["min"] is not None and data["max"] is not None and data["min"] > data["max"]:
            problems["max"] = [f"must not be below min ({data['min']}), not {data['max']}"]
        problems.update(_pattern_problems(data))
        if problems:
            raise ValidationError(problems)

    @post_load
    def build(self, data, **_):
        return ReferralField(**{**data, "choices": tuple(data["choices"])})


def _pattern_problems(data: dict) -> dict[str, list[str]]:
    pattern, message = data["pattern"], data["pattern_message"]
    if pattern is None:
        return {"pattern_message": ["only a field with a pattern has pattern_message"]} \
            if message is not None else {}
    if data["type"] not in ("text", "long_text"):
        return {"pattern": ['only a field of type "text" or "long_text" has a pattern']}
    try:
        re.compile(pattern)
    except re.error as exc:
        return {"pattern": [f"is not a valid regular expression: {exc}"]}
    if message is None:
        return {"pattern_message": ["a field with a pattern needs pattern_message (what the "
                                    "referrer is told when an answer does not match)"]}
    return {}


class EligibilityHintSchema(StrictSchema):
    key = key_field(required=True)
    field = key_field(required=True)
    condition = one_of(HINT_CONDITIONS, required=True)
    values = list_of(text(), load_default=list)
    value = WholeNumber(load_default=None)
    message = bilingual(required=True)

    @validates_schema
    def check_operand(self, data, **_):
        condition = data["condition"]
        if condition in ("in", "not_in") and not data["values"]:
            raise ValidationError(f'condition "{condition}" needs values (choice keys)', "values")
        if condition in ("above", "below") and data["value"] is None:
            raise ValidationError(f'condition "{condition}" needs a whole-number value', "value")

    @post_load
    def build(self, data, **_):
        return EligibilityHint(**{**data, "values": tuple(data["values"])})


class MaterialSchema(StrictSchema):
    key = key_field(required=True)
    label = bilingual(required=True)
    kind = one_of(MATERIAL_KINDS, required=True)
    required = Flag(required=True)
    max_age_days = WholeNumber(load_default=None, validate=validate.Range(
        min=1, error="must be at least 1 day"))
    review_by = key_field(load_default=None)
    note = bilingual(load_default=None)

    @post_load
    def build(self, data, **_):
        return MaterialItem(**data)


class LeadTimeTargetSchema(StrictSchema):
    key = key_field(required=True)
    label = bilingual(required=True)
    from_event = one_of(EVENTS, required=True)
    to_event = one_of(EVENTS, required=True)
    max_days = WholeNumber(required=True, validate=validate.Range(
        min=1, error="must be at least 1 day"))
    share_percent = WholeNumber(required=True, validate=validate.Range(
        min=1, max=100, error="must be a percentage from 1 to 100"))
    day_kind = one_of(DAY_KINDS, load_default="calendar")

    @validates_schema
    def check_events(self, data, **_):
        if data["from_event"] == data["to_event"]:
            raise ValidationError("must differ from from_event", "to_event")

    @post_load
    def build(self, data, **_):
        return LeadTimeTarget(**data)


class RehabilitationRowSchema(StrictSchema):
    """A prefilled row of a rehabilitation section: the need area (bowel, skin …), the
    profession responsible, what is done, and when; the contact nurse edits them per plan."""

    need = text(required=True)
    profession = text(required=True)
    action = text(load_default=None)
    time_point = text(load_default=None)

    @post_load
    def build(self, data, **_):
        return MappingProxyType({k: v for k, v in data.items() if v is not None})


class ScheduleRowSchema(StrictSchema):
    """A prefilled time point of a schedule section: what happens (and, for a PROM, which
    instrument) `count` `unit` after the event `from` (an area file has no dates)."""

    what = text(required=True)
    instrument = text(load_default=None)
    count = WholeNumber(required=True, validate=validate.Range(
        min=0, max=1000, error="must be a whole number from 0 to 1000"))
    unit = one_of(SCHEDULE_UNITS, required=True)
    from_ = one_of(SCHEDULE_ANCHORS, required=True, data_key="from")

    @post_load
    def build(self, data, **_):
        row = {"what": data["what"], "count": data["count"], "unit": data["unit"],
               "from": data["from_"]}
        if data["instrument"] is not None:
            row["instrument"] = data["instrument"]
        return MappingProxyType(row)


def _prefill(value: object) -> None:
    if isinstance(value, str) and (value in SECTION_PREFILLS or (
            value.startswith(PROTOCOL_PREFILL)
            and KEY_PATTERN.fullmatch(value[len(PROTOCOL_PREFILL):]))):
        return
    choices = ", ".join(repr(c) for c in SECTION_PREFILLS)
    raise ValidationError(f"must be one of {choices} or '{PROTOCOL_PREFILL}<section key>', "
                          f"not {value!r}")


class TemplateSectionSchema(StrictSchema):
    key = key_field(required=True)
    label = bilingual(required=True)
    required = Flag(load_default=False)
    kind = one_of(SECTION_KINDS, load_default="text")
    options = tables(ChoiceSchema, load_default=list)
    prefill = fields.String(load_default=None, validate=_prefill,
                            error_messages=_messages(invalid="must be text"))
    help = bilingual(load_default=None)
    # rehabilitation and schedule sections only: the rows a new plan starts from
    rows = fields.Raw(load_default=list)
    prom = Flag(load_default=False)

    @validates_schema
    def check_options(self, data, **_):
        if data["kind"] == "choice" and not data["options"]:
            raise ValidationError('a section of kind "choice" needs options', "options")
        if data["kind"] != "choice" and data["options"]:
            raise ValidationError('only a section of kind "choice" has options', "options")
        keys = [option.key for option in data["options"]]
        for i, key in enumerate(keys):
            if key in keys[:i]:
                raise ValidationError({"options": {i: {"key": [
                    f"{key!r} is already used by options[{keys.index(key)}]"]}}})
        prefill = data["prefill"]
        if prefill is not None and data["kind"] not in ("text", "unit"):
            raise ValidationError('only a section of kind "text" or "unit" is prefilled',
                                  "prefill")
        if prefill is not None and data["kind"] == "unit" and not prefill.startswith(
                PROTOCOL_PREFILL):
            raise ValidationError(f'a section of kind "unit" is prefilled from the protocol '
                                  f'only ("{PROTOCOL_PREFILL}<key>")', "prefill")
        if data["prom"] and data["kind"] != "schedule":
            raise ValidationError('only a section of kind "schedule" is prom', "prom")

    @validates_schema
    def check_rows(self, data, **_):
        rows = data["rows"]
        if data["kind"] not in ROW_KINDS:
            if rows:
                raise ValidationError('only a section of kind "rehabilitation" or '
                                      '"schedule" has rows', "rows")
            return
        if not isinstance(rows, list):
            raise ValidationError("must be a list", "rows")
        row_schema = (RehabilitationRowSchema if data["kind"] == "rehabilitation"
                      else ScheduleRowSchema)()
        errors = {i: row_schema.validate(row) if isinstance(row, dict) else
                  {"_schema": ["must be a table"]} for i, row in enumerate(rows)}
        errors = {i: error for i, error in errors.items() if error}
        if errors:
            raise ValidationError({"rows": errors})
        if data["prom"]:
            for i, row in enumerate(rows):
                if "instrument" not in row:
                    raise ValidationError({"rows": {i: {"instrument": [
                        "a PROM time point names its instrument"]}}})

    @post_load
    def build(self, data, **_):
        rows = ()
        if data["kind"] in ROW_KINDS:
            row_schema = (RehabilitationRowSchema if data["kind"] == "rehabilitation"
                          else ScheduleRowSchema)()
            rows = tuple(row_schema.load(row) for row in data["rows"])
        return TemplateSection(**{**data, "options": tuple(data["options"]), "rows": rows})


class DocumentTemplateSchema(StrictSchema):
    sections = tables(TemplateSectionSchema, required=True, validate=validate.Length(
        min=1, error="must list at least one section"))

    @validates_schema
    def check_unique_keys(self, data, **_):
        keys = [section.key for section in data["sections"]]
        for i, key in enumerate(keys):
            if key in keys[:i]:
                raise ValidationError({"sections": {i: {"key": [
                    f"{key!r} is already used by sections[{keys.index(key)}]"]}}})


class TemplatesSchema(StrictSchema):
    protocol = table(DocumentTemplateSchema, load_default=None)
    care_plan = table(DocumentTemplateSchema, load_default=None)

    @validates_schema
    def check_kinds_and_prefills(self, data, **_):
        """The row kinds and the care plan's prefills belong to the care plan; a care-plan
        section prefilled from the protocol names a protocol section of its own kind."""
        errors: dict = {}
        protocol = data.get("protocol")
        for i, section in enumerate(protocol["sections"] if protocol else ()):
            if section.kind in CARE_PLAN_ONLY_KINDS:
                errors.setdefault(("protocol", i), {})["kind"] = [
                    f'a section of kind "{section.kind}" belongs in templates.care_plan']
            if section.prefill in CARE_PLAN_ONLY_PREFILLS or (
                    section.prefill or "").startswith(PROTOCOL_PREFILL):
                errors.setdefault(("protocol", i), {})["prefill"] = [
                    f"{section.prefill!r} prefills a care plan's section only"]
        care_plan = data.get("care_plan")
        kinds = {section.key: section.kind
                 for section in (protocol["sections"] if protocol else ())}
        for i, section in enumerate(care_plan["sections"] if care_plan else ()):
            prefill = section.prefill or ""
            if not prefill.startswith(PROTOCOL_PREFILL):
                continue
            source = prefill[len(PROTOCOL_PREFILL):]
            if kinds.get(source) != section.kind:
                errors.setdefault(("care_plan", i), {})["prefill"] = [
                    f"{source!r} is not a section of kind {section.kind!r} in "
                    "templates.protocol"]
        if errors:
            nested: dict = {}
            for (kind, i), error in errors.items():
                nested.setdefault(kind, {"sections": {}})["sections"][i] = error
            raise ValidationError(nested)


class ReviewSchema(StrictSchema):
    # competence key -> the statement's starting text for that modality's reviewer
    templates = fields.Dict(keys=key_field(), values=bilingual(), load_default=dict,
                            error_messages=_messages(invalid="must be a table"))


class ReportSchema(StrictSchema):
    # The report to the referring unit (mdk.reports): unacknowledged this many working days
    # after it is issued, the referrer is reminded; as many working days after the reminder,
    # the referring unit's functional mailbox and the coordinators are told.
    acknowledge_within_working_days = WholeNumber(load_default=2, validate=validate.Range(
        min=1, max=20, error="must be a whole number of working days from 1 to 20"))


class TreatmentSchema(StrictSchema):
    # Treatment start and adherence (mdk.treatment): the reminder goes out this many working
    # days before the lead-time target's last day (meeting → treatment start) while no start
    # is recorded; a deviation from the recommendation names one of these reasons.
    remind_working_days_before = WholeNumber(load_default=3, validate=validate.Range(
        min=1, max=20, error="must be a whole number of working days from 1 to 20"))
    deviation_reasons = tables(ChoiceSchema, load_default=list)

    @validates_schema
    def check_unique_keys(self, data, **_):
        keys = [reason.key for reason in data.get("deviation_reasons", ())]
        for i, key in enumerate(keys):
            if key in keys[:i]:
                raise ValidationError({"deviation_reasons": {i: {"key": [
                    f"{key!r} is already used by deviation_reasons[{keys.index(key)}]"]}}})


class CareAreaFileSchema(StrictSchema):
    """One whole file. `file_stem` and `competence_keys` are what the cross-checks compare to."""

    area = table(AreaSchema, required=True)
    calendar = table(CalendarSchema, required=True)
    nhv_units = tables(NhvUnitSchema, required=True, validate=validate.Length(
        min=1, error="must list at least one NHV unit"))
    licence = table(LicenceSchema, required=True)
    quorum = table(QuorumSchema, required=True)
    series = tables(SeriesSchema, required=True, validate=validate.Length(
        min=1, error="must list at least one meeting series"))
    referral_fields = tables(ReferralFieldSchema, load_default=list)
    eligibility_hints = tables(EligibilityHintSchema, load_default=list)
    material = tables(MaterialSchema, load_default=list)
    lead_time_targets = tables(LeadTimeTargetSchema, load_default=list)
    templates = table(TemplatesSchema, load_default=dict)
    review = table(ReviewSchema, load_default=lambda: {"templates": {}})
    report = table(ReportSchema, load_default=lambda: {"acknowledge_within_working_days": 2})
    treatment = table(TreatmentSchema, load_default=lambda: {
        "remind_working_days_before": 3, "deviation_reasons": []})

    def __init__(self, *, file_stem: str, source_file: str, competence_keys: Iterable[str],
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.file_stem = file_stem
        self.source_file = source_file
        self.competence_keys = frozenset(competence_keys)

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def check_references(self, _data, original, **_):
        problems = _Problems()
        if isinstance(original, dict):
            _check_file_name(original, self.file_stem, problems)
            _check_competences(original, self.competence_keys, problems)
            _check_hosts(original, problems)
            _check_unique_keys(original, problems)
            _check_hints(original, problems)
        if problems.errors:
            raise ValidationError(problems.errors)

    @post_load
    def build(self, data, **_):
        area, licence, quorum = data["area"], data["licence"], data["quorum"]
        templates = tuple(
            DocumentTemplate(kind=kind, sections=tuple(template["sections"]))
            for kind, template in data["templates"].items() if template is not None
        )
        return CareArea(
            key=area["key"], name=area["name"], scope=area["scope"],
            source_file=self.source_file,
            national_mdk=area["national_mdk"], case_prefix=area["case_prefix"],
            nhv_units=tuple(data["nhv_units"]),
            licence_critical=tuple(licence["critical_competences"]),
            licence_other=tuple(licence["other_competences"]),
            critical_equipment=tuple(licence["critical_equipment"]),
            quorum=tuple(quorum["competences"]),
            quorum_when_needed=tuple(quorum["when_needed"]),
            secondary_review=tuple(quorum["secondary_review"]),
            series=tuple(data["series"]),
            referral_fields=tuple(data["referral_fields"]),
            eligibility_hints=tuple(data["eligibility_hints"]),
            material_checklist=tuple(data["material"]),
            lead_time_targets=tuple(data["lead_time_targets"]),
            templates=templates,
            gate=area["gate"],
            calendar=data["calendar"],
            review_templates=MappingProxyType(dict(data["review"]["templates"])),
            acknowledge_within_working_days=data["report"]["acknowledge_within_working_days"],
            deviation_reasons=tuple(data["treatment"]["deviation_reasons"]),
            treatment_remind_working_days=data["treatment"]["remind_working_days_before"],
        )


# -- cross-checks on the raw file (they run even when other keys already failed) -------------

class _Problems:
    """Errors in marshmallow's nested shape: {"series": {0: {"key": ["problem"]}}}."""

    def __init__(self) -> None:
        self.errors: dict = {}

    def add(self, path: tuple, problem: str) -> None:
        node = self.errors
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node.setdefault(path[-1], []).append(problem)


def _tables(original: dict, key: str) -> Iterator[tuple[int, dict]]:
    items = original.get(key)
    if isinstance(items, list):
        yield from ((i, item) for i, item in enumerate(items) if isinstance(item, dict))


def _strings(container: Any, key: str) -> Iterator[tuple[int, str]]:
    items = container.get(key) if isinstance(container, dict) else None
    if isinstance(items, list):
        yield from ((i, item) for i, item in enumerate(items) if isinstance(item, str))


def _check_file_name(original: dict, stem: str, problems: _Problems) -> None:
    area = original.get("area")
    key = area.get("key") if isinstance(area, dict) else None
    if isinstance(key, str) and key != stem:
        problems.add(("area", "key"), f"is {key!r} but the file is named {stem}.toml: "
                     "the file name must be the area key")


def _check_competences(original: dict, known: frozenset[str], problems: _Problems) -> None:
    lists = [("licence", "critical_competences"), ("licence", "other_competences"),
             ("quorum", "competences"), ("quorum", "when_needed"),
             ("quorum", "secondary_review")]
    for section, key in lists:
        for i, competence in _strings(original.get(section), key):
            if competence not in known:
                problems.add((section, key, i), _unknown_competence(competence))
    quorum = original.get("quorum")
    always = {c for _, c in _strings(quorum, "competences")}
    for i, competence in _strings(quorum, "when_needed"):
        if competence in always:
            problems.add(("quorum", "when_needed", i),
                         f"{competence!r} is already in quorum.competences (always needed)")
    reviewers = {c for _, c in _strings(quorum, "secondary_review")}
    for i, item in _tables(original, "material"):
        reviewer = item.get("review_by")
        if isinstance(reviewer, str) and reviewer not in known:
            problems.add(("material", i, "review_by"), _unknown_competence(reviewer))
        elif isinstance(reviewer, str) and reviewer not in reviewers:
            # The host must have the competence that reviews: the licence's secondary review.
            problems.add(("material", i, "review_by"),
                         f"{reviewer!r} is not in quorum.secondary_review")
    review = original.get("review")
    templates = review.get("templates") if isinstance(review, dict) else None
    for competence in templates if isinstance(templates, dict) else ():
        if isinstance(competence, str) and competence not in known:
            problems.add(("review", "templates", competence), _unknown_competence(competence))


def _unknown_competence(key: str) -> str:
    return f"unknown competence {key!r} (add it to config/competences.toml or fix the spelling)"


def _check_hosts(original: dict, problems: _Problems) -> None:
    units = {unit.get("hsa_id") for _, unit in _tables(original, "nhv_units")}
    for i, series in _tables(original, "series"):
        policy = series.get("host_policy")
        if not isinstance(policy, dict):
            continue
        fixed = policy.get("fixed_unit")
        if isinstance(fixed, str) and fixed not in units:
            problems.add(("series", i, "host_policy", "fixed_unit"),
                         f"{fixed!r} is not one of this area's nhv_units")
        weights = policy.get("weights")
        if isinstance(weights, dict):
            for hsa_id in weights:
                if hsa_id not in units:
                    problems.add(("series", i, "host_policy", "weights", hsa_id),
                                 f"{hsa_id!r} is not one of this area's nhv_units")


def _check_unique_keys(original: dict, problems: _Problems) -> None:
    unique = [("nhv_units", "hsa_id"), ("nhv_units", "short_name"), ("nhv_units", "colour"),
              ("series", "key"), ("referral_fields", "key"), ("eligibility_hints", "key"),
              ("material", "key"), ("lead_time_targets", "key")]
    for section, key in unique:
        seen: dict[str, int] = {}
        for i, item in _tables(original, section):
            value = item.get(key)
            if not isinstance(value, str):
                continue
            normalised = value.lower()
            if normalised in seen:
                problems.add((section, i, key),
                             f"{value!r} is already used by {section}[{seen[normalised]}]")
            else:
                seen[normalised] = i


def _check_hints(original: dict, problems: _Problems) -> None:
    fields_by_key = {item.get("key"): item for _, item in _tables(original, "referral_fields")}
    for i, hint in _tables(original, "eligibility_hints"):
        target = fields_by_key.get(hint.get("field"))
        if target is None:
            if isinstance(hint.get("field"), str):
                problems.add(("eligibility_hints", i, "field"),
                             f"{hint['field']!r} is not one of this area's referral_fields")
            continue
        condition, kind = hint.get("condition"), target.get("type")
        needs = {"in": "choice", "not_in": "choice", "above": "integer", "below": "integer",
                 "is_true": "boolean", "is_false": "boolean"}.get(condition)
        if needs and kind != needs:
            problems.add(("eligibility_hints", i, "condition"),
                         f'"{condition}" needs a field of type "{needs}", '
                         f'and {hint["field"]!r} is "{kind}"')
            continue
        choices = {c.get("key") for c in target.get("choices", []) if isinstance(c, dict)}
        for j, value in _strings(hint, "values"):
            if value not in choices:
                problems.add(("eligibility_hints", i, "values", j),
                             f"{value!r} is not a choice of the field {hint['field']!r}")
