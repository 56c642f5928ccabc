"""How a case has moved and what its meeting still lacks: the timeline and the missing list
a referrer follows a case by, on *Mina ärenden* (mdk.queues) and in the cases API.

The timeline is the case's moves (its transitions) and the readiness gate's holds, in plain
words, oldest first; the missing list is the readiness description (mdk.material.readiness)
of a case whose material is still being gathered, each problem with its codes and its plain
words. Neither carries patient data: a move's reason is the one the case's transitions
already show. For a page of cases both take a fixed number of statements.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from mdk.cases.models import Case, CaseTransition
from mdk.cases.workflow import STATE_LABELS
from mdk.extensions import db
from mdk.i18n import format_datetime_local
from mdk.material import readiness
from mdk.material.models import ReadinessCheck

# The states in which a case's material is still being gathered for its meeting.
GATHERING = ("draft", "submitted", "returned", "accepted", "deferred")


@dataclass(frozen=True)
class Step:
    """One line of a case's timeline: when, what happened (in the reader's language), why."""

    occurred_at: datetime
    text: str
    reason: str | None


@dataclass(frozen=True)
class Missing:
    """One thing the case's meeting still lacks: the readiness problem and its plain words."""

    problem: readiness.Problem
    message: str


@dataclass(frozen=True)
class Progress:
    timeline: list[Step]
    missing: list[Missing]  # blocking ones first

    @property
    def missing_texts(self) -> list[str]:
        return [found.message for found in self.missing]


def progress_of(cases: Iterable[Case], language: str) -> dict[int, Progress]:
    """Each case's timeline and what its meeting still lacks, by case id, in `language`:
    two statements for the timelines and the readiness of a page (assess_many)."""
    cases = list(cases)
    with force_locale(language):
        steps = timelines([case.id for case in cases])
    assessed = readiness.assess_many([case for case in cases if case.state in GATHERING])
    found = {}
    for case in cases:
        missing = []
        if case.id in assessed:
            judged = assessed[case.id]
            ordered = sorted(judged.problems, key=lambda problem: not problem.blocking)
            missing = [Missing(problem, message) for problem, message in
                       zip(ordered, judged.describe(language), strict=True)]
        found[case.id] = Progress(steps.get(case.id, []), missing)
    return found


def timelines(case_ids: list[int]) -> dict[int, list[Step]]:
    """Every case's moves and the gate's holds, oldest first, in two statements."""
    if not case_ids:
        return {}
    found = _moves(case_ids)
    # A hold moves nothing (the case waits for the coordinator): the gate's verdict says it.
    for check in db.session.scalars(
            select(ReadinessCheck).where(ReadinessCheck.case_id.in_(case_ids),
                                         ReadinessCheck.outcome == "held")
            .options(joinedload(ReadinessCheck.conference))):
        found.setdefault(check.case_id, []).append(Step(check.checked_at, str(_l(
            "Not ready at the cut-off for the meeting of %(meeting)s: held for the "
            "coordinator's decision", meeting=format_datetime_local(
                check.conference.starts_at))), None))
    for steps in found.values():
        steps.sort(key=lambda step: step.occurred_at)
    return found


def _moves(case_ids: list[int]) -> dict[int, list[Step]]:
    found: dict[int, list[Step]] = {}
    returned: set[int] = set()
    for transition in db.session.scalars(
            select(CaseTransition).where(CaseTransition.case_id.in_(case_ids))
            .options(joinedload(CaseTransition.conference))
            .order_by(CaseTransition.case_id, CaseTransition.id)):
        again = transition.action == "submit" and transition.case_id in returned
        if transition.action == "return":
            returned.add(transition.case_id)
        found.setdefault(transition.case_id, []).append(
            Step(transition.occurred_at, describe_step(transition, again), transition.reason))
    return found


def describe_step(transition: CaseTransition, again: bool = False) -> str:
    """A move in plain words: "Accepted onto the meeting of tis 8 dec 2026 · v. 50 09:00"."""
    meeting = format_datetime_local(transition.conference.starts_at) \
        if transition.conference is not None else None
    action = transition.action
    if action == "register":
        return str(_l("Saved as a draft"))
    if action == "submit":
        return str(_l("Submitted again after completion") if again
                   else _l("Submitted to the MDK"))
    if action == "accept":
        return str(_l("Accepted onto the meeting of %(meeting)s", meeting=meeting)
                   if meeting else _l("Accepted onto a meeting"))
    if action == "defer":
        return str(_l("Deferred to the meeting of %(meeting)s", meeting=meeting)
                   if meeting else _l("Deferred to a later meeting"))
    if action == "reschedule":
        return str(_l("Moved to the meeting of %(meeting)s", meeting=meeting)
                   if meeting else _l("Moved to another meeting"))
    if action == "unschedule":
        return str(_l("Removed from the agenda of the meeting of %(meeting)s",
                      meeting=meeting) if meeting else _l("Removed from the agenda"))
    texts = {"return": _l("Returned for completion"), "decline": _l("Declined"),
             "withdraw": _l("Withdrawn"),
             "ready": _l("Ready for the meeting: the material is complete"),
             "ready_anyway": _l("Taken onto the meeting as it is")}
    return str(texts.get(action, STATE_LABELS.get(transition.to_state, transition.to_state)))
