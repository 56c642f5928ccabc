"""A meeting's agenda: its cases in order, each with its slot time, and the coordinators'
changes to it.

Order: the places a coordinator gave (Case.agenda_position) first, then every other case in
the default order: urgent first, then in blocks by referring unit (so each referrer attends
one block; blocks by their longest-waiting case), then the longest waiting. A case's slot
starts at the meeting's start plus the series' case slot length times the cases before it;
those past the meeting's capacity are over capacity, and one that would end after the meeting
shares its last slot (slot_schedule: the one rule the page, the invites and the feeds use).

Every change names the agenda version the coordinator saw (Conference.agenda_version). One
conditional UPDATE raises the version only if it is still that one, so of two coordinators
saving the same agenda the second is refused with AgendaConflict and nothing of the first
save is lost. Any case joining or leaving the agenda raises it too (mdk.cases.service).

The agenda locks at the series' cut-off (lock_due_agendas, a scheduler job); a locked
agenda changes only after an explicit unlock with a reason (AgendaEvent), and the job leaves
an unlocked agenda open until a coordinator locks it again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from mdk.access import policy
from mdk.agenda.models import REASON_LENGTH, AgendaEvent
from mdk.audit import service as audit
from mdk.audit.service import Actor
from mdk.care_areas.service import CareAreaNotFound, care_area
from mdk.cases import service as cases
from mdk.cases import triage
from mdk.cases.models import Case
from mdk.cases.workflow import ON_AGENDA
from mdk.conferences.models import Conference
from mdk.db import commit_keeping_loaded, utcnow
from mdk.extensions import db
from mdk.material.readiness import Readiness, assess_many
from mdk.reviews.models import ReviewStatement, ReviewTask
from mdk.validation import MAX_ID, ConflictError, FieldError, clean_text, parse_id

log = logging.getLogger(__name__)

PRIORITY_RANK = {"urgent": 0, "normal": 1}
# How far ahead the lock job looks: a cut-off is a few working days before its meeting.
LOCK_LOOK_AHEAD = timedelta(days=60)
AGENDA_KEYS = frozenset({"agenda_version", "case_id", "position", "conference_id", "reason"})


class AgendaConflict(ConflictError):
    """The agenda changed since the coordinator opened it (409): shown with the current one."""

    def __init__(self) -> None:
        super().__init__("agenda_version", _l(
            "The agenda has been changed by someone else since you opened it. Nothing of "
            "yours was saved: this is the agenda as it is now; make your change again."))


@dataclass(frozen=True)
class ReviewSummary:
    """A case's secondary review as the agenda shows it."""

    total: int = 0
    done: int = 0
    open: int = 0
    statement: bool = False

    @property
    def needed(self) -> bool:
        return self.total > 0


@dataclass(frozen=True)
class Slot:
    case: Case
    position: int  # 1-based
    starts_at: datetime
    ends_at: datetime
    over_capacity: bool
    readiness: Readiness | None
    review: ReviewSummary
    editable: bool  # on the agenda (not discussed or ended): it may be moved or removed


@dataclass(frozen=True)
class Agenda:
    conference: Conference
    slots: list[Slot]
    slot_minutes: int
    cutoff: datetime | None
    events: list[AgendaEvent] = field(default_factory=list)

    @property
    def capacity(self) -> int:
        return self.conference.capacity

    @property
    def booked(self) -> int:
        return sum(1 for slot in self.slots if slot.editable)

    @property
    def over_capacity(self) -> int:
        return sum(1 for slot in self.slots if slot.over_capacity)

    @property
    def locked(self) -> bool:
        return self.conference.status == "agenda_locked"

    @property
    def version(self) -> int:
        return self.conference.agenda_version


# --- reading -----------------------------------------------------------------------------------

def slot_minutes(conference: Conference) -> int:
    """The series' case slot length; the meeting's length shared by its capacity when the
    series is no longer configured."""
    try:
        series = care_area(conference.care_area).series_by_key(conference.series_key)
    except CareAreaNotFound:
        series = None
    if series is not None:
        return series.case_slot_minutes
    minutes = int((conference.ends_at - conference.starts_at).total_seconds() // 60)
    return max(1, minutes // max(1, conference.capacity))


def default_order(found: Iterable[Case]) -> list[Case]:
    """Urgent first; then in blocks by referring unit, the block with the longest-waiting
    case first; within a block the longest waiting first."""
    found = list(found)
    first_of_block: dict[tuple[int, int], datetime] = {}
    for case in found:
        block = (PRIORITY_RANK.get(case.priority, 1), case.referring_unit_id)
        received = _received(case)
        if block not in first_of_block or received < first_of_block[block]:
            first_of_block[block] = received
    return sorted(found, key=lambda case: (
        PRIORITY_RANK.get(case.priority, 1),
        first_of_block[(PRIORITY_RANK.get(case.priority, 1), case.referring_unit_id)],
        case.referring_unit_id, _received(case), case.id))


def _received(case: Case) -> datetime:
    return case.submitted_at or case.created_at


def ordered(found: Iterable[Case]) -> list[Case]:
    """The agenda's order: the places given by hand, then the default order of the rest."""
    found = list(found)
    placed = sorted((case for case in found if case.agenda_position is not None),
                    key=lambda case: (case.agenda_position, case.id))
    return placed + default_order(case for case in found if case.agenda_position is None)


def _agenda_query(conference_id: int):
    return (cases._with_context(select(Case))
            .where(Case.conference_id == conference_id, Case.state.in_(sorted(triage.BOOKED))))


def _cases_on(conference_id: int) -> list[Case]:
    return list(db.session.scalars(_agenda_query(conference_id)).unique())


def review_summaries(case_ids: list[int]) -> dict[int, ReviewSummary]:
    """Each case's review tasks by state and whether its combined statement is written: two
    statements whatever the number of cases."""
    if not case_ids:
        return {}
    counts: dict[int, dict[str, int]] = {}
    for case_id, state, number in db.session.execute(
            select(ReviewTask.case_id, ReviewTask.state, func.count(ReviewTask.id))
            .where(ReviewTask.case_id.in_(case_ids))
            .group_by(ReviewTask.case_id, ReviewTask.state)):
        counts.setdefault(case_id, {})[state] = number
    written = set(db.session.scalars(select(ReviewStatement.case_id)
                                     .where(ReviewStatement.case_id.in_(case_ids))))
    found = {}
    for case_id in case_ids:
        states = counts.get(case_id, {})
        done, still = states.get("done", 0), states.get("open", 0)
        found[case_id] = ReviewSummary(total=done + still, done=done, open=still,
                                       statement=case_id in written)
    return found


def agenda_of(actor: Actor, conference: Conference) -> Agenda:
    """The meeting's agenda as the reader is shown it; one case.read event per case, in one
    INSERT. A fixed number of statements whatever the number of cases."""
    found = ordered(_cases_on(conference.id))
    readiness = assess_many([case for case in found if case.state in ON_AGENDA])
    reviews = review_summaries([case.id for case in found])
    minutes = slot_minutes(conference)
    slots = [Slot(case=case, position=index + 1, starts_at=starts, ends_at=ends,
                  over_capacity=over, readiness=readiness.get(case.id),
                  review=reviews[case.id], editable=case.state in ON_AGENDA)
             for index, (case, (starts, ends, over))
             in enumerate(zip(found, slot_schedule(conference, len(found)), strict=True))]
    events = list(db.session.scalars(
        select(AgendaEvent).where(AgendaEvent.conference_id == conference.id)
        .order_by(AgendaEvent.occurred_at.desc(), AgendaEvent.id.desc()).limit(20)))
    audit.record_reads(actor, found, action="case.read")
    commit_keeping_loaded(db.session)
    return Agenda(conference=conference, slots=slots, slot_minutes=minutes,
                  cutoff=triage.referral_deadline(conference, _series(conference)),
                  events=events)


def slot_schedule(conference: Conference, count: int
                  ) -> list[tuple[datetime, datetime, bool]]:
    """(start, end, over capacity) of the first `count` places of the meeting's agenda. The
    n-th slot starts n slot lengths after the meeting's start; a slot past the meeting's
    capacity is over capacity, and one that would end after the meeting shares its last
    slot, so every invite and feed shows a time within the meeting."""
    step = timedelta(minutes=slot_minutes(conference))
    last_start = max(conference.starts_at, conference.ends_at - step)
    schedule = []
    for index in range(count):
        starts = conference.starts_at + step * index
        over = index >= conference.capacity or starts + step > conference.ends_at
        starts = min(starts, last_start)
        schedule.append((starts, min(starts + step, conference.ends_at), over))
    return schedule


def slot_times_of(conference: Conference) -> dict[int, tuple[datetime, datetime]]:
    """Each booked case's slot (start, end) on the meeting, as the agenda shows it, without
    reading patient data for anyone (the invite job's view)."""
    return slot_times_among(conference, db.session.scalars(
        select(Case).where(Case.conference_id == conference.id,
                           Case.state.in_(sorted(triage.BOOKED)))))


def slot_times_among(conference: Conference, booked: Iterable[Case]
                     ) -> dict[int, tuple[datetime, datetime]]:
    """The slots of the meeting's booked cases, given all of them (a feed reads several
    meetings' cases in one query)."""
    found = ordered(booked)
    return {case.id: (starts, ends) for case, (starts, ends, _over)
            in zip(found, slot_schedule(conference, len(found)), strict=True)}


def _series(conference: Conference):
    try:
        return care_area(conference.care_area).series_by_key(conference.series_key)
    except CareAreaNotFound:
        return None


def move_targets(conference: Conference) -> list[triage.MeetingOffer]:
    """The meetings a case of this agenda may be moved to: the area's coming meetings with
    an open agenda, but this one."""
    return [offer for offer in triage.meeting_offers(conference.care_area)
            if offer.conference.id != conference.id]


# --- checking a change -----------------------------------------------------------------------

def _check_keys(data: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise FieldError(unknown[0], _l("Unknown field."))


def _version(raw: object) -> int:
    """The agenda version the form carried: a whole number (0 and up)."""
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 10:
        raw = int(raw)
    if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw <= MAX_ID:
        return raw
    raise FieldError("agenda_version", _l("Open the agenda again and make your change."))


def _claim(conference: Conference, raw_version: object) -> None:
    """Raise the agenda's version if it is still the one the coordinator saw; AgendaConflict
    otherwise. One conditional UPDATE: of two saves at once exactly one gets through."""
    expected = _version(raw_version)
    claimed = db.session.execute(
        update(Conference).where(Conference.id == conference.id,
                                 Conference.agenda_version == expected)
        .values(agenda_version=expected + 1)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        db.session.rollback()
        db.session.refresh(conference)
        raise AgendaConflict()
    db.session.expire(conference, ["agenda_version"])


def _check_fresh(conference: Conference, raw_version: object) -> None:
    """Refuse a stale page before its fields are judged: a case moved away since it was
    opened is a conflict to see the current agenda for, not a wrong choice."""
    if _version(raw_version) != conference.agenda_version:
        raise AgendaConflict()


def _require_open(conference: Conference) -> None:
    if conference.status == "agenda_locked":
        raise ConflictError("agenda", _l("The agenda is locked since the referral deadline: "
                                         "unlock it first (with a reason)."))
    if conference.status != "planned" or conference.starts_at <= utcnow():
        raise ConflictError("agenda", _l("The agenda of a meeting that has started, been held "
                                         "or been cancelled cannot be changed."))


def _case_on(conference: Conference, raw: object) -> Case:
    case_id = parse_id(raw)
    case = cases.get_case(case_id) if case_id is not None else None
    if case is None or case.conference_id != conference.id or case.state not in ON_AGENDA:
        raise FieldError("case_id", _l("Choose a case on this agenda."))
    return case


def _event(actor: Actor, conference: Conference, action: str,
           reason: str | None = None) -> AgendaEvent:
    event = AgendaEvent(conference_id=conference.id, action=action, reason=reason,
                        actor_id=actor.person_id, actor_name=actor.name)
    db.session.add(event)
    db.session.flush()
    audit.record(actor, f"agenda.{action}", conference, details={"agenda_event_id": event.id})
    return event


# --- changing it -----------------------------------------------------------------------------

def place_case(actor: Actor, principal: policy.Principal, conference: Conference,
               data: Mapping[str, Any]) -> Case:
    """Put one case at `position` (1 = first) of the agenda; the others keep their order.
    Every case then has its place by hand (Case.agenda_position)."""
    _check_keys(data, {"agenda_version", "case_id", "position"})
    policy.require(principal, "agenda.edit", conference)
    _require_open(conference)
    _check_fresh(conference, data.get("agenda_version"))
    case = _case_on(conference, data.get("case_id"))
    now_on = ordered(case for case in _cases_on(conference.id) if case.state in ON_AGENDA)
    position = parse_id(data.get("position"))
    if position is None or position > len(now_on):
        raise FieldError("position", _l("Give a place from 1 to %(num)d.", num=len(now_on)))
    _claim(conference, data.get("agenda_version"))
    now_on.remove(case)
    now_on.insert(position - 1, case)
    for index, placed in enumerate(now_on, start=1):
        placed.agenda_position = index
    _event(actor, conference, "reorder")
    db.session.commit()
    log.info("agenda %d: case %d to place %d", conference.id, case.id, position)
    return case


def reset_order(actor: Actor, principal: policy.Principal, conference: Conference,
                data: Mapping[str, Any]) -> None:
    """Back to the default order: every place given by hand is forgotten."""
    _check_keys(data, {"agenda_version"})
    policy.require(principal, "agenda.edit", conference)
    _require_open(conference)
    _claim(conference, data.get("agenda_version"))
    db.session.execute(update(Case).where(Case.conference_id == conference.id)
                       .values(agenda_position=None)
                       .execution_options(synchronize_session=False))
    _event(actor, conference, "reset_order")
    db.session.commit()
    db.session.expire_all()


def move_to_meeting(actor: Actor, principal: policy.Principal, conference: Conference,
                    data: Mapping[str, Any]) -> Case:
    """Move a case of this agenda to another coming meeting of the area with room and an
    open agenda (the case move "reschedule": judged again at that meeting's cut-off). It
    takes its default place, and slot, on the new agenda."""
    _check_keys(data, {"agenda_version", "case_id", "conference_id", "reason"})
    policy.require(principal, "agenda.edit", conference)
    _require_open(conference)
    _check_fresh(conference, data.get("agenda_version"))
    case = _case_on(conference, data.get("case_id"))
    target = parse_id(data.get("conference_id"))
    if target is None:
        raise FieldError("conference_id", _l("Choose a meeting of this care area."))
    _claim(conference, data.get("agenda_version"))
    move = {"conference_id": target}
    if data.get("reason") not in (None, ""):
        move["reason"] = data.get("reason")
    return cases.move_case(actor, principal, case, "reschedule", move)


def remove_from_agenda(actor: Actor, principal: policy.Principal, conference: Conference,
                       data: Mapping[str, Any]) -> Case:
    """Take a case off the agenda with a reason (the case move "unschedule"): it has no
    meeting any more and waits, submitted, for the coordinators to put it on one."""
    _check_keys(data, {"agenda_version", "case_id", "reason"})
    policy.require(principal, "agenda.edit", conference)
    _require_open(conference)
    _check_fresh(conference, data.get("agenda_version"))
    case = _case_on(conference, data.get("case_id"))
    clean_text(data.get("reason"), "reason", max_length=REASON_LENGTH, required=True,
               multiline=True)  # named before the version is claimed
    _claim(conference, data.get("agenda_version"))
    return cases.move_case(actor, principal, case, "unschedule", {"reason": data.get("reason")})


def lock(actor: Actor, principal: policy.Principal, conference: Conference,
         data: Mapping[str, Any]) -> None:
    """Lock the agenda by hand (again, after an unlock, or ahead of the cut-off)."""
    _check_keys(data, {"agenda_version"})
    policy.require(principal, "agenda.edit", conference)
    _require_open(conference)
    _claim(conference, data.get("agenda_version"))
    conference.status = "agenda_locked"
    _event(actor, conference, "lock")
    db.session.commit()


def unlock(actor: Actor, principal: policy.Principal, conference: Conference,
           data: Mapping[str, Any]) -> None:
    """Open a locked agenda for changes, with a reason (kept and audited); the lock job
    leaves it open until a coordinator locks it again."""
    _check_keys(data, {"agenda_version", "reason"})
    policy.require(principal, "agenda.unlock", conference)
    if conference.status != "agenda_locked":
        raise ConflictError("agenda", _l("The agenda is not locked."))
    if conference.starts_at <= utcnow():
        raise ConflictError("agenda", _l("The agenda of a meeting that has started, been held "
                                         "or been cancelled cannot be changed."))
    reason = clean_text(data.get("reason"), "reason", max_length=REASON_LENGTH, required=True,
                        multiline=True)
    _claim(conference, data.get("agenda_version"))
    conference.status = "planned"
    conference.agenda_unlocked_at = utcnow()
    _event(actor, conference, "unlock", reason)
    db.session.commit()


# --- the lock at the cut-off ----------------------------------------------------------------

def lock_due_agendas(now: datetime | None = None) -> int:
    """Lock every coming meeting's agenda whose cut-off has passed, unless a coordinator
    unlocked it; idempotent (a locked agenda is not looked at again). Returns how many."""
    now = now or utcnow()
    candidates = db.session.scalars(
        select(Conference).options(joinedload(Conference.host_unit))
        .where(Conference.status == "planned", Conference.starts_at > now,
               Conference.starts_at <= now + LOCK_LOOK_AHEAD,
               Conference.agenda_unlocked_at.is_(None))
        .order_by(Conference.starts_at, Conference.id)).all()
    locked = 0
    system = audit.system_actor()
    for conference in candidates:
        cutoff = triage.referral_deadline(conference, _series(conference))
        if cutoff is None or cutoff > now:
            continue
        conference.status = "agenda_locked"
        conference.agenda_version = Conference.agenda_version + 1
        _event(system, conference, "lock")
        locked += 1
    db.session.commit()
    return locked


def run_scheduled() -> None:
    """The scheduler's job (scheduler/registry.py: lock-agendas)."""
    locked = lock_due_agendas()
    if locked:
        log.info("lock-agendas locked %d agenda(s)", locked)
