"""What a coordinator triages with: how long a case has waited, the coming meetings a case
can be put on with their booked places and referral deadline (cut-off), and the cases booked
on a meeting. The moves themselves (accept, defer) are mdk.cases.service.move_case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

from sqlalchemy import and_, func, select

from mdk.access import policy
from mdk.audit import service as audit
from mdk.audit.service import Actor
from mdk.calendar.closures import working_days_before
from mdk.care_areas.domain import MeetingSeriesConfig
from mdk.care_areas.service import CareAreaNotFound, care_area
from mdk.cases.models import Case
from mdk.cases.service import _with_context, coming_meetings, queue_order, scope_clause
from mdk.cases.workflow import ON_AGENDA
from mdk.conferences.models import Conference
from mdk.db import commit_keeping_loaded, utcnow
from mdk.extensions import db
from mdk.i18n import to_local

OFFERED_MEETINGS = 12
# Received and not yet discussed: the time a case waits for its MDK.
WAITING = frozenset({"submitted", "returned", *ON_AGENDA})
# Booked on a meeting: on its agenda, or discussed there and onwards.
BOOKED = frozenset({*ON_AGENDA, "discussed", "reported", "closed"})


def waiting_days(case: Case, now: datetime | None = None) -> int | None:
    """Whole days (Swedish calendar days) since the case was received, while it waits for
    its MDK; None for a draft or a case already discussed or ended."""
    if case.submitted_at is None or case.state not in WAITING:
        return None
    return (to_local(now or utcnow()).date() - to_local(case.submitted_at).date()).days


@dataclass(frozen=True)
class MeetingOffer:
    """A coming meeting as the accept and defer forms offer it."""

    conference: Conference
    booked: int
    cutoff: datetime | None  # the referral deadline (UTC); None if its series is unknown

    @property
    def full(self) -> bool:
        return self.booked >= self.conference.capacity

    @property
    def cutoff_passed(self) -> bool:
        return self.cutoff is not None and self.cutoff <= utcnow()


def meeting_offers(area_key: str, limit: int = OFFERED_MEETINGS) -> list[MeetingOffer]:
    """The coming meetings a case can be put on (planned, not started, soonest first), with
    their booked places: one statement for all of them."""
    booked = (select(func.count(Case.id))
              .where(Case.conference_id == Conference.id, Case.state.in_(sorted(ON_AGENDA)))
              .correlate(Conference).scalar_subquery())
    rows = db.session.execute(
        coming_meetings(select(Conference, booked), area_key).limit(limit)).all()
    series = _series_of(area_key)
    return [MeetingOffer(conference, count or 0,
                         referral_deadline(conference, series.get(conference.series_key)))
            for conference, count in rows]


def _series_of(area_key: str) -> dict[str, MeetingSeriesConfig]:
    try:
        return {series.key: series for series in care_area(area_key).series}
    except CareAreaNotFound:
        return {}


def referral_deadline(conference: Conference,
                      series: MeetingSeriesConfig | None) -> datetime | None:
    """The cut-off: the series' `cutoff_days` working days (no weekend, public holiday or
    closed eve) before the meeting's day, at its `cutoff_time`, Swedish time; in UTC."""
    if series is None:
        return None
    local = to_local(conference.starts_at)
    day = working_days_before(local.date(), series.cutoff_days)
    hours, minutes = (int(part) for part in series.cutoff_time.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=local.tzinfo).astimezone(UTC)


def booked_cases(actor: Actor, principal: policy.Principal,
                 conference: Conference) -> list[Case]:
    """The cases booked on the meeting that the reader may see (the case list's scope), in
    the triage order, in one statement whatever their number; one case.read event per case
    shown, in one INSERT, as on the case list."""
    conditions = [Case.conference_id == conference.id, Case.state.in_(sorted(BOOKED))]
    clause = scope_clause(principal)
    if clause is not None:
        conditions.append(clause)
    cases = list(db.session.scalars(
        _with_context(select(Case)).where(and_(*conditions)).order_by(*queue_order())))
    audit.record_reads(actor, cases, action="case.read")
    commit_keeping_loaded(db.session)
    return cases
