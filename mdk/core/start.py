"""The start page: per role, what the user acts on next, as counts and short lists.

Case numbers only (no patient is named here, so nothing is written to the audit log), and a
fixed number of statements whatever the data holds: each list is one query with a limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, select, tuple_
from sqlalchemy.orm import joinedload

from mdk.access import policy
from mdk.care_areas.domain import CareArea
from mdk.care_areas.service import care_areas
from mdk.cases.models import Case
from mdk.cases.service import counts_by_state, scope_clause
from mdk.cases.workflow import EDITABLE, ON_AGENDA
from mdk.conferences.models import Conference
from mdk.extensions import db
from mdk.people.models import Person, RoleGrant
from mdk.queues.service import QueueCount, start_counts
from mdk.units.models import Unit

LIST_LENGTH = 5
MEETINGS_SHOWN = 6
# The referring unit hears back: booked onto a meeting, moved, declined, discussed, reported.
ANSWERED = ("accepted", "deferred", "ready", "declined", "discussed", "reported")
MEETING_ROLES = ("coordinator", "member", "reviewer")


@dataclass(frozen=True)
class CaseLine:
    """One case on the start page: its number and where it stands, never the patient."""

    id: int
    number: str
    care_area: str
    state: str
    priority: str
    changed_at: datetime
    meeting_at: datetime | None = None


@dataclass(frozen=True)
class MeetingLine:
    conference: Conference
    booked: int


@dataclass(frozen=True)
class AreaCheck:
    """An administered care area: are its NHV units in the unit register, with a coordinator?"""

    area: CareArea
    unregistered: tuple[str, ...]  # short names of NHV units not in the register
    without_coordinator: tuple[str, ...]  # registered NHV units no active coordinator covers

    @property
    def ok(self) -> bool:
        return not (self.unregistered or self.without_coordinator)


@dataclass(frozen=True)
class AdminPart:
    units: int
    people: int
    areas: tuple[AreaCheck, ...]


@dataclass(frozen=True)
class StartPage:
    case_counts: dict[str, int]
    # None: not for this user's roles; a list (maybe empty): shown.
    to_complete: list[CaseLine] | None = None
    answers: list[CaseLine] | None = None
    to_triage: list[CaseLine] | None = None
    meetings: list[MeetingLine] | None = None
    admin: AdminPart | None = None
    # The work queues' counts for the user's roles (mdk.queues): inbox, own cases, reviews.
    queues: list[QueueCount] = field(default_factory=list)


def start_page(principal: policy.Principal, now: datetime) -> StartPage:
    roles = principal.roles
    referring = "referrer" in roles
    meeting_areas = frozenset().union(*(principal.areas(role) for role in MEETING_ROLES))
    return StartPage(
        case_counts=counts_by_state(principal),
        to_complete=_unit_cases(principal, EDITABLE, _to_complete_order()) if referring else None,
        answers=_unit_cases(principal, ANSWERED, (Case.updated_at.desc(),)) if referring else None,
        to_triage=_to_triage(principal) if "coordinator" in roles else None,
        meetings=_next_meetings(meeting_areas, now) if meeting_areas else None,
        admin=_admin_part(principal) if "admin" in roles else None,
        queues=start_counts(principal, now),
    )


def _case_lines(query) -> list[CaseLine]:
    return [CaseLine(*row) for row in db.session.execute(query.limit(LIST_LENGTH))]


def _case_columns(*extra):
    return select(Case.id, Case.number, Case.care_area, Case.state, Case.priority,
                  Case.updated_at, *extra)


def _to_complete_order():
    # Returned cases first: the NHV unit waits for them; then drafts, latest change first.
    return (case((Case.state == "returned", 0), else_=1), Case.updated_at.desc())


def _unit_cases(principal: policy.Principal, states, order) -> list[CaseLine]:
    """The referrer's units' cases in these states (the referrer grants' own-unit scope)."""
    pairs = sorted((area, unit) for role, area, unit in principal.grants if role == "referrer")
    query = (_case_columns(Conference.starts_at).outerjoin(Case.conference)
             .where(tuple_(Case.care_area, Case.referring_unit_id).in_(pairs),
                    Case.state.in_(sorted(states)))
             .order_by(*order, Case.id.desc()))
    return _case_lines(query)


def _to_triage(principal: policy.Principal) -> list[CaseLine]:
    """Submitted cases of the coordinator's areas: urgent first, then the longest waiting."""
    visible = scope_clause(principal)  # the case list's scope too, so both count alike
    query = (_case_columns()
             .where(Case.care_area.in_(sorted(principal.areas("coordinator"))),
                    Case.state == "submitted", *([] if visible is None else [visible]))
             .order_by(case((Case.priority == "urgent", 0), else_=1), Case.submitted_at,
                       Case.id))
    return _case_lines(query)


def _next_meetings(areas: frozenset[str], now: datetime) -> list[MeetingLine]:
    booked = (select(func.count(Case.id))
              .where(Case.conference_id == Conference.id, Case.state.in_(sorted(ON_AGENDA)))
              .scalar_subquery())
    query = (select(Conference, booked).options(joinedload(Conference.host_unit))
             .where(Conference.care_area.in_(sorted(areas)), Conference.starts_at >= now,
                    Conference.status != "cancelled")
             .order_by(Conference.starts_at, Conference.id).limit(MEETINGS_SHOWN))
    return [MeetingLine(conference, count) for conference, count in db.session.execute(query)]


def _admin_part(principal: policy.Principal) -> AdminPart:
    units = db.session.scalar(select(func.count(Unit.id)).where(Unit.active)) or 0
    people = db.session.scalar(select(func.count(Person.id)).where(Person.active)) or 0
    configured = care_areas()
    areas = [configured[key] for key in sorted(principal.areas("admin")) if key in configured]
    return AdminPart(units=units, people=people, areas=tuple(_area_checks(areas)))


def _area_checks(areas: list[CareArea]) -> list[AreaCheck]:
    hsa_ids = sorted({nhv.hsa_id for area in areas for nhv in area.nhv_units})
    registered = set(db.session.scalars(
        select(Unit.hsa_id).where(Unit.hsa_id.in_(hsa_ids), Unit.active)))
    covered = {tuple(row) for row in db.session.execute(
        select(RoleGrant.care_area, Unit.hsa_id)
        .join(Person, RoleGrant.person_id == Person.id)
        .join(Unit, Unit.id == RoleGrant.unit_id)
        .where(RoleGrant.role == "coordinator", Person.active, Unit.hsa_id.in_(hsa_ids)))}
    return [AreaCheck(
        area=area,
        unregistered=tuple(nhv.short_name for nhv in area.nhv_units
                           if nhv.hsa_id not in registered),
        without_coordinator=tuple(nhv.short_name for nhv in area.nhv_units
                                  if nhv.hsa_id in registered
                                  and (area.key, nhv.hsa_id) not in covered),
    ) for area in areas]
