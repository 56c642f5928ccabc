"""The care-area configuration as frozen, typed objects (built from the TOML files).

These are read-only values: the files are the single source of truth, loaded once at start.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class Label:
    sv: str
    en: str

    def __call__(self, language: str) -> str:
        return self.en if language == "en" else self.sv


@dataclass(frozen=True)
class Competence:
    key: str
    label: Label


@dataclass(frozen=True)
class NhvUnit:
    """A unit holding the NHV licence for the area; its row in the units table has this HSA-id."""

    hsa_id: str
    name: str
    short_name: str
    colour: str  # "#rrggbb", used in calendars


@dataclass(frozen=True)
class CalendarIdentity:
    """Who the area's invites come from (DESIGN.md §2): one service-owned mailbox, never the
    host unit's, so a host swap never changes ORGANIZER and calendar replies reach the service."""

    organizer: str  # the e-mail address, lower-case
    name: str  # the organizer's display name (CN), and how every summary starts


@dataclass(frozen=True)
class HostPolicy:
    kind: str  # "rotating" | "fixed"
    rotation: str | None = None  # "per_meeting" | "per_period" (rotating only)
    period_length: int | None = None  # per_period: N ...
    period_unit: str | None = None  # ... "weeks" | "months" | "years"
    # hsa_id -> weight (a unit not named weighs 1); read-only like everything here.
    weights: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    fixed_unit: str | None = None  # fixed: the host unit's HSA-id


@dataclass(frozen=True)
class MeetingSeriesConfig:
    key: str
    name: Label
    weekday: int  # ISO weekday, 1 = Monday
    start: str  # "HH:MM" local time (Europe/Stockholm)
    duration_minutes: int
    case_slot_minutes: int
    cutoff_days: int  # referrals due this many working days before the meeting
    cutoff_time: str  # "HH:MM" on the cut-off day
    host_policy: HostPolicy
    on_holiday: str = "skip"  # "skip" | "next_working_day"

    @property
    def end(self) -> str:
        """The local end time, "HH:MM" (a meeting never runs past midnight)."""
        hours, minutes = (int(part) for part in self.start.split(":"))
        total = hours * 60 + minutes + self.duration_minutes
        return f"{total // 60:02d}:{total % 60:02d}"


@dataclass(frozen=True)
class Choice:
    key: str
    label: Label


@dataclass(frozen=True)
class ReferralField:
    """An area-specific question on the referral (anmälan), beyond the fields every case has."""

    key: str
    label: Label
    type: str  # "text" | "long_text" | "integer" | "date" | "boolean" | "choice"
    required: bool
    choices: tuple[Choice, ...] = ()
    help: Label | None = None
    min: int | None = None  # integer: the lowest answer allowed
    max: int | None = None  # integer: the highest
    pattern: str | None = None  # text: a regular expression the whole answer matches
    pattern_message: Label | None = None  # what the referrer is told when it does not


@dataclass(frozen=True)
class EligibilityHint:
    """A warning shown to the referrer and the coordinator; never a reason to decline."""

    key: str
    field: str  # a referral field key
    condition: str  # "in" | "not_in" (choice values) | "above" | "below" (integer) | "is_true"...
    message: Label
    values: tuple[str, ...] = ()
    value: int | None = None


@dataclass(frozen=True)
class MaterialItem:
    """What the MDK usually needs before a case is discussed, and how fresh it must be."""

    key: str
    label: Label
    kind: str  # "clinical" | "pad" | "molecular" | "mri" | "pet_ct" | "ct" | "colonoscopy" | ...
    required: bool
    max_age_days: int | None = None  # None: no freshness limit
    review_by: str | None = None  # competence key doing the secondary review at the host
    note: Label | None = None


@dataclass(frozen=True)
class LeadTimeTarget:
    key: str
    label: Label
    from_event: str
    to_event: str
    max_days: int
    share_percent: int  # at least this share of patients within max_days
    day_kind: str = "calendar"  # "calendar" | "working"


# What a protocol or care-plan section holds (mdk.protocols.fields reads and checks them):
# text (several lines), choice (one of `options`), unit (one of the area's NHV units, or the
# patient's home region), person_and_date (who does it, by when), boolean (yes or no);
# and, in a care plan only, tables of rows: rehabilitation (need area, responsible
# profession, action, time point) and schedule (time points of checks or PROMs, each a
# date or a time after an event such as the end of treatment).
SECTION_KINDS = ("text", "choice", "unit", "person_and_date", "boolean", "rehabilitation",
                 "schedule")
ROW_KINDS = ("rehabilitation", "schedule")
CARE_PLAN_ONLY_KINDS = ROW_KINDS
REHABILITATION_COLUMNS = ("need", "profession", "action", "time_point")
# A schedule row's time point after an event: `count` `unit` after `from`.
SCHEDULE_UNITS = ("days", "weeks", "months", "years")
SCHEDULE_ANCHORS = ("treatment_start", "treatment_end", "discharge", "conference")
# Where a new draft's section starts from: the case's question, the combined review
# statement (demonstrationsutlåtande, mdk.reviews); attendance: those noted present at the
# meeting (mdk.conference_day), one per line; in a care plan also the treating NHV unit's
# contact details (mdk.units) and, as "protocol:<key>", the signed protocol's section of that
# key (of the same kind).
SECTION_PREFILLS = ("case_question", "review_statement", "attendance",
                    "treating_unit_contact")
PROTOCOL_PREFILL = "protocol:"
CARE_PLAN_ONLY_PREFILLS = ("treating_unit_contact",)
# The `unit` value for "treated (followed up) in the patient's home region".
HOME_REGION = "home_region"


@dataclass(frozen=True)
class TemplateSection:
    key: str
    label: Label
    required: bool = False
    kind: str = "text"
    options: tuple[Choice, ...] = ()  # choice: what may be chosen, in this order
    prefill: str | None = None  # one of SECTION_PREFILLS, or PROTOCOL_PREFILL + a key
    help: Label | None = None
    # rehabilitation and schedule: the rows a new draft starts from (editable), each a
    # mapping as mdk.protocols.fields stores a row.
    rows: tuple[Mapping[str, Any], ...] = ()
    prom: bool = False  # schedule: its time points are patient-reported measures

    def option(self, key: str) -> Choice | None:
        return next((option for option in self.options if option.key == key), None)


@dataclass(frozen=True)
class DocumentTemplate:
    """The sections of a protocol or a care plan, in the order the document shows them."""

    kind: str  # "protocol" | "care_plan"
    sections: tuple[TemplateSection, ...]

    def section(self, key: str) -> TemplateSection | None:
        return next((section for section in self.sections if section.key == key), None)


@dataclass(frozen=True)
class CareArea:
    key: str
    name: Label
    source_file: str
    nhv_units: tuple[NhvUnit, ...]
    national_mdk: bool  # the units jointly run one national MDK (licence condition)
    licence_critical: tuple[str, ...]  # competence keys every NHV unit must have
    licence_other: tuple[str, ...]
    critical_equipment: tuple[Label, ...]
    quorum: tuple[str, ...]  # competence keys that must take part in a meeting
    quorum_when_needed: tuple[str, ...]  # e.g. the pathologist, per case
    secondary_review: tuple[str, ...]  # competences the host needs for secondary review
    series: tuple[MeetingSeriesConfig, ...]
    scope: Label | None = None  # who is referred, in one sentence
    case_prefix: str = ""  # AC in AC-2026-0142; every area file sets its own
    referral_fields: tuple[ReferralField, ...] = ()
    eligibility_hints: tuple[EligibilityHint, ...] = ()
    material_checklist: tuple[MaterialItem, ...] = ()
    lead_time_targets: tuple[LeadTimeTarget, ...] = ()
    templates: tuple[DocumentTemplate, ...] = ()
    # At the cut-off, a case whose material is not ready is held for the coordinator's
    # decision ("hold") or deferred to the next meeting with room ("defer").
    gate: str = "hold"
    # The organizer of the area's invites; every area file names one ([calendar]).
    calendar: CalendarIdentity | None = None
    # competence key -> what its secondary-review statement starts from (per modality).
    review_templates: Mapping[str, Label] = field(default_factory=lambda: MappingProxyType({}))
    # The report to the referring unit (mdk.reports): working days to acknowledge it before
    # a reminder, and as many again before the escalation ([report]).
    acknowledge_within_working_days: int = 2
    # Treatment start and adherence (mdk.treatment, [treatment]): why a recommendation was
    # deviated from, and how many working days before the lead-time target's last day the
    # reminder goes out when no start is recorded.
    deviation_reasons: tuple[Choice, ...] = ()
    treatment_remind_working_days: int = 3

    def nhv_unit(self, hsa_id: str) -> NhvUnit | None:
        return next((unit for unit in self.nhv_units if unit.hsa_id == hsa_id), None)

    def series_by_key(self, key: str) -> MeetingSeriesConfig | None:
        return next((series for series in self.series if series.key == key), None)

    def referral_field(self, key: str) -> ReferralField | None:
        return next((item for item in self.referral_fields if item.key == key), None)

    def material_item(self, key: str) -> MaterialItem | None:
        return next((item for item in self.material_checklist if item.key == key), None)

    def deviation_reason(self, key: str) -> Choice | None:
        return next((item for item in self.deviation_reasons if item.key == key), None)

    def lead_time_target(self, from_event: str, to_event: str) -> LeadTimeTarget | None:
        return next((item for item in self.lead_time_targets
                     if item.from_event == from_event and item.to_event == to_event), None)

    def template(self, kind: str) -> DocumentTemplate | None:
        return next((item for item in self.templates if item.kind == kind), None)
