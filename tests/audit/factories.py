"""Audit events at chosen moments, and the cases and coordinators the scope tests need.
Call inside an app context."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from mdk.audit import service as audit
from mdk.audit.models import AuditEvent
from mdk.audit.service import Actor, actor_for, system_actor
from mdk.cases.models import Case
from mdk.db import utcnow
from mdk.extensions import db
from mdk.patients.models import Patient
from mdk.people import service as people
from mdk.people.models import Person
from tests.patients.factories import make_patient
from tests.units.factories import make_person, make_unit

_case_numbers = itertools.count(1)


def make_event(actor: Actor | None = None, action: str = "patient.read", obj=None,
               patient_id: int | None = None,
               at: datetime = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)) -> AuditEvent:
    event = audit.record(actor or system_actor(), action, obj, patient_id=patient_id)
    event.occurred_at = at
    db.session.commit()
    return event


def make_case(area: str, patient: Patient | None = None, *, submitted: bool = True) -> Case:
    """A bare case row of `area` (submitted unless said), for events to be about."""
    case = Case(care_area=area, patient=patient or make_patient(),
                referring_unit_id=make_unit().id, number=f"TEST-{next(_case_numbers):05d}",
                question="Testfråga", case_type="primary",
                state="submitted" if submitted else "draft",
                submitted_at=utcnow() if submitted else None)
    db.session.add(case)
    db.session.commit()
    return case


def make_coordinator(*areas: str, name: str | None = None) -> Person:
    person = make_person(**({"name": name} if name else {}))
    for area in areas:
        people.grant_role(person, "coordinator", area, person.unit_id)
    db.session.commit()
    return person


def acting(person: Person) -> Actor:
    return actor_for(person, client_address="192.0.2.20")
