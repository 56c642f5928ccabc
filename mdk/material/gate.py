"""The readiness gate at each meeting's cut-off (the series' cutoff_days/cutoff_time).

Once a meeting's cut-off has passed, and until it starts, every case on it that is accepted
or deferred and has no ReadinessCheck for that meeting yet is judged once
(mdk.material.readiness.assess): a ready case moves to `ready`; one that is not is held for
the coordinator's decision (area setting gate = "hold", the default) or deferred to the next
meeting of its series with room whose cut-off has not passed (gate = "defer"; held when none
has room). The referrer, the referring unit and the coordinators are told what is missing.

The unique (case, meeting) pair of ReadinessCheck makes the job idempotent: a second run
does nothing and queues nothing, and a run after a scheduler was down catches up every
cut-off it missed for meetings not yet started. A case moved to another meeting is judged
again at that meeting's cut-off (a new pair). One transaction per case, so one bad case
does not stop the rest.

A coordinator decides on a held case with the ordinary moves (take it onto the meeting
anyway with a reason, defer it, return it); any move of the case marks its held checks
decided (ReadinessCheck.decided_at), so "not ready at cut-off" in the coordinator's inbox
means: held, and nobody has acted on it yet.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, delete, select, update

from mdk.care_areas.domain import CareArea
from mdk.care_areas.service import CareAreaNotFound, care_area
from mdk.cases import notifications, signals
from mdk.cases import service as cases
from mdk.cases.models import Case, CaseTransition
from mdk.cases.notifications import MissingItem
from mdk.cases.triage import referral_deadline
from mdk.conferences.models import Conference
from mdk.db import utcnow
from mdk.extensions import db
from mdk.material.models import ReadinessCheck
from mdk.material.readiness import KIND_LABELS, Entry, Problem, Readiness, assess

log = logging.getLogger(__name__)

# The states the gate judges: on a meeting's agenda and not yet judged ready.
GATED_STATES = ("accepted", "deferred")
# Meetings the gate looks at: not cancelled, not held or closed.
OPEN_MEETINGS = ("planned", "agenda_locked")
HOLD, DEFER = "hold", "defer"
# How many later meetings of the series are looked at for one with room.
DEFER_LOOK_AHEAD = 26


@dataclass
class GateRun:
    """What one run did (counts only: it is logged)."""

    ready: int = 0
    held: int = 0
    deferred: int = 0
    failed: list[int] = field(default_factory=list)  # case ids


def run_gate(now: datetime | None = None) -> GateRun:
    """Judge every case whose meeting's cut-off has passed and which is not judged yet."""
    now = now or utcnow()
    result = GateRun()
    for conference_id, case_ids in _due(now):
        for case_id in case_ids:
            try:
                outcome = _gate_case(case_id, conference_id, now)
                db.session.commit()
            except Exception as exc:  # one bad case must not stop the others
                db.session.rollback()
                # The case id only: an exception's text may carry values from its rows.
                log.error("readiness gate: case %d failed (%s)", case_id, type(exc).__name__)
                result.failed.append(case_id)
                continue
            if outcome is not None:
                setattr(result, outcome, getattr(result, outcome) + 1)
    db.session.commit()  # ends the read transaction of _due on every engine
    return result


def _due(now: datetime) -> list[tuple[int, list[int]]]:
    """(meeting id, ids of its cases to judge) for each not-started meeting whose cut-off
    has passed and that has cases not yet judged for it: a missed cut-off is caught up."""
    rows = db.session.execute(
        select(Case.conference_id, Case.id)
        .join(Conference, Conference.id == Case.conference_id)
        .outerjoin(ReadinessCheck, and_(ReadinessCheck.case_id == Case.id,
                                        ReadinessCheck.conference_id == Case.conference_id))
        .where(ReadinessCheck.id.is_(None), Case.state.in_(GATED_STATES),
               Conference.status.in_(OPEN_MEETINGS), Conference.starts_at > now)
        .order_by(Conference.starts_at, Conference.id, *cases.queue_order())).all()
    waiting: dict[int, list[int]] = {}
    for conference_id, case_id in rows:
        waiting.setdefault(conference_id, []).append(case_id)
    due = []
    for conference_id, case_ids in waiting.items():
        cutoff = cutoff_of(db.session.get(Conference, conference_id))
        if cutoff is not None and cutoff <= now:
            due.append((conference_id, case_ids))
    return due


def cutoff_of(conference: Conference) -> datetime | None:
    """The meeting's cut-off (UTC); None when its series is no longer configured."""
    try:
        series = care_area(conference.care_area).series_by_key(conference.series_key)
    except CareAreaNotFound:
        return None
    return referral_deadline(conference, series)


def _gate_case(case_id: int, conference_id: int, now: datetime) -> str | None:
    """Judge one case for one meeting, in the caller's transaction. None: nothing to do any
    more (moved, withdrawn or judged since the list was made)."""
    case = db.session.get(Case, case_id, with_for_update=True)
    conference = db.session.get(Conference, conference_id)
    if case is None or conference is None or case.conference_id != conference_id \
            or case.state not in GATED_STATES or _judged(case_id, conference_id):
        return None
    readiness = assess(case, conference)
    problems = [problem.as_dict() for problem in readiness.problems]
    if readiness.ready:
        db.session.add(ReadinessCheck(case_id=case.id, conference_id=conference.id,
                                      outcome="ready", problems=problems, checked_at=now))
        cases.system_move(case, "ready")
        return "ready"
    area = care_area(case.care_area)
    target = next_meeting_with_room(area, conference, now) \
        if area.gate == DEFER and not _deferred_before(case_id) else None
    if target is not None:
        db.session.add(ReadinessCheck(case_id=case.id, conference_id=conference.id,
                                      outcome="deferred", problems=problems, checked_at=now,
                                      decided_at=now))
        cases.system_move(case, "defer", {"conference_id": target.id,
                                          "reason": defer_reason(readiness)})
    else:
        db.session.add(ReadinessCheck(case_id=case.id, conference_id=conference.id,
                                      outcome="held", problems=problems, checked_at=now))
    notifications.case_not_ready(case, conference, missing_items(readiness), target)
    log.info("readiness gate: case %d %s for conference %d", case.id,
             "deferred" if target is not None else "held", conference.id)
    return "deferred" if target is not None else "held"


def judge_now(case: Case) -> str | None:
    """Judge a case for its meeting now, ahead of the cut-off (the demo shows a held case
    this way); the scheduler's run at the cut-off then leaves it, as judged. Commits."""
    outcome = _gate_case(case.id, case.conference_id, utcnow()) \
        if case.conference_id is not None else None
    db.session.commit()
    return outcome


def _judged(case_id: int, conference_id: int) -> bool:
    return db.session.scalar(select(ReadinessCheck.id).where(
        ReadinessCheck.case_id == case_id, ReadinessCheck.conference_id == conference_id)
    ) is not None


def _deferred_before(case_id: int) -> bool:
    """Deferred by the gate once already: the next time it is held, so that a coordinator
    looks at it rather than the gate moving it on week after week."""
    return db.session.scalar(select(ReadinessCheck.id).where(
        ReadinessCheck.case_id == case_id, ReadinessCheck.outcome == "deferred").limit(1)
    ) is not None


def next_meeting_with_room(area: CareArea, after: Conference,
                           now: datetime) -> Conference | None:
    """The next meeting of the same series after `after`, not started, not cancelled, with
    room on its agenda and its own cut-off still ahead (so the case gets a fair chance to be
    ready there)."""
    later = db.session.scalars(
        select(Conference).where(Conference.care_area == area.key,
                                 Conference.series_key == after.series_key,
                                 Conference.status == "planned",
                                 Conference.starts_at > after.starts_at,
                                 Conference.starts_at > now)
        .order_by(Conference.starts_at, Conference.id).limit(DEFER_LOOK_AHEAD)).all()
    for conference in later:
        cutoff = cutoff_of(conference)
        if cutoff is not None and cutoff > now \
                and cases.agenda_size(conference.id) < conference.capacity:
            return conference
    return None


def _safe_title(entry: Entry | None, key: str, language: str) -> str:
    """A checklist item by its checklist label; an extra item by its kind only, since its
    own name is free text and may hold anything."""
    if entry is not None and entry.label is not None:
        return entry.label(language)
    with force_locale(language):
        return str(KIND_LABELS.get(entry.kind, key)) if entry is not None else key


def missing_items(readiness: Readiness) -> list[MissingItem]:
    """The blocking problems, as a mail names them (checklist labels, no free text)."""
    return [MissingItem(code=problem.code,
                        name=partial(_safe_title, readiness.by_key.get(problem.key),
                                     problem.key),
                        too_old_on=problem.too_old_on)
            for problem in readiness.blocking]


def defer_reason(readiness: Readiness) -> str:
    """The move's reason, in Swedish: what was not ready, by checklist label."""
    with force_locale("sv"):
        parts = [_problem_phrase(item.code, item.name("sv")) for item in
                 missing_items(readiness)]
        return _("Not ready at the referral deadline (%(problems)s); moved to the next "
                 "meeting with room by the readiness gate.", problems="; ".join(parts))


def _problem_phrase(code: str, name: str) -> str:
    phrases = {"missing": _("%(item)s: missing", item=name),
               "undated": _("%(item)s: the examination date is not given", item=name),
               "too_old": _("%(item)s: too old on the meeting day", item=name),
               "not_at_host": _("%(item)s: not yet available at the host unit", item=name)}
    return phrases.get(code, name)


# --- the coordinator's decision ----------------------------------------------------------------

def held_for(case: Case) -> ReadinessCheck | None:
    """The gate's hold of the case at its current meeting, if it was held there."""
    if case.conference_id is None:
        return None
    return db.session.scalar(select(ReadinessCheck).where(
        ReadinessCheck.case_id == case.id, ReadinessCheck.conference_id == case.conference_id,
        ReadinessCheck.outcome == "held"))


def checks_of(case: Case) -> list[ReadinessCheck]:
    """The gate's verdicts on the case, newest first."""
    return list(db.session.scalars(
        select(ReadinessCheck).where(ReadinessCheck.case_id == case.id)
        .order_by(ReadinessCheck.checked_at.desc(), ReadinessCheck.id.desc())))


@signals.case_moved.connect
def _decided(case: Case, transition: CaseTransition, **_extra) -> None:
    """Any move of a held case is the decision on it (taken anyway, deferred, returned,
    withdrawn ...): it leaves the inbox's "not ready at cut-off". A case put on a meeting
    again (returned, completed and accepted once more) is judged afresh there: the old
    verdict on that pair goes, as the history keeps what happened."""
    db.session.execute(
        update(ReadinessCheck)
        .where(and_(ReadinessCheck.case_id == case.id, ReadinessCheck.outcome == "held",
                    ReadinessCheck.decided_at.is_(None)))
        .values(decided_at=utcnow()))
    if transition.action in ("accept", "reschedule") and transition.conference_id is not None:
        db.session.execute(delete(ReadinessCheck).where(
            ReadinessCheck.case_id == case.id,
            ReadinessCheck.conference_id == transition.conference_id))


# --- the case page -----------------------------------------------------------------------------

def page_section(case: Case, principal) -> dict:
    """What the case page's "gate" section shows: each verdict of the gate on the case, what
    was not ready in plain words, and whether the reader may decide on a held case."""
    from mdk.access import policy

    checks = checks_of(case)
    if not checks:
        return {"verdicts": []}
    verdicts = []
    for check in checks:
        readiness = assess(case, check.conference)
        stored = [Problem.from_dict(item) for item in check.problems or []]
        verdicts.append({
            "check": check,
            "problems": readiness.describe_problems(
                [problem for problem in stored if problem.blocking]),
            "current": check.conference_id == case.conference_id,
            "ready_now": readiness.ready,
        })
    held = held_for(case)
    return {"verdicts": verdicts,
            "awaiting": held is not None and held.decided_at is None
            and case.state in GATED_STATES,
            "may_decide": policy.can(principal, "case.triage", case)}


def register(app) -> None:
    """The case page's "gate" section."""
    from mdk.cases.views import CasePageSection, add_case_page_section

    add_case_page_section(CasePageSection("gate", "material/_gate.html", page_section))


def run_scheduled() -> None:
    """The scheduler's job (scheduler/registry.py: readiness-gate)."""
    result = run_gate()
    if result.ready or result.held or result.deferred or result.failed:
        log.info("readiness-gate: %d ready, %d held, %d deferred, %d failed", result.ready,
                 result.held, result.deferred, len(result.failed))
