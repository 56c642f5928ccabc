"""`mdk demo scale --cases N`: the demo plus N generated cases, for measuring the lists as data
grows (tests/bench). Fictitious patients only: valid generated personnummer from the demo's
own sequence (the demo's twelve come first), every one marked fictitious, named Testpatient
Tretton, ..., Testpatient 21, ...; one case each, with its transitions, and `events_per_case`
audit events per case spread over the past two years.

Bulk inserts (executemany), not the case service: 10,000 cases through the service would
take most of an hour. The rows are what the service would have written: a case number from
the area's counter, the register/submit/triage transitions, the events they log.

Idempotent: a generated patient who is already there is not added again, nor is their case,
so running it again with the same N adds nothing.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

from sqlalchemy import insert, select, text, update

from mdk.audit.models import AuditEvent
from mdk.audit.service import Actor
from mdk.care_areas.domain import CareArea
from mdk.care_areas.service import care_areas
from mdk.cases.models import Case, CaseNumberCounter, CaseTransition
from mdk.cases.service import open_conferences
from mdk.db import utcnow
from mdk.demo.cases import _User, _user
from mdk.demo.service import DEMO_PATIENTS, load_demo
from mdk.extensions import db
from mdk.i18n import to_local
from mdk.patients.models import Patient
from mdk.patients.service import (
    FICTITIOUS_GIVEN_NAME,
    fictitious_family_name,
    fictitious_identity_numbers,
)

SEED = 20260909
BATCH = 2000  # rows per executemany
HISTORY_DAYS = 730
# Where a generated case ends up, with weights; accepted ones only while meetings have room.
OUTCOMES = (("submitted", 30), ("accepted", 25), ("returned", 10), ("declined", 15),
            ("withdrawn", 10), ("draft", 10))
READ_ACTIONS = ("patient.read", "case.read", "case.read", "patient.read", "case.list")


@dataclass(frozen=True)
class AreaActors:
    area: CareArea
    referrer: _User
    coordinator: _User
    referring_unit_id: int


@dataclass
class ScaleResult:
    patients: int = 0
    cases: int = 0
    transitions: int = 0
    events: int = 0


def build_scale(cases: int, events_per_case: int = 20) -> ScaleResult:
    """The demo (loaded if missing) plus `cases` generated cases on as many new fictitious
    patients, their transitions and audit events."""
    load_demo()
    rng = random.Random(SEED)
    actors = [_area_actors(area) for area in care_areas().values()]
    actors = [entry for entry in actors if entry is not None]
    if not actors:
        raise RuntimeError("the demo has no referrer and coordinator to act as")
    numbers = fictitious_identity_numbers(DEMO_PATIENTS + cases)[DEMO_PATIENTS:]
    result = ScaleResult()
    patient_ids = _insert_patients(numbers, rng, result)
    new_cases = _insert_cases(patient_ids, actors, rng, result)
    _insert_history(new_cases, actors, events_per_case, rng, result)
    db.session.commit()
    _refresh_statistics()
    return result


def _refresh_statistics() -> None:
    """PostgreSQL plans by its table statistics: after a bulk load they are stale until
    autovacuum comes by, and the lists would be measured with plans made for empty tables."""
    if db.engine.dialect.name == "postgresql":
        for table in (Patient.__table__, Case.__table__, CaseTransition.__table__,
                      AuditEvent.__table__):
            db.session.execute(text(f"ANALYZE {table.name}"))
        db.session.commit()


def _area_actors(area: CareArea) -> AreaActors | None:
    referrer = _user("referrer", area.key)
    coordinator = _user("coordinator", area.key, area.nhv_units[0].hsa_id)
    if referrer is None or coordinator is None:
        return None
    unit = min(referrer.principal.units("referrer", area.key))
    return AreaActors(area, referrer, coordinator, unit)


def _batches(rows: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH)):
        yield batch


def _insert_many(table, rows: Iterable[dict[str, Any]]) -> int:
    count = 0
    for batch in _batches(rows):
        db.session.execute(insert(table), batch)
        count += len(batch)
    return count


def _past(rng: random.Random, now: datetime) -> datetime:
    return now - timedelta(seconds=rng.randint(3600, HISTORY_DAYS * 86400))


# --- patients ------------------------------------------------------------------------------

def _insert_patients(numbers: list[str], rng: random.Random,
                     result: ScaleResult) -> dict[str, int]:
    """The generated patients not yet registered; returns {number: id} of those without a
    case (the ones to give one)."""
    known = set(db.session.scalars(select(Patient.identity_value).where(
        Patient.identity_kind == "personnummer", Patient.identity_value.in_(numbers))))
    now = utcnow()
    rows = [{"identity_kind": "personnummer", "identity_value": number,
             "given_name": FICTITIOUS_GIVEN_NAME,
             "family_name": fictitious_family_name(DEMO_PATIENTS + index + 1),
             "protected_identity": rng.random() < 0.01, "fictitious": True,
             "created_at": now, "updated_at": now}
            for index, number in enumerate(numbers) if number not in known]
    result.patients = _insert_many(Patient.__table__, rows)
    with_case = select(Case.patient_id)
    return dict(db.session.execute(
        select(Patient.identity_value, Patient.id).where(
            Patient.identity_kind == "personnummer", Patient.identity_value.in_(numbers),
            Patient.fictitious.is_(True), Patient.id.not_in(with_case))).all())


# --- cases ---------------------------------------------------------------------------------

def _insert_cases(patient_ids: dict[str, int], actors: list[AreaActors], rng: random.Random,
                  result: ScaleResult) -> list[dict[str, Any]]:
    now = utcnow()
    room = {entry.area.key: _free_places(entry.area.key) for entry in actors}
    plans: list[dict[str, Any]] = []
    for index, patient_id in enumerate(sorted(patient_ids.values())):
        entry = actors[index % len(actors)]
        plans.append(_case_row(entry, patient_id, _outcome(rng, room[entry.area.key]),
                               _past(rng, now), rng))
    for entry in actors:
        mine = [row for row in plans if row["care_area"] == entry.area.key]
        for row, number in zip(mine, _case_numbers(entry.area, len(mine)), strict=True):
            row["number"] = number
    result.cases = _insert_many(Case.__table__, plans)
    ids = dict(db.session.execute(select(Case.number, Case.id).where(
        Case.number.in_([row["number"] for row in plans]))).all()) if plans else {}
    return [{**row, "id": ids[row["number"]]} for row in plans]


def _free_places(area_key: str) -> list[tuple[int, int]]:
    """(conference id, host unit id) once per free place on the area's coming meetings."""
    from mdk.cases.service import agenda_size

    places = []
    for meeting in open_conferences(area_key, limit=60):
        free = meeting.capacity - agenda_size(meeting.id)
        places.extend([(meeting.id, meeting.host_unit_id)] * max(0, free))
    return places


def _outcome(rng: random.Random, room: list[tuple[int, int]]) -> tuple[str, tuple | None]:
    state = rng.choices([name for name, _ in OUTCOMES], [weight for _, weight in OUTCOMES])[0]
    if state == "accepted":
        if not room:
            return "submitted", None
        return state, room.pop()
    return state, None


def _case_row(entry: AreaActors, patient_id: int, outcome: tuple[str, tuple | None],
              created: datetime, rng: random.Random) -> dict[str, Any]:
    state, place = outcome
    triaged = state in ("accepted", "returned", "declined")
    return {
        "care_area": entry.area.key, "patient_id": patient_id,
        "referring_unit_id": entry.referring_unit_id,
        "contact_person_id": entry.referrer.actor.person_id,
        "created_by": entry.referrer.actor.person_id,
        "question": "Genererat ärende för mätning av listorna (fiktiv patient).",
        "case_type": rng.choice(("primary", "primary", "recurrence", "second_opinion")),
        "priority": "urgent" if rng.random() < 0.15 else "normal",
        "consent_recorded": True, "answers": {}, "state": state,
        "state_reason": "Genererat skäl." if state in ("returned", "declined", "withdrawn")
        else None,
        "conference_id": place[0] if place else None,
        "treating_unit_id": place[1] if place else None,
        "handling_unit_id": entry.coordinator.actor.unit_id if triaged else None,
        "submitted_at": None if state == "draft" else created + timedelta(minutes=5),
        "created_at": created,
        "updated_at": created + timedelta(days=rng.randint(0, 20), minutes=10),
    }


def _case_numbers(area: CareArea, count: int) -> list[str]:
    """`count` numbers from the area's counter for this year, moved once for all of them."""
    if count == 0:
        return []
    year = to_local(utcnow()).year
    counter = db.session.scalar(select(CaseNumberCounter).where(
        CaseNumberCounter.care_area == area.key, CaseNumberCounter.year == year))
    if counter is None:
        counter = CaseNumberCounter(care_area=area.key, year=year, last_value=0)
        db.session.add(counter)
        db.session.flush()
    first = counter.last_value + 1
    db.session.execute(update(CaseNumberCounter).where(CaseNumberCounter.id == counter.id)
                       .values(last_value=CaseNumberCounter.last_value + count),
                       execution_options={"synchronize_session": False})
    prefix = area.case_prefix or area.key.upper()
    return [f"{prefix}-{year}-{value:04d}" for value in range(first, first + count)]


# --- transitions and audit events ----------------------------------------------------------

# The moves to each generated state, and who makes the last one.
PATHS = {
    "draft": (("register", None, "draft"),),
    "submitted": (("register", None, "draft"), ("submit", "draft", "submitted")),
    "accepted": (("register", None, "draft"), ("submit", "draft", "submitted"),
                 ("accept", "submitted", "accepted")),
    "returned": (("register", None, "draft"), ("submit", "draft", "submitted"),
                 ("return", "submitted", "returned")),
    "declined": (("register", None, "draft"), ("submit", "draft", "submitted"),
                 ("decline", "submitted", "declined")),
    "withdrawn": (("register", None, "draft"), ("submit", "draft", "submitted"),
                  ("withdraw", "submitted", "withdrawn")),
}
TRIAGE_ACTIONS = ("accept", "return", "decline")


def _insert_history(new_cases: list[dict[str, Any]], actors: list[AreaActors],
                    events_per_case: int, rng: random.Random, result: ScaleResult) -> None:
    by_area = {entry.area.key: entry for entry in actors}
    transitions: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    now = utcnow()
    for position, case in enumerate(new_cases, start=1):
        entry = by_area[case["care_area"]]
        when = case["created_at"]
        events.append(_event(entry.referrer.actor, "patient.create", "patient",
                             case["patient_id"], case["patient_id"], when))
        for step, (action, source, target) in enumerate(PATHS[case["state"]]):
            who = entry.coordinator if action in TRIAGE_ACTIONS else entry.referrer
            at = when + timedelta(minutes=5 * step)
            transitions.append({
                "case_id": case["id"], "action": action, "from_state": source,
                "to_state": target, "conference_id": case["conference_id"]
                if action == "accept" else None,
                "reason": case["state_reason"] if action in ("return", "decline", "withdraw")
                else None,
                "actor_id": who.actor.person_id, "actor_name": who.actor.name,
                "occurred_at": at})
            events.append(_event(who.actor, "case.create" if action == "register"
                                 else f"case.{action}", "case", case["id"],
                                 case["patient_id"], at))
        while len(events) < position * events_per_case:  # reads fill up the case's share
            reader = rng.choice((entry.coordinator, entry.referrer))
            action = rng.choice(READ_ACTIONS)
            obj = ("patient", case["patient_id"]) if action == "patient.read" \
                else ("case", case["id"])
            events.append(_event(reader.actor, action, obj[0], obj[1], case["patient_id"],
                                 when + (now - when) * rng.random()))
    result.transitions = _insert_many(CaseTransition.__table__, transitions)
    result.events = _insert_many(AuditEvent.__table__, events)


def _event(actor: Actor, action: str, object_type: str, object_id: int, patient_id: int,
           occurred_at: datetime) -> dict[str, Any]:
    actor = replace(actor, client_address="192.0.2.1")  # documentation range (RFC 5737)
    return {"occurred_at": occurred_at, "actor_id": actor.person_id,
            "actor_name": actor.name, "unit_id": actor.unit_id,
            "unit_hsa_id": actor.unit_hsa_id, "unit_name": actor.unit_name,
            "care_provider_name": actor.care_provider_name,
            "care_provider_org_number": actor.care_provider_org_number,
            "role": actor.role, "care_area": actor.care_area, "action": action,
            "object_type": object_type, "object_id": object_id, "patient_id": patient_id,
            "client_address": actor.client_address, "details": None}
