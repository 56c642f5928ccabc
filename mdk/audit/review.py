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
from sqlalchemy import Select, func, select

from mdk.audit import service as audit
from mdk.audit.models import REVIEW_OUTCOMES, AuditEvent, AuditReview
from mdk.audit.service import Actor
from mdk.extensions import db
from mdk.validation import FieldError, clean_text, parse_day, parse_id

PAGE_SIZE = 50
MAX_SAMPLE = 200
DEFAULT_SAMPLE = 20
MAX_SEED = 2**31 - 1
MAX_EXPORT = 100_000
OBJECT_TYPE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz_.")
WHOLE_NUMBER = _l("Enter a whole number.")


@dataclass(frozen=True)
class AuditFilters:
    actor_id: int | None = None
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
class EventPage:
    events: list[AuditEvent]
    page: int
    pages: int
    total: int


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


def _case_by_number(value: object) -> int | None:
    """A case number (AC-2026-0142) as the case's id: the log names objects by id."""
    from mdk.cases.models import Case  # cases come after the audit log

    number = clean_text(value, "case_number", max_length=20, required=False)
    if number is None:
        return None
    case_id = db.session.scalar(select(Case.id).where(Case.number == number.upper()))
    if case_id is None:
        raise FieldError("case_number", _l("No case has this number."))
    return case_id


def parse_filters(args: Mapping[str, Any]) -> AuditFilters:
    """Filters from a query string or form; FieldError names the wrong one."""
    object_type = clean_text(args.get("object_type"), "object_type", max_length=40,
                             required=False)
    if object_type and not set(object_type) <= OBJECT_TYPE_CHARS:
        raise FieldError("object_type", _l("Use lower-case letters, e.g. case."))
    object_id = _optional_id(args.get("object_id"), "object_id")
    case_id = _case_by_number(args.get("case_number"))
    if case_id is not None:
        object_type, object_id = "case", case_id
    filters = AuditFilters(
        actor_id=_optional_id(args.get("actor_id"), "actor_id"),
        patient_id=_optional_id(args.get("patient_id"), "patient_id"),
        object_type=object_type,
        object_id=object_id,
        date_from=_optional_day(args.get("date_from"), "date_from"),
        date_to=_optional_day(args.get("date_to"), "date_to"))
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        raise FieldError("date_to", _l("The last day must not be before the first day."))
    return filters


def parse_page(value: object) -> int:
    try:
        return _optional_id(value, "page") or 1
    except FieldError:
        return 1  # a hand-edited page number shows the first page


# --- querying -------------------------------------------------------------------------------

def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _filtered(statement: Select, filters: AuditFilters, zone: ZoneInfo) -> Select:
    conditions = []
    if filters.actor_id is not None:
        conditions.append(AuditEvent.actor_id == filters.actor_id)
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


def find_events(filters: AuditFilters, zone: ZoneInfo, page: int = 1,
                per_page: int = PAGE_SIZE) -> EventPage:
    """One page of matching events, newest first: two statements whatever the page holds."""
    total = db.session.scalar(_filtered(select(func.count(AuditEvent.id)), filters, zone)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    events = list(db.session.scalars(
        _filtered(select(AuditEvent), filters, zone)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(per_page).offset((page - 1) * per_page)))
    return EventPage(events=events, page=page, pages=pages, total=total)


def export_events(actor: Actor, filters: AuditFilters, zone: ZoneInfo) -> list[AuditEvent]:
    """Every matching event, oldest first (up to MAX_EXPORT); writes audit.export."""
    events = list(db.session.scalars(
        _filtered(select(AuditEvent), filters, zone)
        .order_by(AuditEvent.occurred_at, AuditEvent.id).limit(MAX_EXPORT)))
    audit.record(actor, "audit.export", patient_id=filters.patient_id,
                 details={**filters.as_details(), "format": "csv", "events": len(events)})
    db.session.commit()
    return events


def patient_extract(actor: Actor, patient, file_format: str) -> list[AuditEvent]:
    """Who accessed the patient's data, oldest first; writes audit.export for the patient."""
    events = list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.patient_id == patient.id)
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


def draw_sample(date_from: date, date_to: date, size: int, seed: int,
                zone: ZoneInfo) -> Sample:
    """`size` events of the period drawn with `seed`: the same seed draws the same events."""
    period = AuditFilters(date_from=date_from, date_to=date_to)
    ids = list(db.session.scalars(_filtered(select(AuditEvent.id), period, zone)
                                  .order_by(AuditEvent.id)))
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


def record_verdict(actor: Actor, event_id: object, outcome: object, comment: object,
                   seed: int | None = None) -> AuditReview:
    """The reviewer's verdict on one sampled event; follow-up needs a comment saying why."""
    event_id = _optional_id(event_id, "event_id")
    if event_id is None or db.session.get(AuditEvent, event_id) is None:
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
