"""Which log events a reviewer sees: the events of their care areas (DESIGN.md §5).

PDL makes systematic log review each care provider's duty; in this service the coordinators
review the log of their own care areas, never another area's. The areas are the policy's
`audit.review` scope (coordinators: the areas of their coordinator grants; admins keep
registers and have no part in the log). An event belongs to a care area like this:

- an event about a case: the case's care area, once the referral is submitted (a draft is
  not yet disclosed to the NHV units, so its events are not theirs to review);
- an event about a meeting: the meeting's care area;
- any other event about a patient (a read, a change, a log extract): the areas in which the
  patient has submitted cases, and every area for a patient without a case yet, i.e. the
  patients the reviewer may see (the rule of `cases.service.patient_scope_clause`, written
  over the cases table alone: the patients table is not scanned for every log page);
- any other event (logins, unit unavailability, calendar closures, verdicts on samples): the
  area the actor acted in (the event's role snapshot); without one, the areas the actor
  holds a role in and those their unit (snapshot) is an NHV unit of, like a person's areas in
  the policy. The system's own events (failed logins, purges) and those of people with no
  role anywhere (they can only log in) are every reviewer's.

Everything is one WHERE clause with uncorrelated subqueries, so a log page stays one
statement and the keyset scan over (occurred_at, id) stays an index scan.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, false, or_, select

from mdk.access import policy
from mdk.audit.models import AuditEvent
from mdk.care_areas.service import care_areas
from mdk.cases.models import Case
from mdk.conferences.models import Conference
from mdk.extensions import db
from mdk.people.models import Person, RoleGrant

REVIEW_ACTION = "audit.review"
# Object types whose events belong to the object's own care area.
AREA_OBJECTS = ("case", "conference")


def review_areas(principal: policy.Principal) -> policy.Scope:
    return policy.scope_of(principal, REVIEW_ACTION)


def people_of_areas(areas: frozenset[str]) -> Select:
    """The ids of the people holding any role in these care areas."""
    return select(RoleGrant.person_id).where(RoleGrant.care_area.in_(sorted(areas)))


def nhv_hsa_ids(areas: frozenset[str]) -> list[str]:
    """The HSA-ids of the areas' NHV units (from the care-area files)."""
    configured = care_areas()
    return sorted({unit.hsa_id for key in areas if key in configured
                   for unit in configured[key].nhv_units})


def disclosed_cases_of_areas(areas: frozenset[str], column=Case.id) -> Select:
    """`column` (the case id, or its patient's) of the areas' submitted cases."""
    return select(column).where(Case.care_area.in_(sorted(areas)),
                                Case.submitted_at.is_not(None))


def event_scope_clause(principal: policy.Principal) -> ColumnElement[bool] | None:
    """The events the principal may review, as a WHERE clause (None: every event)."""
    scope = review_areas(principal)
    if scope.everything:
        return None
    if not scope.areas:
        return false()
    areas = sorted(scope.areas)
    other_object = or_(AuditEvent.object_type.is_(None),
                       AuditEvent.object_type.not_in(AREA_OBJECTS))
    about_visible_patient = or_(
        AuditEvent.patient_id.in_(disclosed_cases_of_areas(scope.areas, Case.patient_id)),
        AuditEvent.patient_id.not_in(select(Case.patient_id)))
    acted_in_areas = or_(
        AuditEvent.care_area.in_(areas),
        and_(AuditEvent.care_area.is_(None),
             or_(AuditEvent.actor_id.is_(None),
                 AuditEvent.actor_id.in_(people_of_areas(scope.areas)),
                 AuditEvent.unit_hsa_id.in_(nhv_hsa_ids(scope.areas)),
                 AuditEvent.actor_id.not_in(select(RoleGrant.person_id)))))
    return or_(
        and_(AuditEvent.object_type == "case",
             AuditEvent.object_id.in_(disclosed_cases_of_areas(scope.areas))),
        and_(AuditEvent.object_type == "conference",
             AuditEvent.object_id.in_(select(Conference.id)
                                      .where(Conference.care_area.in_(areas)))),
        and_(other_object, AuditEvent.patient_id.is_not(None), about_visible_patient),
        and_(other_object, AuditEvent.patient_id.is_(None), acted_in_areas))


def scoped(statement: Select, principal: policy.Principal) -> Select:
    clause = event_scope_clause(principal)
    return statement if clause is None else statement.where(clause)


def reviewable_people(principal: policy.Principal) -> list[Person]:
    """The people the user filter offers: those with a role in the reviewer's areas."""
    scope = review_areas(principal)
    statement = select(Person).order_by(Person.name, Person.id)
    if not scope.everything:
        statement = statement.where(Person.id.in_(people_of_areas(scope.areas)))
    return list(db.session.scalars(statement))
