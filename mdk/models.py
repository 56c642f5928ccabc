"""Imports every feature's models, so Alembic and the tests see the whole schema."""

from mdk.agenda.models import AgendaEvent  # noqa: F401
from mdk.api_tokens.models import ApiToken  # noqa: F401
from mdk.audit.models import AuditEvent, AuditReview  # noqa: F401
from mdk.auth.models import LoginSession, PasswordCredential  # noqa: F401
from mdk.care_plans.models import CarePlan  # noqa: F401
from mdk.cases.models import Case, CaseNumberCounter, CaseTransition  # noqa: F401
from mdk.conference_day.models import Attendance  # noqa: F401
from mdk.conferences.models import CalendarClosure, Conference, UnitUnavailability  # noqa: F401
from mdk.exports.models import Export, ResearchStudy  # noqa: F401
from mdk.feeds.models import FeedToken  # noqa: F401
from mdk.invites.models import InviteSent  # noqa: F401
from mdk.material.models import (  # noqa: F401
    MaterialAvailability,
    MaterialFile,
    MaterialItem,
    ReadinessCheck,
)
from mdk.outbox.models import OutboxMessage  # noqa: F401
from mdk.patients.models import Patient  # noqa: F401
from mdk.people.models import Absence, Person, PersonCompetence, RoleGrant  # noqa: F401
from mdk.proms.models import PromFollowUp, PromSchedule  # noqa: F401
from mdk.protocols.models import Protocol, ProtocolAddendum  # noqa: F401
from mdk.reports.models import Report  # noqa: F401
from mdk.reviews.models import ReviewStatement, ReviewTask  # noqa: F401
from mdk.treatment.models import TreatmentOutcome  # noqa: F401
from mdk.units.models import CareProvider, Unit  # noqa: F401
