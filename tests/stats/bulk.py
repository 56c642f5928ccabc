"""Many cases with a history the statistics count, inserted in bulk (executemany): for the
statement-count test and the benchmark (tests/bench/bench_stats.py).

A year of weekly held meetings of the area hosted in turn by its NHV units, with attendance;
`cases` cases referred before them, discussed, most reported and closed with a treatment
start, some deferred or listed not discussed, with secondary reviews. One fictitious
patient holds them all (one identity, many cases): the statistics never read patients.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from itertools import islice

from sqlalchemy import insert, select

from mdk.care_areas.service import care_area
from mdk.cases.models import Case, CaseTransition
from mdk.conference_day.models import Attendance
from mdk.conferences.models import Conference
from mdk.extensions import db
from mdk.material.models import MaterialItem
from mdk.patients.models import Patient
from mdk.patients.service import fictitious_identity_numbers
from mdk.people.models import Person
from mdk.reviews.models import ReviewTask
from mdk.treatment.models import TreatmentOutcome
from mdk.units.models import Unit

BATCH = 2000
FIRST_MEETING = datetime(2025, 1, 8, 7, 0, tzinfo=UTC)  # a Wednesday, 08:00 in Stockholm
MEETINGS = 52
QUORUM_PEOPLE = 6


def _insert(table, rows: list[dict]) -> None:
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH)):
        db.session.execute(insert(table), batch)


def _ids(column, where) -> list[int]:
    return list(db.session.scalars(select(column).where(where).order_by(column)))


def add_history(area_key: str, cases: int, seed: int = 15, prefix: str = "BULK") -> None:
    """`cases` discussed cases over a year of meetings of `area_key`; commits."""
    rng = random.Random(seed)
    area = care_area(area_key)
    hosts = _ids(Unit.id, Unit.hsa_id.in_([unit.hsa_id for unit in area.nhv_units]))
    referring = _ids(Unit.id, Unit.id.not_in(hosts))[:8] or hosts
    people = _ids(Person.id, Person.unit_id.in_(hosts))[:QUORUM_PEOPLE]
    units_of = dict(db.session.execute(select(Person.id, Person.unit_id)
                                       .where(Person.id.in_(people))).all())
    number = fictitious_identity_numbers(1, seed=seed + 7000)[0]
    patient_id = db.session.scalar(select(Patient.id).where(Patient.identity_value == number))
    if patient_id is None:
        patient_id = db.session.execute(insert(Patient).values(
            identity_kind="personnummer", identity_value=number, given_name="Testpatient",
            family_name="Statistikmassa", fictitious=True)
            .returning(Patient.id)).scalar_one()
    meetings = _meetings(area_key, hosts, prefix)
    _attendance(meetings, area.quorum, people, units_of)
    case_rows = []
    for index in range(cases):
        meeting_id, starts, host = meetings[index % len(meetings)]
        submitted = starts - timedelta(days=rng.randint(3, 40), hours=rng.randint(0, 23))
        state = rng.choices(("closed", "reported", "discussed"), (80, 10, 10))[0]
        case_rows.append({
            "number": f"{prefix}-{index + 1:06d}", "care_area": area_key,
            "patient_id": patient_id, "referring_unit_id": referring[index % len(referring)],
            "question": "Genererat ärende (fiktiv patient).", "case_type": "primary",
            "priority": "normal", "consent_recorded": True, "answers": {}, "state": state,
            "conference_id": meeting_id, "submitted_at": submitted,
            "created_at": submitted, "updated_at": starts})
    _insert(Case.__table__, case_rows)
    ids = dict(db.session.execute(select(Case.number, Case.id).where(
        Case.number.like(f"{prefix}-%"))).all())
    _histories(rng, case_rows, ids, meetings, people, prefix)
    db.session.commit()


def _meetings(area_key: str, hosts: list[int], prefix: str) -> list[tuple[int, datetime, int]]:
    rows = [{"care_area": area_key, "series_key": prefix.lower(),
             "planned_day": (FIRST_MEETING + timedelta(weeks=week)).date(),
             "starts_at": FIRST_MEETING + timedelta(weeks=week),
             "ends_at": FIRST_MEETING + timedelta(weeks=week, minutes=90),
             "host_unit_id": hosts[week % len(hosts)], "capacity": 1000, "status": "held"}
            for week in range(MEETINGS)]
    _insert(Conference.__table__, rows)
    return [tuple(row) for row in db.session.execute(
        select(Conference.id, Conference.starts_at, Conference.host_unit_id)
        .where(Conference.series_key == prefix.lower()).order_by(Conference.starts_at))]


def _attendance(meetings, quorum, people, units_of) -> None:
    rows = []
    for week, (meeting_id, starts, host) in enumerate(meetings):
        # Every fifth meeting lacks its last quorum competence.
        present = quorum if week % 5 else quorum[:-1]
        for person, competence in zip(people, present, strict=False):
            rows.append({"conference_id": meeting_id, "person_id": person,
                         "competence": competence, "unit_id": units_of[person],
                         "remote": units_of[person] != host, "present": True,
                         "source": "day", "noted_at": starts})
    _insert(Attendance.__table__, rows)


def _histories(rng, case_rows, ids, meetings, people, prefix: str) -> None:
    starts_of = {meeting_id: (starts, host) for meeting_id, starts, host in meetings}
    transitions, outcomes, items = [], [], []
    actor = people[0] if people else None
    for row in case_rows:
        case_id, (starts, host) = ids[row["number"]], starts_of[row["conference_id"]]
        if rng.random() < 0.1:
            transitions.append(_transition(case_id, rng.choice(("defer", "not_discussed")),
                                           starts - timedelta(days=7), actor,
                                           rng.choice(("Material saknas", "Tiden räckte inte"))))
        if row["state"] in ("reported", "closed"):
            transitions.append(_transition(case_id, "report",
                                           starts + timedelta(days=rng.randint(0, 6)), actor))
        if row["state"] == "closed":
            started = rng.random() < 0.9
            outcomes.append({
                "case_id": case_id, "conference_id": row["conference_id"],
                "outcome": "started" if started else "not_treated",
                "started_on": (starts + timedelta(days=rng.randint(3, 30))).date()
                if started else None,
                "adherence": "followed" if rng.random() < 0.85 else "deviated",
                "deviation_reason": None, "created_at": starts, "recorded_at": starts})
        items.append({"case_id": case_id, "kind": "mri", "required": True,
                      "review_by": "radiologist", "created_at": starts, "updated_at": starts})
    for outcome in outcomes:
        if outcome["adherence"] != "deviated":
            continue
        outcome["deviation_reason"] = "patient_declined"
    _insert(CaseTransition.__table__, transitions)
    _insert(TreatmentOutcome.__table__, outcomes)
    _insert(MaterialItem.__table__, items)
    item_ids = dict(db.session.execute(
        select(MaterialItem.case_id, MaterialItem.id)
        .join(Case, MaterialItem.case_id == Case.id)
        .where(Case.number.like(f"{prefix}-%"))).all())
    tasks = []
    for row in case_rows:
        case_id, (starts, host) = ids[row["number"]], starts_of[row["conference_id"]]
        tasks.append({"case_id": case_id, "item_id": item_ids[case_id],
                      "conference_id": row["conference_id"], "competence": "radiologist",
                      "host_unit_id": host, "state": "done", "due_at": starts,
                      "discrepancy": rng.choices(("concordant", "minor", "major"),
                                                 (80, 15, 5))[0],
                      "created_at": starts, "updated_at": starts})
    _insert(ReviewTask.__table__, tasks)


def _transition(case_id, action, at, actor, reason=None) -> dict:
    return {"case_id": case_id, "action": action, "from_state": "accepted",
            "to_state": "reported" if action == "report" else "deferred", "reason": reason,
            "actor_id": actor, "actor_name": "Generated", "occurred_at": at}
