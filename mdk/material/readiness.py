"""Is a case's material ready for its meeting? Completeness, freshness and availability at the
host unit, judged against the meeting's day (or the area's next meeting when the case has
none yet). Plain functions on loaded rows: the case page, the lists and the readiness gate
at the cut-off (mdk.material.gate) all ask the same question here.

Only required entries block readiness. A problem carries codes and checklist keys, never
patient data, so it may be stored (ReadinessCheck.problems) and named in mail.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from mdk.care_areas.domain import CareArea, Label
from mdk.care_areas.service import care_area
from mdk.cases.models import Case
from mdk.conferences.models import Conference
from mdk.db import utcnow
from mdk.extensions import db
from mdk.material.models import TRANSFERRED_KINDS, MaterialItem

MISSING = "missing"  # nothing given: no date, reference or document
UNDATED = "undated"  # has a freshness limit but no examination date to judge it by
TOO_OLD = "too_old"  # will be older than the limit on the meeting day
NOT_AT_HOST = "not_at_host"  # images or slides not yet available at the host unit

KIND_LABELS = {
    "clinical": _l("Clinical information"), "pad": _l("Pathology report (PAD)"),
    "molecular": _l("Molecular pathology"), "mri": _l("MRI"), "pet_ct": _l("PET-CT"),
    "ct": _l("CT"), "colonoscopy": _l("Colonoscopy"), "lab": _l("Laboratory results"),
    "other": _l("Other"),
}


@dataclass(frozen=True)
class Entry:
    """One line of a case's material list: a checklist entry (filled in or not) or an extra
    item. `key` is the checklist key, or "item-<id>" for an extra item."""

    key: str
    kind: str
    required: bool
    item: MaterialItem | None
    label: Label | None = None  # the checklist's; an extra item has its own text
    max_age_days: int | None = None
    review_by: str | None = None

    def title(self, language: str = "sv") -> str:
        if self.label is not None:
            return self.label(language)
        if self.item is not None and self.item.label:
            return self.item.label
        return str(KIND_LABELS.get(self.kind, self.kind))


@dataclass(frozen=True)
class Problem:
    code: str
    key: str
    blocking: bool
    too_old_on: date | None = None  # TOO_OLD: the first day it is too old

    def as_dict(self) -> dict:
        found = {"code": self.code, "key": self.key, "blocking": self.blocking}
        if self.too_old_on is not None:
            found["too_old_on"] = self.too_old_on.isoformat()
        return found

    @classmethod
    def from_dict(cls, stored: dict) -> Problem:
        """A problem as ReadinessCheck.problems stored it (as_dict)."""
        too_old_on = stored.get("too_old_on")
        return cls(code=str(stored.get("code", "")), key=str(stored.get("key", "")),
                   blocking=bool(stored.get("blocking", True)),
                   too_old_on=date.fromisoformat(too_old_on) if too_old_on else None)


@dataclass(frozen=True)
class Readiness:
    entries: tuple[Entry, ...]
    problems: tuple[Problem, ...]
    day: date | None  # the meeting day judged against (None: no meeting planned)
    host_unit_id: int | None
    conference: Conference | None = None
    by_key: dict[str, Entry] = field(default_factory=dict, compare=False)

    @property
    def ready(self) -> bool:
        return not any(problem.blocking for problem in self.problems)

    @property
    def blocking(self) -> tuple[Problem, ...]:
        return tuple(problem for problem in self.problems if problem.blocking)

    def describe(self, language: str | None = None) -> list[str]:
        """Each problem in plain words, blocking ones first."""
        return self.describe_problems(self.problems, language)

    def describe_problems(self, problems: Iterable[Problem],
                          language: str | None = None) -> list[str]:
        """These problems (e.g. the ones the gate stored at the cut-off) in plain words,
        blocking ones first, named by this readiness's entries."""
        ordered = sorted(problems, key=lambda problem: not problem.blocking)
        return [describe(problem, self.by_key.get(problem.key), self, language)
                for problem in ordered]


def entries_of(area: CareArea, items: Iterable[MaterialItem]) -> tuple[Entry, ...]:
    """The area's checklist, each entry with its row if filled in, then the extra items."""
    items = list(items)
    by_key = {item.checklist_key: item for item in items if item.checklist_key}
    listed = [Entry(key=entry.key, kind=entry.kind, required=entry.required,
                    item=by_key.get(entry.key), label=entry.label,
                    max_age_days=entry.max_age_days, review_by=entry.review_by)
              for entry in area.material_checklist]
    known = {entry.key for entry in area.material_checklist}
    extras = [Entry(key=f"item-{item.id}", kind=item.kind, required=item.required, item=item,
                    review_by=item.review_by)
              for item in items if item.checklist_key not in known]
    return tuple(listed + extras)


def problems_of(entry: Entry, day: date | None, host_unit_id: int | None) -> list[Problem]:
    """What keeps this entry from being ready on `day` at the host unit."""
    item, blocking = entry.item, entry.required
    if item is None or not item.provided:
        return [Problem(MISSING, entry.key, blocking)] if entry.required else []
    found = []
    if entry.max_age_days is not None and day is not None:
        if item.examined_on is None:
            found.append(Problem(UNDATED, entry.key, blocking))
        elif (day - item.examined_on).days > entry.max_age_days:
            found.append(Problem(TOO_OLD, entry.key, blocking,
                                 too_old_on=date.fromordinal(
                                     item.examined_on.toordinal() + entry.max_age_days + 1)))
    # A meeting without a host (yet) has nowhere the images are at: not ready, rather than
    # a pass the gate would take as "available at the host".
    if entry.kind in TRANSFERRED_KINDS and day is not None:
        held = item.availability_at(host_unit_id) if host_unit_id is not None else None
        if held is None or not held.at_unit:
            found.append(Problem(NOT_AT_HOST, entry.key, blocking))
    return found


def assess(case: Case, conference: Conference | None = None, *,
           items: Iterable[MaterialItem] | None = None) -> Readiness:
    """The case's readiness for its meeting (or `conference`, or the area's next one)."""
    meeting = conference or case.conference or next_meeting(case.care_area)
    return _assess(case, meeting, case.material_items if items is None else items)


def _assess(case: Case, meeting: Conference | None,
            items: Iterable[MaterialItem]) -> Readiness:
    """Readiness against this meeting (None: no meeting planned), looking nothing up."""
    area = care_area(case.care_area)
    entries = entries_of(area, items)
    day = meeting.day if meeting is not None else None
    host = meeting.host_unit_id if meeting is not None else None
    problems = tuple(problem for entry in entries for problem in problems_of(entry, day, host))
    return Readiness(entries=entries, problems=problems, day=day, host_unit_id=host,
                     conference=meeting, by_key={entry.key: entry for entry in entries})


def assess_many(cases: list[Case]) -> dict[int, Readiness]:
    """Readiness of a page of cases in a constant number of statements: their items (with
    availability and files) in one, and one next meeting per care area on the page."""
    if not cases:
        return {}
    ids = [case.id for case in cases]
    items: dict[int, list[MaterialItem]] = {case_id: [] for case_id in ids}
    for item in db.session.scalars(
            select(MaterialItem).where(MaterialItem.case_id.in_(ids))
            .options(selectinload(MaterialItem.availability),
                     selectinload(MaterialItem.files))
            .order_by(MaterialItem.id)):
        items[item.case_id].append(item)
    # Each area's next meeting even when every case on the page has its own: the page's
    # statements then depend on its areas only, not on which of its cases are placed.
    upcoming = {area: next_meeting(area) for area in sorted({case.care_area for case in cases})}
    # _assess, not assess: an area with no coming meeting must not cost a lookup per case.
    return {case.id: _assess(case, case.conference or upcoming.get(case.care_area),
                             items[case.id])
            for case in cases}


def next_meeting(area_key: str) -> Conference | None:
    """The area's next meeting not yet started (any series), with its host."""
    return db.session.scalar(
        select(Conference).options(joinedload(Conference.host_unit))
        .where(Conference.care_area == area_key, Conference.status == "planned",
               Conference.starts_at > utcnow())
        .order_by(Conference.starts_at, Conference.id).limit(1))


def describe(problem: Problem, entry: Entry | None, readiness: Readiness | None = None,
             language: str | None = None) -> str:
    """One problem in plain words, for the referrer and the coordinator, in `language` (by
    default the reader's)."""
    from flask_babel import force_locale

    from mdk.i18n import current_language

    language = language or current_language()
    with force_locale(language):
        return _describe(problem, entry, readiness, language)


def _describe(problem: Problem, entry: Entry | None, readiness: Readiness | None,
              language: str) -> str:
    title = entry.title(language) if entry is not None else problem.key
    if problem.code == MISSING:
        return str(_l("Missing: %(item)s.", item=title))
    if problem.code == UNDATED:
        return str(_l("%(item)s: give the examination date; it may be at most %(days)d days "
                      "old on the meeting day.", item=title,
                      days=entry.max_age_days if entry else 0))
    if problem.code == TOO_OLD:
        from mdk.i18n import format_day

        return str(_l("%(item)s will be too old on the meeting day (more than %(days)d days; "
                      "too old from %(day)s): a new examination is needed.", item=title,
                      days=entry.max_age_days if entry else 0,
                      day=format_day(problem.too_old_on, language)
                      if problem.too_old_on else ""))
    if problem.code == NOT_AT_HOST:
        conference = readiness.conference if readiness is not None else None
        host = conference.host_unit.name if conference is not None and conference.host_unit \
            else str(_l("the host unit"))
        return str(_l("%(item)s is not yet available at %(host)s: send the images or slides "
                      "there and mark them available.", item=title, host=host))
    return title
