"""The conference day: the meeting on a shared screen, one case at a time, its attendance
and quorum, and the cases listed but not discussed.

- The view (conference_day) is the agenda (mdk.agenda.service.agenda_of, which audits the
  reads of every case in one INSERT) with what the meeting talks about per case: the
  combined review statement, the worst discrepancy of the reviews, the material, and the
  case's own need (a competence of the area's quorum_when_needed the case's material or
  review tasks call for, e.g. a pathologist) with whether such a person is present. A fixed
  number of statements whatever the number of cases.
- Attendance (mdk.conference_day.attendance): one row per person and competence, the
  invited MDT added when a coordinator opens the view.
- Quorum: every competence of the area's quorum present; otherwise the missing ones.
- Listed, not discussed: the case move "not_discussed" to the series' next meeting with
  room, with the reason; the referrer gets the deferral mail (mdk.cases.notifications).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from mdk.access import policy
from mdk.agenda import service as agenda_service
from mdk.agenda.service import Agenda, Slot
from mdk.audit.service import Actor
from mdk.care_areas.domain import CareArea
from mdk.care_areas.service import care_area
from mdk.cases import service as cases
from mdk.cases.models import REASON_LENGTH, Case
from mdk.cases.workflow import ON_AGENDA
from mdk.conference_day.attendance import attendance_of, may_note_attendance, prefill_attendance
from mdk.conference_day.models import Attendance
from mdk.conferences import lifecycle
from mdk.conferences.models import Conference
from mdk.db import utcnow
from mdk.extensions import db
from mdk.material.gate import next_meeting_with_room
from mdk.reviews.models import DISCREPANCIES, ReviewStatement, ReviewTask
from mdk.validation import ConflictError, FieldError, clean_text, parse_id

log = logging.getLogger(__name__)



# --- what the view shows ----------------------------------------------------------------------

@dataclass(frozen=True)
class Need:
    """A competence one case needs beyond the quorum, and whether one is present."""

    competence: str
    covered: bool


@dataclass(frozen=True)
class Documents:
    """How far a case's documents of this meeting have come: the next step at a glance."""

    protocol: str | None = None  # "draft" | "signed"
    care_plan: str | None = None  # the latest version's "draft" | "established"
    report: str | None = None  # "issued" | "acknowledged"


@dataclass(frozen=True)
class CaseOnScreen:
    slot: Slot
    statement: ReviewStatement | None
    discrepancy: str | None  # the worst of its reviews' (concordant < minor < major)
    needs: tuple[Need, ...]
    documents: Documents = Documents()

    @property
    def case(self) -> Case:
        return self.slot.case

    @property
    def uncovered(self) -> tuple[str, ...]:
        return tuple(need.competence for need in self.needs if not need.covered)

    @property
    def listed(self) -> bool:
        """Still on the agenda: it may be marked listed, not discussed."""
        return self.case.state in ON_AGENDA


@dataclass(frozen=True)
class Quorum:
    required: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.missing


@dataclass(frozen=True)
class ConferenceDay:
    conference: Conference
    agenda: Agenda
    cases: list[CaseOnScreen]
    current: CaseOnScreen | None
    position: int  # 1-based place of the current case; 0 with no cases
    attendance: list[Attendance]
    quorum: Quorum

    @property
    def present(self) -> list[Attendance]:
        return [row for row in self.attendance if row.present]

    @property
    def previous_position(self) -> int | None:
        return self.position - 1 if self.position > 1 else None

    @property
    def next_position(self) -> int | None:
        return self.position + 1 if 0 < self.position < len(self.cases) else None


def conference_day(actor: Actor, principal: policy.Principal, conference: Conference,
                   position: int | None = None) -> ConferenceDay:
    """The meeting as its shared screen shows it, with the case at `position` (1-based;
    the first when None or out of range). A coordinator opening it at or after the start
    marks it held, and adds the invited MDT to its attendance."""
    policy.require(principal, "conference_day.view", conference)
    if may_note_attendance(principal, conference):
        lifecycle.start_if_due(conference)
        prefill_attendance(conference)
        db.session.commit()
    area = care_area(conference.care_area)
    agenda = agenda_service.agenda_of(actor, conference)  # audits each case's read
    attendance = attendance_of(conference)
    present = {row.competence for row in attendance if row.present}
    ids = [slot.case.id for slot in agenda.slots]
    statements = {statement.case_id: statement for statement in db.session.scalars(
        select(ReviewStatement).where(ReviewStatement.case_id.in_(ids)))} if ids else {}
    reviews = _review_facts(ids)
    documents = _documents(ids, conference.id)
    shown = [CaseOnScreen(slot=slot, statement=statements.get(slot.case.id),
                          discrepancy=_worst(reviews.get(slot.case.id, {}).values()),
                          needs=_needs(area, slot, reviews.get(slot.case.id, {}), present),
                          documents=documents.get(slot.case.id, Documents()))
             for slot in agenda.slots]
    place = position if position is not None and 1 <= position <= len(shown) else 1
    return ConferenceDay(conference=conference, agenda=agenda, cases=shown,
                         current=shown[place - 1] if shown else None,
                         position=place if shown else 0, attendance=attendance,
                         quorum=quorum_of(area, present))


def _documents(case_ids: list[int], conference_id: int) -> dict[int, Documents]:
    """Per case: its protocol, care plan and report of this meeting (three statements for
    every case)."""
    from mdk.care_plans.models import CarePlan
    from mdk.protocols.models import Protocol
    from mdk.reports.models import Report

    if not case_ids:
        return {}
    protocols = dict(db.session.execute(select(Protocol.case_id, Protocol.state).where(
        Protocol.case_id.in_(case_ids), Protocol.conference_id == conference_id)).all())
    plans = dict(db.session.execute(
        select(CarePlan.case_id, CarePlan.state).where(
            CarePlan.case_id.in_(case_ids), CarePlan.conference_id == conference_id)
        .order_by(CarePlan.revision)).all())  # the latest version last: it wins
    reports = {case_id: "acknowledged" if acknowledged else "issued"
               for case_id, acknowledged in db.session.execute(
                   select(Report.case_id, Report.acknowledged_at).where(
                       Report.case_id.in_(case_ids), Report.conference_id == conference_id,
                       Report.superseded_at.is_(None)))}
    return {case_id: Documents(protocols.get(case_id), plans.get(case_id),
                               reports.get(case_id)) for case_id in case_ids}


def _review_facts(case_ids: list[int]) -> dict[int, dict[str, str | None]]:
    """Per case: each competence of its (not cancelled) review tasks, with the discrepancy
    of the worst finished one; one statement for every case."""
    if not case_ids:
        return {}
    found: dict[int, dict[str, str | None]] = {}
    for case_id, competence, discrepancy in db.session.execute(
            select(ReviewTask.case_id, ReviewTask.competence, ReviewTask.discrepancy)
            .where(ReviewTask.case_id.in_(case_ids), ReviewTask.state != "cancelled")
            .order_by(ReviewTask.id)):
        tasks = found.setdefault(case_id, {})
        tasks[competence] = _worst((tasks.get(competence), discrepancy))
    return found


def _worst(discrepancies) -> str | None:
    known = [value for value in discrepancies if value in DISCREPANCIES]
    return max(known, key=DISCREPANCIES.index) if known else None


def _needs(area: CareArea, slot: Slot, reviews: Mapping[str, str | None],
           present: set[str]) -> tuple[Need, ...]:
    """The competences of quorum_when_needed this case calls for: by a review task, or by
    an entry of its material that one reviews (a PAD given: the pathologist)."""
    wanted = set(reviews)
    if slot.readiness is not None:
        wanted |= {entry.review_by for entry in slot.readiness.entries
                   if entry.review_by and entry.item is not None and entry.item.provided}
    return tuple(Need(competence, competence in present)
                 for competence in area.quorum_when_needed if competence in wanted)


def quorum_of(area: CareArea, present: set[str]) -> Quorum:
    return Quorum(required=area.quorum,
                  missing=tuple(key for key in area.quorum if key not in present))


# --- listed, not discussed --------------------------------------------------------------------

def not_discussed(actor: Actor, principal: policy.Principal, conference: Conference,
                  data: Mapping[str, Any]) -> Case:
    """Listed at this meeting, not discussed: the case goes on to the series' next meeting
    with room (the coordinator may name another of the area's coming ones), with the
    reason; the referrer is told by the deferral mail."""
    unknown = sorted(set(data) - {"case_id", "reason", "conference_id"})
    if unknown:
        raise FieldError(unknown[0], _l("Unknown field."))
    policy.require(principal, "agenda.edit", conference)
    if conference.status not in ("agenda_locked", "held"):
        raise ConflictError("case_id", _l("Only a case of a meeting that is about to start "
                                          "or being held can be listed, not discussed."))
    case_id = parse_id(data.get("case_id"))
    case = cases.get_case(case_id) if case_id is not None else None
    if case is None or case.conference_id != conference.id or case.state not in ON_AGENDA:
        raise FieldError("case_id", _l("Choose a case on this meeting's agenda."))
    policy.require(principal, "case.triage", case)
    reason = clean_text(data.get("reason"), "reason", max_length=REASON_LENGTH,
                        required=True, multiline=True)
    chosen = data.get("conference_id") not in (None, "")
    target_id = parse_id(data.get("conference_id")) if chosen else None
    if chosen and target_id is None:
        raise FieldError("conference_id", _l("Choose a meeting of this care area."))
    if target_id is None:
        target = next_meeting_with_room(care_area(conference.care_area), conference, utcnow())
        if target is None:
            raise FieldError("conference_id", _l(
                "No later meeting of the series has room: choose a meeting."))
        target_id = target.id
    moved = cases.move_case(actor, principal, case, "not_discussed",
                            {"conference_id": target_id, "reason": reason})
    log.info("case %d listed, not discussed at conference %d", moved.id, conference.id)
    return moved


def later_meetings(conference: Conference):
    """The area's coming meetings after this one a case may go on to (with their room)."""
    return [offer for offer in agenda_service.move_targets(conference)
            if offer.conference.starts_at > conference.starts_at]
