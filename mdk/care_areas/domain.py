"""The care-area configuration as frozen, typed objects (built from the TOML files).

These are read-only values: the files are the single source of truth, loaded once at start.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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
class HostPolicy:
    kind: str  # "rotating" | "fixed"
    rotation: str | None = None  # "per_meeting" | "per_period" (rotating only)
    period_length: int | None = None  # per_period: N ...
    period_unit: str | None = None  # ... "weeks" | "months" | "years"
    weights: dict[str, float] = field(default_factory=dict)  # hsa_id -> weight (default 1)
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
    referral_fields: tuple = ()
    eligibility_hints: tuple = ()
    material_checklist: tuple = ()
    lead_time_targets: tuple = ()
    templates: dict = field(default_factory=dict)

    def nhv_unit(self, hsa_id: str) -> NhvUnit | None:
        return next((unit for unit in self.nhv_units if unit.hsa_id == hsa_id), None)
