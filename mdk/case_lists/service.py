"""A meeting's case list for its participants, and the day-before mail that links to it.

The page: per case in the agenda's order (mdk.agenda.service: its order and slot times, not
computed again here) the slot time, case number, referring unit, the question to the
conference, the secondary review's state (with the worst discrepancy a finished review
found) and the material's readiness. No patient identity: the case number links to the case
page, which decides about the identity. The question is clinical content, so showing the
list is one case.read per case, as the agenda and the review worklists log it.

The mail (job send-case-lists, scheduler/registry.py): from SEND_FROM local time
(Europe/Stockholm) the day before a meeting that is planned or agenda_locked, each invited
participant (mdk.invites.service.meeting_attendees) who may open the page gets one mail
with the meeting, the number of cases and the link; never a question, name or identity
number. One outbox key per meeting, person and meeting day, so a second run sends nothing
and a missed run catches up until the meeting starts; a meeting moved to another day gets
a new list.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from mdk.access import policy
from mdk.agenda import service as agenda
from mdk.agenda.service import ReviewSummary
from mdk.audit import service as audit
from mdk.audit.service import Actor
from mdk.care_areas.service import CareAreaNotFound, care_area
from mdk.cases.models import Case
from mdk.cases.workflow import ON_AGENDA
from mdk.conferences.models import Conference
from mdk.db import commit_keeping_loaded, utcnow
from mdk.extensions import db
from mdk.i18n import format_datetime_local
from mdk.invites.service import InviteError, meeting_attendees
from mdk.material.readiness import Readiness, assess_many
from mdk.outbox.service import Recipient, absolute_url, queue_mail
from mdk.people.models import Person
from mdk.people.service import mail_locale
from mdk.reviews.models import DISCREPANCIES, ReviewTask

log = logging.getLogger(__name__)

VIEW_ACTION = "case_list.view"
TAKING_PLACE = ("planned", "agenda_locked")
# The list goes out from this local time on the day before the meeting: after the morning's
# work on the agenda, early enough to prepare.
SEND_FROM = time(13, 0)
# How far ahead the job looks for meetings (the day before, at the most, plus DST slack).
LOOK_AHEAD = timedelta(days=2, hours=2)
MAIL_TEMPLATE = "meeting_case_list"


# --- the page ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    case: Case
    position: int  # 1-based, the agenda's
    starts_at: datetime
    ends_at: datetime
    review: ReviewSummary
    discrepancy: str | None  # the worst a finished review found: concordant, minor, major
    readiness: Readiness | None  # None once the case is no longer on the agenda


@dataclass(frozen=True)
class CaseList:
    conference: Conference
    rows: list[Row]


def case_list(actor: Actor, conference: Conference) -> CaseList:
    """The meeting's cases in the agenda's order with their slot times; one case.read per
    case shown. A fixed number of statements whatever the number of cases."""
    times = agenda.slot_times_of(conference)  # in the agenda's order
    by_id = {case.id: case for case in db.session.scalars(
        select(Case).where(Case.id.in_(list(times)))
        .options(joinedload(Case.referring_unit),
                 joinedload(Case.conference).joinedload(Conference.host_unit)))}
    found = [by_id[case_id] for case_id in times if case_id in by_id]
    readiness = assess_many([case for case in found if case.state in ON_AGENDA])
    reviews = agenda.review_summaries([case.id for case in found])
    worst = worst_discrepancies([case.id for case in found])
    rows = [Row(case=case, position=index, starts_at=times[case.id][0],
                ends_at=times[case.id][1], review=reviews[case.id],
                discrepancy=worst.get(case.id), readiness=readiness.get(case.id))
            for index, case in enumerate(found, start=1)]
    audit.record_reads(actor, found, action="case.read")
    commit_keeping_loaded(db.session)
    return CaseList(conference=conference, rows=rows)


def worst_discrepancies(case_ids: list[int]) -> dict[int, str]:
    """Per case, the worst discrepancy its finished reviews recorded (major over minor over
    concordant); cases without one are left out. One statement."""
    if not case_ids:
        return {}
    rank = {value: index for index, value in enumerate(DISCREPANCIES)}
    worst: dict[int, str] = {}
    for case_id, value in db.session.execute(
            select(ReviewTask.case_id, ReviewTask.discrepancy)
            .where(ReviewTask.case_id.in_(case_ids), ReviewTask.state == "done",
                   ReviewTask.discrepancy.is_not(None))):
        if value in rank and rank[value] > rank.get(worst.get(case_id, ""), -1):
            worst[case_id] = value
    return worst


def case_list_url(conference: Conference) -> str:
    """The page, absolute (MDK_BASE_URL): the mail is read outside the service."""
    return absolute_url("case_lists.show_case_list", conference_id=conference.id)


# --- the day-before mail -----------------------------------------------------------------

def local_day(conference: Conference) -> date:
    return conference.starts_at.astimezone(current_app.config["MDK"].tz).date()


def send_from(conference: Conference) -> datetime:
    """SEND_FROM local time on the calendar day before the meeting's local day (a zone-aware
    instant, right across a DST change)."""
    tz = current_app.config["MDK"].tz
    return datetime.combine(local_day(conference) - timedelta(days=1), SEND_FROM, tzinfo=tz)


def due_meetings(now: datetime) -> list[Conference]:
    """Meetings planned or agenda_locked, not yet started, whose list is due by now."""
    candidates = db.session.scalars(
        select(Conference).options(joinedload(Conference.host_unit))
        .where(Conference.status.in_(TAKING_PLACE), Conference.starts_at > now,
               Conference.starts_at <= now + LOOK_AHEAD)
        .order_by(Conference.starts_at, Conference.id))
    return [conference for conference in candidates if send_from(conference) <= now]


def send_case_lists(now: datetime | None = None) -> int:
    """Queue the day-before mail of every due meeting to each of its participants who may
    open the page and has not had it; idempotent. Returns how many mails were queued."""
    now = now or utcnow()
    queued = 0
    for conference in due_meetings(now):
        try:
            area = care_area(conference.care_area)
            attendees = meeting_attendees([conference])[conference.id]
        except (CareAreaNotFound, InviteError):
            continue  # an area no longer configured, or one that invites nobody
        count = len(agenda.slot_times_of(conference))
        for person in _people(attendee.email for attendee in attendees):
            if not policy.can(policy.principal_for(person), VIEW_ACTION, conference):
                continue  # invited by competence, but holds no role to read the list
            locale = mail_locale(person)
            message = queue_mail(
                Recipient(email=person.email, person_id=person.id, locale=locale),
                kind="case_list", template=MAIL_TEMPLATE,
                context=_mail_context(conference, area, count, locale),
                idempotency_key=f"case-list:{conference.id}:{person.id}:"
                                f"{local_day(conference).isoformat()}")
            queued += message is not None
    db.session.commit()
    return queued


def _people(emails) -> list[Person]:
    """The attendees' Person rows, in the attendees' order (chair first), once each."""
    wanted = list(dict.fromkeys(email.lower() for email in emails))
    if not wanted:
        return []
    found = {person.email.lower(): person for person in db.session.scalars(
        select(Person).where(Person.email.in_(wanted)).options(
            selectinload(Person.role_grants)))}
    return [found[email] for email in wanted if email in found]


def _mail_context(conference: Conference, area, count: int, language: str) -> dict:
    """Only what may leave the protected network: the meeting, the count and the link."""
    host = conference.host_unit
    return {"area_name": area.name(language),
            "meeting_time": format_datetime_local(conference.starts_at, language),
            "host_unit": host.name if host is not None else "",
            "count": count, "case_list_url": case_list_url(conference)}


def run_scheduled() -> None:
    """The scheduler's job (scheduler/registry.py: send-case-lists)."""
    queued = send_case_lists()
    if queued:
        log.info("send-case-lists queued %d mail(s)", queued)
