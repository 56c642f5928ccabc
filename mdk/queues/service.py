"""The work queues: the coordinator's inbox, the referrer's own cases (mina ärenden) and the
start page's counts of both.

The inbox holds what waits for a coordinator of the care areas: new referrals, referrals
returned for completion and submitted again, cases the readiness gate held at a meeting's
cut-off, and secondary reviews that are late or have nobody to do them. Mina ärenden is the
referring unit's view: every case of its units, in progress first, with how it has moved
(its timeline) and what its meeting still lacks, both from mdk.cases.progress.

Each list is a fixed number of statements whatever its length, and every case shown writes
one case.read event, all in one INSERT, as the case list does. The counts name no patient
and write no event.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, false, func, or_, select, tuple_
from sqlalchemy import case as sql_case
from sqlalchemy.orm import contains_eager, joinedload

from mdk.access import policy
from mdk.audit import service as audit
from mdk.audit.service import Actor
from mdk.cases.models import Case, CaseTransition
from mdk.cases.progress import GATHERING, Step, progress_of
from mdk.cases.service import _with_context, queue_order, scope_clause
from mdk.cases.workflow import IN_PROGRESS
from mdk.conferences.models import Conference
from mdk.db import commit_keeping_loaded
from mdk.extensions import db
from mdk.material import readiness
from mdk.material.models import ReadinessCheck
from mdk.reviews.models import ReviewTask
from mdk.units.models import Unit

# The most cases (or tasks) a group of the inbox lists; its count is the whole group's.
GROUP_LIMIT = 100
PAGE_SIZE = 50
# The states a held case waits in for the coordinator's decision (the gate did not move it).
HELD_STATES = ("accepted", "deferred")

INBOX_GROUPS = ("new", "resubmitted", "held", "reviews")
GROUP_LABELS = {
    "new": _l("New referrals"),
    "resubmitted": _l("Returned and submitted again"),
    "held": _l("Not ready at the cut-off"),
    "reviews": _l("Late or unassigned reviews"),
}

# The same, as the start page's tiles say it after the count ("3 new referrals").
TILE_LABELS = {
    "new": _l("new referrals"),
    "resubmitted": _l("returned and submitted again"),
    "held": _l("not ready at the cut-off"),
    "reviews": _l("late or unassigned reviews"),
}


# --- which cases: the clauses the lists and the counts share -----------------------------------

def _coordinated(principal: policy.Principal):
    """Cases of the care areas the principal coordinates, within the case list's scope."""
    clauses = [Case.care_area.in_(sorted(principal.areas("coordinator")))]
    visible = scope_clause(principal)
    if visible is not None:
        clauses.append(visible)
    return and_(*clauses)


def _was_returned():
    """Returned at some point: a submitted case that was is waiting again after the
    referrer's completion (only a submit leads back to submitted)."""
    return exists().where(CaseTransition.case_id == Case.id, CaseTransition.action == "return")


def _new_referral():
    return and_(Case.state == "submitted", ~_was_returned())


def _resubmitted():
    return and_(Case.state == "submitted", _was_returned())


def _held():
    """Held by the gate at its current meeting's cut-off, and not yet decided on."""
    return and_(Case.state.in_(HELD_STATES), exists().where(
        ReadinessCheck.case_id == Case.id, ReadinessCheck.conference_id == Case.conference_id,
        ReadinessCheck.outcome == "held", ReadinessCheck.decided_at.is_(None)))


def _review_needs_help(now: datetime):
    return and_(ReviewTask.state == "open",
                or_(ReviewTask.due_at < now, ReviewTask.assignee_id.is_(None)))


def _referrer_pairs(principal: policy.Principal) -> list[tuple[str, int]]:
    return sorted({(area, unit) for role, area, unit in principal.grants if role == "referrer"})


def _of_own_units(principal: policy.Principal):
    """The cases of the referrer's units (their own-unit scope), in the area of each grant."""
    pairs = _referrer_pairs(principal)
    return tuple_(Case.care_area, Case.referring_unit_id).in_(pairs) if pairs else false()


# --- the coordinator's inbox -------------------------------------------------------------------

@dataclass(frozen=True)
class CaseGroup:
    key: str
    total: int
    cases: list[Case]

    @property
    def label(self) -> str:
        return str(GROUP_LABELS[self.key])


@dataclass(frozen=True)
class ReviewGroup:
    total: int
    tasks: list[ReviewTask]
    key: str = "reviews"

    @property
    def label(self) -> str:
        return str(GROUP_LABELS[self.key])


@dataclass(frozen=True)
class Inbox:
    groups: tuple[CaseGroup | ReviewGroup, ...]
    # The units each care area's cases can be taken for (the coordinator's), by area key.
    take_units: dict[str, list[Unit]] = field(default_factory=dict)
    # What each held case still lacks for its meeting, in plain words (by case id).
    missing: dict[int, list[str]] = field(default_factory=dict)

    def group(self, key: str) -> CaseGroup | ReviewGroup:
        return next(group for group in self.groups if group.key == key)


def inbox(actor: Actor, principal: policy.Principal, now: datetime,
          language: str = "sv") -> Inbox:
    """What waits for the coordinator in their care areas, group by group (INBOX_GROUPS), in
    the triage order; reviews due first. One case.read event per case shown."""
    mine = _coordinated(principal)
    groups: list[CaseGroup | ReviewGroup] = [
        _case_group("new", and_(mine, _new_referral())),
        _case_group("resubmitted", and_(mine, _resubmitted())),
        _case_group("held", and_(mine, _held())),
        _review_group(mine, now),
    ]
    held = readiness.assess_many(groups[2].cases)
    shown = _distinct(case for group in groups for case in _cases_of(group))
    audit.record_reads(actor, shown, action="case.read")
    commit_keeping_loaded(db.session)
    return Inbox(groups=tuple(groups), take_units=_take_units(principal),
                 missing={case_id: found.describe(language) for case_id, found in held.items()})


def _case_group(key: str, where) -> CaseGroup:
    total = db.session.scalar(select(func.count(Case.id)).where(where)) or 0
    cases = list(db.session.scalars(
        _with_context(select(Case)).where(where).order_by(*queue_order()).limit(GROUP_LIMIT)))
    return CaseGroup(key, total, cases)


def _review_group(mine, now: datetime) -> ReviewGroup:
    where = and_(mine, _review_needs_help(now))
    total = db.session.scalar(
        select(func.count(ReviewTask.id)).join(ReviewTask.case).where(where)) or 0
    tasks = list(db.session.scalars(
        select(ReviewTask).join(ReviewTask.case).where(where)
        .options(contains_eager(ReviewTask.case).options(*_case_context()),
                 joinedload(ReviewTask.assignee))
        .order_by(ReviewTask.due_at, ReviewTask.id).limit(GROUP_LIMIT)))
    return ReviewGroup(total, tasks)


def _case_context() -> tuple:
    """What a case row shows and the identity rule needs, under a task's case."""
    return (joinedload(Case.patient), joinedload(Case.referring_unit),
            joinedload(Case.treating_unit), joinedload(Case.handling_unit),
            joinedload(Case.conference).joinedload(Conference.host_unit))


def _cases_of(group: CaseGroup | ReviewGroup) -> list[Case]:
    return group.cases if isinstance(group, CaseGroup) else [task.case for task in group.tasks]


def _distinct(cases: Iterable[Case]) -> list[Case]:
    """Each case once (a case may be in two groups: held, with a late review)."""
    return list({case.id: case for case in cases}.values())


def _take_units(principal: policy.Principal) -> dict[str, list[Unit]]:
    """The coordinator's units per care area (ta ärendet), in one statement."""
    by_area: dict[str, list[Unit]] = {}
    grants = sorted((area, unit) for role, area, unit in principal.grants
                    if role == "coordinator")
    if not grants:
        return by_area
    units = {unit.id: unit for unit in db.session.scalars(
        select(Unit).where(Unit.id.in_(sorted({unit for _area, unit in grants})))
        .order_by(Unit.name))}
    for area, unit_id in grants:
        if unit_id in units:
            by_area.setdefault(area, []).append(units[unit_id])
    for listed in by_area.values():
        listed.sort(key=lambda unit: unit.name)
    return by_area


# --- the referrer's own cases (mina ärenden) -----------------------------------------------------

@dataclass(frozen=True)
class OwnCase:
    case: Case
    timeline: list[Step]
    missing: list[str]  # what its meeting still lacks, in plain words (blocking first)


@dataclass(frozen=True)
class OwnCasesPage:
    rows: list[OwnCase]
    page: int
    pages: int
    total: int


def own_cases(actor: Actor, principal: policy.Principal, page: int = 1,
              per_page: int = PAGE_SIZE, language: str = "sv") -> OwnCasesPage:
    """One page of the referrer's units' cases: in progress first (those returned to them
    before the rest), then the latest changed; each with its timeline and what is missing.
    A fixed number of statements; one case.read event per case shown."""
    where = _of_own_units(principal)
    total = db.session.scalar(select(func.count(Case.id)).where(where)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    cases = list(db.session.scalars(
        _with_context(select(Case)).where(where).order_by(*_own_order())
        .limit(per_page).offset((page - 1) * per_page)))
    found = progress_of(cases, language)
    audit.record_reads(actor, cases, action="case.read")
    commit_keeping_loaded(db.session)
    rows = [OwnCase(case, found[case.id].timeline, found[case.id].missing_texts)
            for case in cases]
    return OwnCasesPage(rows=rows, page=page, pages=pages, total=total)


def _own_order() -> tuple:
    return (sql_case((Case.state.in_(IN_PROGRESS), 0), else_=1),
            sql_case((Case.state == "returned", 0), else_=1),
            Case.updated_at.desc(), Case.id.desc())


# --- the start page's counts ---------------------------------------------------------------------

@dataclass(frozen=True)
class QueueCount:
    """One tile of the start page: how many, what, and the page that lists them."""

    key: str
    label: object
    count: int
    endpoint: str | None  # None: the list is not part of this installation
    anchor: str | None = None


def coordinator_counts(principal: policy.Principal, now: datetime) -> list[QueueCount]:
    """The inbox's groups, counted in one statement."""
    mine = _coordinated(principal)

    def cases(where):
        return select(func.count(Case.id)).where(mine, where).scalar_subquery()

    reviews = (select(func.count(ReviewTask.id)).join(ReviewTask.case)
               .where(mine, _review_needs_help(now)).scalar_subquery())
    row = db.session.execute(select(cases(_new_referral()), cases(_resubmitted()),
                                    cases(_held()), reviews)).one()
    return [QueueCount(key, TILE_LABELS[key], count or 0, "queues.inbox", key)
            for key, count in zip(INBOX_GROUPS, row, strict=True)]


def referrer_counts(principal: policy.Principal) -> list[QueueCount]:
    """The referrer's cases in progress and returned to them (one statement), and those
    whose meeting still lacks something (their readiness, in a fixed number)."""
    mine = _of_own_units(principal)
    in_progress, returned = db.session.execute(
        select(func.count(Case.id), func.count(sql_case((Case.state == "returned", 1))))
        .where(mine, Case.state.in_(IN_PROGRESS))).one()
    gathering = list(db.session.scalars(
        select(Case).options(joinedload(Case.conference).joinedload(Conference.host_unit))
        .where(mine, Case.state.in_(GATHERING))))
    lacking = sum(not found.ready for found in readiness.assess_many(gathering).values())
    return [QueueCount("in_progress", _l("my cases in progress"), in_progress or 0,
                       "queues.my_cases"),
            QueueCount("returned", _l("returned to me, to complete"), returned or 0,
                       "queues.my_cases"),
            QueueCount("missing", _l("with something missing for the meeting"), lacking,
                       "queues.my_cases")]


# The reviewer's worklist (the reviews feature); the tile links to it once it is there.
WORKLIST_ENDPOINT = "reviews.worklist"


def reviewer_counts(principal: policy.Principal, now: datetime) -> list[QueueCount]:
    """The reviewer's own open tasks, and how many of them are late, in one statement."""
    open_tasks, late = db.session.execute(
        select(func.count(ReviewTask.id), func.count(sql_case((ReviewTask.due_at < now, 1))))
        .where(ReviewTask.assignee_id == principal.person_id,
               ReviewTask.state == "open")).one()
    return [QueueCount("open_reviews", _l("my open reviews"), open_tasks or 0,
                       WORKLIST_ENDPOINT),
            QueueCount("late_reviews", _l("of them late"), late or 0, WORKLIST_ENDPOINT)]


def start_counts(principal: policy.Principal, now: datetime) -> list[QueueCount]:
    """The start page's queue tiles for the user's roles (counts only: no audit event)."""
    roles, counts = principal.roles, []
    if "coordinator" in roles:
        counts += coordinator_counts(principal, now)
    if "referrer" in roles:
        counts += referrer_counts(principal)
    if "reviewer" in roles:
        counts += reviewer_counts(principal, now)
    return counts
