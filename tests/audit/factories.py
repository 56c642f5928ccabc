"""Audit events at chosen moments, for the review tests. Call inside an app context."""

from __future__ import annotations

from datetime import UTC, datetime

from mdk.audit import service as audit
from mdk.audit.models import AuditEvent
from mdk.audit.service import Actor, system_actor
from mdk.extensions import db


def make_event(actor: Actor | None = None, action: str = "patient.read", obj=None,
               patient_id: int | None = None,
               at: datetime = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)) -> AuditEvent:
    event = audit.record(actor or system_actor(), action, obj, patient_id=patient_id)
    event.occurred_at = at
    db.session.commit()
    return event
