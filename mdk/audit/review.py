"""Reviewing the audit log: filtered pages, the filtered export, random samples with a
recorded verdict per event, and one patient's log extract.

Filters name a patient by internal id only; an identity number reaches this module through
`patients.service.find_patient_by_identity` from a POST body, never from a URL.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select, tuple_

from mdk.access.policy import Principal
from mdk.audit import service as audit
from mdk.audit.labels import OBJECT_TYPE_LABELS
from mdk.audit.models import REVIEW_OUTCOMES, AuditEvent, AuditReview
from mdk.audit.scope import disclosed_cases_of_areas, review_areas, scoped
from mdk.audit.service import Actor
from mdk.db import matching_any
from mdk.extensions import db
from mdk.people.models import Person
from mdk.validation import FieldError, clean_text, parse_day, parse_id

PAGE_SIZE = 50
MAX_SAMPLE = 200
DEFAULT_SAMPLE = 20
MAX_SEED = 2**31 - 1
MAX_EXPORT = 100_000
CURSOR_ID_DIGITS = 18
WHOLE_NUMBER = _l("Enter a whole number.")


@dataclass(frozen=True)
class AuditFilters:
    actor_id: int | None = None
    actor: str | None = None  # a name or e-mail address, or part of one
    patient_id: int | None = None
    object_type: str | None = None  # e.g. "case" (a case number is resolved to its id)
    object_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    def query_args(self) -> dict[str, str]:
        """For links and the export: only set filters, ids and days (never identity)."""
        return {key: str(value) for key, value in asdict(self).items() if value is not None}

    def as_details(self) -> dict[str, Any]:
        return {key: (value.isoformat() if isinstance(value, date) else value)
                for key, value in asdict(self).items() if value is not None}


@dataclass(frozen=True)
class Cursor:
    """A place in the log, newest first: an event's time and id (no patient data), written
    as `2026-11-02T09:00:00.000000Z,4711` in the `before` and `after` query parameters."""

    occurred_at: datetime
    id: int

    @classmethod
    def of(cls, event: AuditEvent) -> Cursor:
        return cls(event.occurred_at, event.id)

    def __str__(self) -> str:
        return f"{self.occurred_at.astimezone(UTC):%Y-%m-%dT%H:%M:%S.%fZ},{self.id}"


@dataclass(frozen=True)
class EventPage:
    """One page of the log: its events, and where the newer and older pages start (None:
    there are none). `at_start` says whether this is the newest page."""

    events: list[AuditEvent]
    newer: Cursor | None
    older: Cursor | None
    at_start: bool


@dataclass(frozen=True)
class Sample:
    date_from: date
    date_to: date
    size: int
    seed: int
    population: int
    events: list[AuditEvent]
    verdicts: dict[int, AuditReview]  # the newest review per event id


# --- parsing --------------------------------------------------------------------------------

def _optional_id(value: object, field: str) -> int | None:
    if value is None or value == "":
        return None
    number = parse_id(value)  # the one id rule (also bounds page, size and seed)
    if number is None:
        raise FieldError(field, WHOLE_NUMBER)
    return number


def _optional_day(value: object, field: str) -> date | None:
    return None if value is None or value == "" else parse_day(value, field)


def _case_by_number(value: object, principal: Principal) -> int | None:
    """A case number (AC-2026-0142) as the case's id: the log names objects by id. A case
    outside the reviewer's care areas is not found either."""
    from mdk.cases.models import Case  # cases come after the audit log

    number = clean_text(value, "case_number", max_length=20, required=False)
    if number is None:
        return None
    query = select(Case.id).where(Case.number == number.upper())
    scope = review_areas(principal)
    if not scope.everything:
        query = query.where(Case.id.in_(disclosed_cases_of_areas(scope.areas)))
    case_id = db.session.scalar(query)
    if case_id is None:
        raise FieldError("case_number", _l("No case has this number."))
    return case_id


def _actor_text(value: object) -> str | None:
    """A name or e-mail address, or part of one. The export records it in its own event, so
    it follows the rule for event details: short, and no identity number."""
    text = clean_text(value, "actor", max_length=audit.MAX_DETAIL_TEXT, required=False)
    if text is not None and audit.looks_like_identity_number(text):
        raise FieldError("actor", _l("Search by the user's name or e-mail address."))
    return text


def _object_type(value: object) -> str | None:
    object_type = clean_text(value, "object_type", max_length=40, required=False)
    if object_type is not None and object_type not in OBJECT_TYPE_LABELS:
        raise FieldError("object_type", _l("Choose a kind of object from the list."))
    return object_type


def parse_filters(args: Mapping[str, Any], principal: Principal) -> AuditFilters:
    """Filters from a query string or form; FieldError names the wrong one."""
    object_type = _object_type(args.get("object_type"))
    object_id = _optional_id(args.get("object_id"), "object_id")
    case_id = _case_by_number(args.get("case_number"), principal)
    if case_id is not None:
        object_type, object_id = "case", case_id
    filters = AuditFilters(
        actor_id=_optional_id(args.get("actor_id"), "actor_id"),
        actor=_actor_text(args.get("actor")),
        patient_id=_optional_id(args.get("patient_id"), "patient_id"),
        object_type=object_type,
        object_id=object_id,
        date_from=_optional_day(args.get("date_from"), "date_from"),
        date_to=_optional_day(args.get("date_to"), "date_to"))
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        raise FieldError("date_to", _l("The last day must not be before the first day."))
    return filters


def parse_cursor(value: object) -> Cursor | None:
    """A cursor from `before`/`after`; a hand-edited one shows the newest page instead."""
    if not isinstance(value, str) or "," not in value:
        return None
    moment, _comma, number = value.rpartition(",")
    if not (number.isascii() and number.isdigit() and len(number) <= CURSOR_ID_DIGITS):
        return None
    try:
        occurred_at = datetime.fromisoformat(moment.strip())
    except ValueError:
        return None
    if occurred_at.tzinfo is None:
        return None
    try:
        return Cursor(occurred_at.astimezone(UTC), int(number))
    except OverflowError:  # a time near year 1 or 9999 whose UTC falls outside them
        return None


# --- querying -------------------------------------------------------------------------------

def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _filtered(statement: Select, filters: AuditFilters, zone: ZoneInfo) -> Select:
    conditions = []
    if filters.actor_id is not None:
        conditions.append(AuditEvent.actor_id == filters.actor_id)
    if filters.actor is not None:
        conditions.append(AuditEvent.actor_id.in_(
            select(Person.id).where(matching_any(filters.actor, Person.name, Person.email))))
    if filters.patient_id is not None:
        conditions.append(AuditEvent.patient_id == filters.patient_id)
    if filters.object_type is not None:
        conditions.append(AuditEvent.object_type == filters.object_type)
    if filters.object_id is not None:
        conditions.append(AuditEvent.object_id == filters.object_id)
    if filters.date_from is not None:
        conditions.append(AuditEvent.occurred_at >= _local_midnight(filters.date_from, zone))
    if filters.date_to is not None:
        conditions.append(AuditEvent.occurred_at
                          < _local_midnight(filters.date_to + timedelta(days=1), zone))
    return statement.where(*conditions)


# The log's order, newest first, and the composite index that serves it.
_KEY = tuple_(AuditEvent.occurred_at, AuditEvent.id)
_NEWEST_FIRST = (AuditEvent.occurred_at.desc(), AuditEvent.id.desc())


def find_events(principal: Principal, filters: AuditFilters, zone: ZoneInfo, *,
                before: Cursor | None = None, after: Cursor | None = None,
                per_page: int = PAGE_SIZE) -> EventPage:
    """One page of the events the principal may review, newest first: the page before
    (older than) or after (newer than) a cursor, else the newest. Keyset pagination: one
    statement, as cheap at the end of the log as at its start, and no count of the whole
    log; one row more than a page says whether there is a next one."""
    query = scoped(_filtered(select(AuditEvent), filters, zone), principal)
    if after is not None:
        rows = list(db.session.scalars(
            query.where(tuple_(after.occurred_at, after.id) < _KEY)
            .order_by(AuditEvent.occurred_at, AuditEvent.id).limit(per_page + 1)))
        if len(rows) > per_page:  # there are newer ones still
            events = rows[per_page - 1::-1]
            return EventPage(events, Cursor.of(events[0]), Cursor.of(events[-1]), False)
        # Back at the newest events: show the newest page itself, a full one.
    elif before is not None:
        query = query.where(tuple_(before.occurred_at, before.id) > _KEY)
    rows = list(db.session.scalars(query.order_by(*_NEWEST_FIRST).limit(per_page + 1)))
    events = rows[:per_page]
    at_start = before is None
    newer = Cursor.of(events[0]) if events and not at_start else None
    older = Cursor.of(events[-1]) if len(rows) > per_page else None
    return EventPage(events, newer, older, at_start)


def export_events(actor: Actor, principal: Principal, filters: AuditFilters,
                  zone: ZoneInfo) -> list[AuditEvent]:
    """Every matching event the principal may review, oldest first (up to MAX_EXPORT);
    writes audit.export."""
    events = list(db.session.scalars(
        scoped(_filtered(select(AuditEvent), filters, zone), principal)
        .order_by(AuditEvent.occurred_at, AuditEvent.id).limit(MAX_EXPORT)))
    audit.record(actor, "audit.export", patient_id=filters.patient_id,
                 details={**filters.as_details(), "format": "csv", "events": len(events)})
    db.session.commit()
    return events


def patient_extract(actor: Actor, principal: Principal, patient,
                    file_format: str) -> list[AuditEvent]:
    """Who accessed the patient's data in the principal's care areas, oldest first; writes
    audit.export for the patient."""
    events = list(db.session.scalars(
        scoped(select(AuditEvent).where(AuditEvent.patient_id == patient.id), principal)
        .order_by(AuditEvent.occurred_at, AuditEvent.id)))
    audit.record(actor, "audit.export", patient, details={"format": file_format,
                                                          "events": len(events)})
    db.session.commit()
    return events


# --- random samples -------------------------------------------------------------------------

def new_seed() -> int:
    return random.SystemRandom().randint(1, MAX_SEED)


def parse_sample(args: Mapping[str, Any], today: date) -> tuple[date, date, int, int | None]:
    """(first day, last day, size, seed or None); the default period is the last 30 days."""
    date_from = _optional_day(args.get("date_from"), "date_from") or today - timedelta(days=30)
    date_to = _optional_day(args.get("date_to"), "date_to") or today
    if date_to < date_from:
        raise FieldError("date_to", _l("The last day must not be before the first day."))
    size = _optional_id(args.get("size"), "size") or DEFAULT_SAMPLE
    if size > MAX_SAMPLE:
        raise FieldError("size", _l("At most %(max)d events.", max=MAX_SAMPLE))
    seed = _optional_id(args.get("seed"), "seed")
    if seed is not None and seed > MAX_SEED:
        raise FieldError("seed", WHOLE_NUMBER)
    return date_from, date_to, size, seed


def draw_sample(principal: Principal, date_from: date, date_to: date, size: int, seed: int,
                zone: ZoneInfo) -> Sample:
    """`size` of the period's events the principal may review, drawn with `seed`: the same
    seed draws the same events (for the same reviewer's scope)."""
    period = AuditFilters(date_from=date_from, date_to=date_to)
    ids = list(db.session.scalars(scoped(_filtered(select(AuditEvent.id), period, zone),
                                         principal).order_by(AuditEvent.id)))
    chosen = sorted(random.Random(seed).sample(ids, min(size, len(ids))))
    events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.id.in_(chosen))
                                     .order_by(AuditEvent.occurred_at, AuditEvent.id)))
    return Sample(date_from=date_from, date_to=date_to, size=size, seed=seed,
                  population=len(ids), events=events, verdicts=latest_verdicts(chosen))


def latest_verdicts(event_ids: list[int]) -> dict[int, AuditReview]:
    verdicts: dict[int, AuditReview] = {}
    for review in db.session.scalars(select(AuditReview)
                                     .where(AuditReview.event_id.in_(event_ids))
                                     .order_by(AuditReview.id)):
        verdicts[review.event_id] = review  # the newest wins
    return verdicts


def _reviewable_event_id(principal: Principal, event_id: object) -> int | None:
    event_id = _optional_id(event_id, "event_id")
    if event_id is None:
        return None
    return db.session.scalar(scoped(select(AuditEvent.id).where(AuditEvent.id == event_id),
                                    principal))


def record_verdict(actor: Actor, principal: Principal, event_id: object, outcome: object,
                   comment: object, seed: int | None = None) -> AuditReview:
    """The reviewer's verdict on one sampled event of their care areas (another area's
    event is as unknown as a missing one); follow-up needs a comment saying why."""
    event_id = _reviewable_event_id(principal, event_id)
    if event_id is None:
        raise FieldError("event_id", _l("This event no longer exists."))
    if outcome not in REVIEW_OUTCOMES:
        raise FieldError("outcome", _l("Choose OK or needs follow-up."))
    comment = clean_text(comment, "comment", max_length=2000, required=False,
                         multiline=True)
    if comment and audit.looks_like_identity_number(comment):
        raise FieldError("comment", _l("Write the comment without identity numbers."))
    if outcome == "follow_up" and comment is None:
        raise FieldError("comment", _l("Write what needs to be followed up."))
    review = AuditReview(event_id=event_id, reviewer_id=actor.person_id,
                         reviewer_name=actor.name, outcome=outcome, comment=comment,
                         sample_seed=seed)
    db.session.add(review)
    db.session.flush()
    audit.record(actor, "audit.review", ("audit_event", event_id),
                 details={"outcome": outcome, "seed": seed})
    db.session.commit()
    return review
