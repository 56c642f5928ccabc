"""Cases on a meeting's agenda, quickly: through the case service for a few, as rows for the
hundreds a statement-count test needs (fictitious patients, no mail)."""

from __future__ import annotations

from datetime import timedelta

from mdk.cases.models import Case
from mdk.conferences.models import Conference
from mdk.db import utcnow
from mdk.extensions import db
from mdk.patients.models import Patient
from mdk.patients.service import fictitious_identity_numbers, parse_identity
from tests.cases.factories import AREA, World, accept, refer


def on_agenda(world: World, index: int, *, who: str = "referrer", days_ago: int = 1,
              priority: str = "normal", conference: Conference | None = None) -> Case:
    """A case referred `days_ago` days ago and accepted onto the meeting."""
    case = refer(world, who, number_index=index, priority=priority)
    case.submitted_at = utcnow() - timedelta(days=days_ago)
    db.session.commit()
    return accept(world, case, conference_id=(conference or world.conference).id)


def many_on_agenda(world: World, conference: Conference, count: int, seed: int) -> list[Case]:
    """`count` accepted cases on the meeting, as rows: two referring units, both priorities."""
    made = []
    for index, number in enumerate(fictitious_identity_numbers(count, seed=seed)):
        identity = parse_identity("national", number)
        patient = Patient(identity_kind=identity.kind, identity_value=identity.value,
                          given_name="Testpatient", family_name=f"Agenda{index}",
                          fictitious=True)
        unit = world.referring if index % 2 else world.other_referring
        case = Case(number=f"AC-2099-{seed % 100:02d}{index:03d}", care_area=AREA,
                    patient=patient, referring_unit_id=unit.id, question="Kurativ behandling?",
                    case_type="primary", priority="urgent" if index % 5 == 0 else "normal",
                    consent_recorded=True, answers={}, state="accepted",
                    conference_id=conference.id, handling_unit_id=world.nhv[0].id,
                    submitted_at=utcnow() - timedelta(hours=index + 1))
        db.session.add(case)
        made.append(case)
    db.session.commit()
    return made
