"""The access policy: the one module that decides who may do what to which object.

Everything is data: `ACTIONS` says, per action, which roles may do it and in which scope
(any object, objects of the role's own unit, objects of the role's own care areas). A role
grant is scoped to a care area and a unit, so a coordinator of anal cancer at one unit is
not a coordinator of CRS/HIPEC. `can()` answers yes or no; `require()` raises NotFound (404)
for objects the principal may not even see, so ids cannot be probed, and Forbidden (403)
only for an action on an object they may see but not change.

No Flask request here: the principal is built from a person, and the request-bound parts
(the before-request hook, the view helper, the Jinja globals) live in enforcement.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from werkzeug.exceptions import Forbidden, NotFound

from mdk.care_areas.domain import CareArea
from mdk.care_areas.service import care_areas
from mdk.cases.models import Case
from mdk.conferences.models import Conference
from mdk.patients.models import Patient
from mdk.people.models import ROLES, Absence, Person, RoleGrant
from mdk.units.models import CareProvider, Unit

T = TypeVar("T")

# Scopes: which objects a role's permission covers.
ANY = "any"
OWN_UNIT = "own_unit"  # the unit of the role grant
OWN_AREAS = "own_areas"  # the care areas of the role's grants

SCOPE_TEXT = {ANY: "any", OWN_UNIT: "own unit", OWN_AREAS: "own care areas"}

# Roles that take part in care (identity rules); an administrator keeps registers only.
CARE_ROLES = frozenset({"coordinator", "member", "reviewer", "referrer"})
STAFF_ROLES = {"admin": ANY, "coordinator": ANY, "member": ANY, "reviewer": ANY}

# action -> {role: scope}. The access matrix (docs/access-matrix.md) is generated from this
# and the route table in mdk.access.matrix.
ACTIONS: dict[str, dict[str, str]] = {
    "start.view": {role: ANY for role in ROLES},
    "care_area.view": {role: ANY for role in ROLES},
    # Units and providers are shared registers: any admin grant manages them.
    "unit.view": {**STAFF_ROLES, "referrer": OWN_UNIT},
    "unit.create": {"admin": ANY},
    "unit.edit": {"admin": ANY},
    "provider.view": {"admin": ANY, "coordinator": ANY},
    "provider.create": {"admin": ANY},
    "provider.edit": {"admin": ANY},
    # People: names and competences, no patient data. A coordinator handles the people of
    # their care areas (staff of its NHV units and anyone holding a role in it).
    "person.view": {"admin": ANY, "coordinator": OWN_AREAS, "member": OWN_AREAS,
                    "reviewer": OWN_AREAS},
    "person.create": {"admin": ANY, "coordinator": OWN_AREAS},
    "person.edit": {"admin": ANY, "coordinator": OWN_AREAS},
    "person.roles": {"admin": ANY},
    # A role grant (or a care area to grant one in): only an admin of that care area.
    "role.manage": {"admin": OWN_AREAS},
    "register.view": dict(STAFF_ROLES),
    # Patients: the coordinators of the care areas the patient has cases in (any area's
    # coordinators for a patient registered before a case). Others meet a patient through a
    # case only, and whether they see the identity is the identity rule's decision below.
    "patient.view": {"coordinator": OWN_AREAS},
    "patient.create": {"coordinator": ANY},
    # Cases: the referring unit's referrers see and refer their own unit's cases; everyone
    # with a care role in the area sees its cases (the clinical content, by case number);
    # the area's coordinators triage them onto meetings.
    "case.view": {"coordinator": OWN_AREAS, "member": OWN_AREAS, "reviewer": OWN_AREAS,
                  "referrer": OWN_UNIT},
    "case.create": {"coordinator": OWN_AREAS, "referrer": OWN_UNIT},
    "case.edit": {"coordinator": OWN_AREAS, "referrer": OWN_UNIT},
    "case.triage": {"coordinator": OWN_AREAS},
    # A remiss that reached the MDK by the journal system, letter or fax: the area's
    # coordinators register it for the referring unit (mdk.cases.on_behalf).
    "case.register_on_behalf": {"coordinator": OWN_AREAS},
    # Mina ärenden: the referrer follows their own units' cases (the coordinators have the
    # inbox, case.triage).
    "case.follow": {"referrer": OWN_UNIT},
    # Material (on the case): whoever may change the referral adds and changes its items
    # while the case is open; everyone who sees the case reads them and downloads its files.
    "material.edit": {"coordinator": OWN_AREAS, "referrer": OWN_UNIT},
    # Secondary review: the host unit's reviewers do the tasks (the service checks the unit);
    # the area's coordinators assign and reassign them.
    "review.work": {"reviewer": OWN_AREAS},
    "review.assign": {"coordinator": OWN_AREAS},
    # Writing a review: a task's statement (the host unit's reviewers with the competence;
    # the area's coordinators correct a finished one) and the combined statement of a case.
    # The service decides which task and case (mdk.reviews.service.may_write).
    "review.write": {"coordinator": OWN_AREAS, "reviewer": OWN_AREAS},
    # The access log of patient data: each care area's coordinators review its events
    # (HSLF-FS 2016:40); which event belongs to which area is decided in mdk.audit.scope.
    "audit.review": {"coordinator": OWN_AREAS},
    # The meeting calendar and hosting rotation: everyone reads their care areas' calendars;
    # the area's coordinators (and admins) plan them.
    "conference.view": {role: OWN_AREAS for role in ROLES},
    "conference.edit": {"coordinator": OWN_AREAS, "admin": OWN_AREAS},
    # A meeting's agenda (its cases, in order, with their slot times): read by the area's
    # care staff; ordered, moved and emptied by its coordinators, who alone unlock it after
    # the cut-off (mdk.agenda).
    "agenda.view": {"coordinator": OWN_AREAS, "member": OWN_AREAS, "reviewer": OWN_AREAS},
    "agenda.edit": {"coordinator": OWN_AREAS},
    "agenda.unlock": {"coordinator": OWN_AREAS},
    # A meeting's case list (mdk.case_lists): its cases in agenda order by case number, with
    # the question, review and material state; for the area's care staff taking part (the
    # day-before mail links to it).
    "case_list.view": {"coordinator": OWN_AREAS, "member": OWN_AREAS, "reviewer": OWN_AREAS},
    # A case's protocol (mdk.protocols): drafted by the area's coordinators; signed by the
    # meeting's chair and corrected by addenda from the coordinators and the chair; read by
    # the area's MDT once signed (the referring unit gets the report instead). The care
    # staff roles pass here; the service decides who is the chair and what is signed.
    "protocol.view": {"coordinator": OWN_AREAS, "member": OWN_AREAS, "reviewer": OWN_AREAS},
    "protocol.draft": {"coordinator": OWN_AREAS},
    "protocol.sign": {"coordinator": OWN_AREAS, "member": OWN_AREAS, "reviewer": OWN_AREAS},
    "protocol.addendum": {"coordinator": OWN_AREAS, "member": OWN_AREAS,
                          "reviewer": OWN_AREAS},
    # A case's care plan (mdk.care_plans): drafted, established and revised by the area's
    # coordinators and the meeting's chair (the service tells who is the chair, through
    # care_plan.coordinate for the coordinators); established revisions read by the area's
    # MDT (the referring unit gets the report instead).
    "care_plan.view": {"coordinator": OWN_AREAS, "member": OWN_AREAS, "reviewer": OWN_AREAS},
    "care_plan.edit": {"coordinator": OWN_AREAS, "member": OWN_AREAS, "reviewer": OWN_AREAS},
    "care_plan.coordinate": {"coordinator": OWN_AREAS},
    # The report to the referring unit (mdk.reports): read by the referring unit's referrers
    # and the area's care staff; acknowledged (and its opening recorded) by the referring
    # unit's referrers only.
    "report.view": {"coordinator": OWN_AREAS, "member": OWN_AREAS, "reviewer": OWN_AREAS,
                    "referrer": OWN_UNIT},
    "report.acknowledge": {"referrer": OWN_UNIT},
    # Treatment start and adherence (mdk.treatment): read by the report's readers; recorded
    # and corrected by the referring unit's referrers, the area's coordinators and the
    # treating unit's staff (the care staff roles pass here; the service checks the treating
    # unit). The list of cases waiting for it: each reader's own share (the service's
    # query: the area's for coordinators, their unit's treated or referred cases for others).
    "treatment.view": {"coordinator": OWN_AREAS, "member": OWN_AREAS, "reviewer": OWN_AREAS,
                       "referrer": OWN_UNIT},
    "treatment.record": {"coordinator": OWN_AREAS, "member": OWN_AREAS,
                         "reviewer": OWN_AREAS, "referrer": OWN_UNIT},
    "treatment.waiting": {"coordinator": OWN_AREAS, "member": OWN_AREAS,
                          "reviewer": OWN_AREAS, "referrer": OWN_UNIT},
    # Exports (mdk.exports): the quality-register export is identified (personnummer and
    # name), so only the area's registrars make it; the research extract is pseudonymised
    # and needs an ethics approval, made by the area's coordinators and registrars; both see
    # the list of their areas' past exports (who, when, why: no patient data).
    "export.view": {"coordinator": OWN_AREAS, "registrar": OWN_AREAS},
    "export.register": {"registrar": OWN_AREAS},
    "export.research": {"coordinator": OWN_AREAS, "registrar": OWN_AREAS},
    # Statistics per care area and period (mdk.stats): the area's care staff; every
    # figure (no small number hidden) only for its coordinators. Referrers see none: their
    # own unit's figures would mostly be the small numbers the rule hides.
    "stats.view": {"coordinator": OWN_AREAS, "member": OWN_AREAS, "reviewer": OWN_AREAS},
    "stats.detail": {"coordinator": OWN_AREAS},
    # PROM follow-up (mdk.proms): read by the treatment's readers (the referring unit's
    # referrers too); recorded by the treating unit's staff and the area's coordinators
    # (the care staff roles pass here; the service checks the treating unit). The list of
    # PROMs due: the treating unit's staff their unit's, the coordinators their areas'.
    "prom.view": {"coordinator": OWN_AREAS, "member": OWN_AREAS, "reviewer": OWN_AREAS,
                  "referrer": OWN_UNIT},
    "prom.record": {"coordinator": OWN_AREAS, "member": OWN_AREAS, "reviewer": OWN_AREAS},
    "prom.due": {"coordinator": OWN_AREAS, "member": OWN_AREAS, "reviewer": OWN_AREAS},
    # The conference day (mdk.conference_day): the shared screen of a meeting, for the
    # area's coordinators, and for the meeting's chair whatever their role (CHAIR_ACTIONS);
    # the attendance is noted by the area's coordinators.
    "conference_day.view": {"coordinator": OWN_AREAS},
    "conference_day.attendance": {"coordinator": OWN_AREAS},
    # The mail queue: addresses and delivery errors of every area's mail, no content.
    "outbox.manage": {"admin": ANY},
    # API tokens of referring units: listed and revoked by admins (made with the CLI).
    "api_token.manage": {"admin": ANY},
}

# The action that decides whether an object of a kind is visible at all (404 if not).
VIEW_ACTION = {"unit": "unit.view", "person": "person.view", "provider": "provider.view",
               "care_area": "care_area.view", "patient": "patient.view",
               "conference": "conference.view", "case": "case.view"}
VIEW_ACTIONS = frozenset(VIEW_ACTION.values())


@dataclass(frozen=True)
class Principal:
    """Who is asking: a person's active role grants as (role, care area, unit id)."""

    person_id: int | None = None
    grants: frozenset[tuple[str, str, int]] = field(default_factory=frozenset)
    token_id: int | None = None  # an API token's call (mdk.api_tokens): no person

    @property
    def is_authenticated(self) -> bool:
        return self.person_id is not None or self.token_id is not None

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(role for role, _area, _unit in self.grants)

    def areas(self, role: str) -> frozenset[str]:
        return frozenset(area for held, area, _unit in self.grants if held == role)

    def units(self, role: str, area: str | None = None) -> frozenset[int]:
        return frozenset(unit for held, in_area, unit in self.grants
                         if held == role and (area is None or in_area == area))


ANONYMOUS = Principal()


def principal_for(person: Person | None) -> Principal:
    """Built once per request. Grants in a care area no longer configured are not active."""
    if person is None or not getattr(person, "is_authenticated", False) or not person.active:
        return ANONYMOUS
    configured = care_areas()
    grants = frozenset((grant.role, grant.care_area, grant.unit_id)
                       for grant in person.role_grants if grant.care_area in configured)
    return Principal(person_id=person.id, grants=grants)


# --- deciding --------------------------------------------------------------------------------

# Actions on a person that only an admin may take when that person is an admin: otherwise a
# coordinator could deactivate an admin or change the e-mail they log in with.
ADMIN_ONLY_ON_ADMINS = frozenset({"person.edit"})


def can(principal: Principal, action: str, obj: Any = None) -> bool:
    """May `principal` do `action` (to `obj`)? Without an object: to any object at all."""
    for role, scope in ACTIONS[action].items():
        if role not in principal.roles:
            continue
        if obj is None:
            return True
        if _in_scope(principal, role, scope, obj) and not _admin_only(role, action, obj) \
                and not _undisclosed(principal, scope, action, obj):
            return True
    return _chairs(principal, action, obj)


# A referral not yet submitted has not been disclosed to the NHV units (DESIGN.md §5: the
# referral is the disclosure): until then only the referring unit and its writer see it.
CASE_ACTIONS_ON_REFERRALS = frozenset({"case.view", "case.edit", "case.triage",
                                       "protocol.view", "protocol.draft", "protocol.sign",
                                       "protocol.addendum"})


# Actions on a meeting that its chair (Conference.chair_person_id) may take too, whatever
# their role, as long as they see the meeting; the matrix lists the roles of ACTIONS.
CHAIR_ACTIONS = frozenset({"conference_day.view"})


def _chairs(principal: Principal, action: str, obj: Any) -> bool:
    return (action in CHAIR_ACTIONS and isinstance(obj, Conference)
            and principal.person_id is not None and obj.chair_person_id == principal.person_id
            and can(principal, "conference.view", obj))


def _undisclosed(principal: Principal, scope: str, action: str, obj: Any) -> bool:
    return (isinstance(obj, Case) and action in CASE_ACTIONS_ON_REFERRALS
            and not is_disclosed(obj) and scope != OWN_UNIT
            and (obj.created_by is None or obj.created_by != principal.person_id))


def is_disclosed(case: Case) -> bool:
    return case.submitted_at is not None


def _admin_only(role: str, action: str, obj: Any) -> bool:
    return (role != "admin" and action in ADMIN_ONLY_ON_ADMINS and isinstance(obj, Person)
            and any(grant.role == "admin" for grant in obj.role_grants))


def require(principal: Principal, action: str, obj: Any = None) -> None:
    """Raise NotFound for an object the principal may not see, Forbidden for an action they
    may not do (on an object they may see)."""
    if can(principal, action, obj):
        return
    if obj is not None and (action in VIEW_ACTIONS or not can_see(principal, obj)):
        # Refused the viewing itself (e.g. another care area's calendar, while the care
        # area's own page is open to all): not seen, so it is not there either.
        raise NotFound()
    raise Forbidden()


def can_see(principal: Principal, obj: Any) -> bool:
    if isinstance(obj, RoleGrant | Absence):
        return can_see(principal, obj.person)
    return can(principal, VIEW_ACTION[kind_of(obj)], obj)


def visible(principal: Principal, action: str, objects: Iterable[T]) -> list[T]:
    """The objects of a list the principal may `action` (lists show only what may be seen)."""
    return [obj for obj in objects if can(principal, action, obj)]


@dataclass(frozen=True)
class Scope:
    """Which objects an action covers, for a list query: everything, those of these care
    areas, or those of these (care area, unit) pairs. The service turns it into SQL."""

    everything: bool = False
    areas: frozenset[str] = frozenset()
    area_units: frozenset[tuple[str, int]] = frozenset()

    @property
    def empty(self) -> bool:
        return not (self.everything or self.areas or self.area_units)


def scope_of(principal: Principal, action: str) -> Scope:
    everything, areas, area_units = False, set(), set()
    for role, scope in ACTIONS[action].items():
        if role not in principal.roles:
            continue
        if scope == ANY:
            everything = True
        elif scope == OWN_AREAS:
            areas |= principal.areas(role)
        elif scope == OWN_UNIT:
            area_units |= {(area, unit) for held, area, unit in principal.grants
                           if held == role}
    return Scope(everything, frozenset(areas), frozenset(area_units))


def areas_in_scope(principal: Principal, action: str) -> frozenset[str]:
    """The configured care areas in which the principal may `action` some object: those of
    the roles' grants (own areas or own unit), every one for a role with any scope. What an
    area switcher or filter offers: an area outside it would only answer 403/404 or nothing."""
    scope, configured = scope_of(principal, action), frozenset(care_areas())
    if scope.everything:
        return configured
    return (scope.areas | {area for area, _unit in scope.area_units}) & configured


def roles_for(action: str) -> tuple[str, ...]:
    return tuple(role for role in ROLES if role in ACTIONS[action])


def kind_of(obj: Any) -> str:
    for kind, model in (("unit", Unit), ("person", Person), ("provider", CareProvider),
                        ("care_area", CareArea), ("patient", Patient),
                        ("conference", Conference), ("case", Case)):
        if isinstance(obj, model):
            return kind
    raise TypeError(f"the access policy knows no object of type {type(obj).__name__}")


def _in_scope(principal: Principal, role: str, scope: str, obj: Any) -> bool:
    if scope == ANY:
        return True
    if scope == OWN_UNIT:
        # A case belongs to its referring unit within its care area: a referrer of anal
        # cancer at a unit does not refer CRS/HIPEC cases from it.
        area = obj.care_area if isinstance(obj, Case) else None
        return unit_of(obj) in principal.units(role, area)
    if scope == OWN_AREAS:
        return bool(areas_of(obj) & principal.areas(role))
    raise ValueError(f"unknown scope {scope!r}")


def unit_of(obj: Any) -> int | None:
    if isinstance(obj, Unit):
        return obj.id
    if isinstance(obj, Person | RoleGrant):
        return obj.unit_id
    if isinstance(obj, Absence):
        return obj.person.unit_id
    if isinstance(obj, Case):
        return obj.referring_unit_id
    return None


def areas_of(obj: Any) -> frozenset[str]:
    """The care areas an object belongs to: a unit to the areas it is an NHV unit of; a
    person to their unit's areas and the areas they hold a role in."""
    if isinstance(obj, CareArea):
        return frozenset({obj.key})
    if isinstance(obj, Conference | Case):
        return frozenset({obj.care_area})
    if isinstance(obj, Patient):
        # A patient belongs to the areas of their submitted cases; one without any case to
        # every area (registered by a coordinator, about to be referred); one with drafts
        # only to none (not yet disclosed to the NHV units).
        if not obj.cases:
            return frozenset(care_areas())
        return frozenset(case.care_area for case in obj.cases if is_disclosed(case))
    if isinstance(obj, RoleGrant):
        return frozenset({obj.care_area})
    if isinstance(obj, Unit):
        return frozenset(key for key, area in care_areas().items() if area.nhv_unit(obj.hsa_id))
    if isinstance(obj, Person):
        return areas_of(obj.unit) | {grant.care_area for grant in obj.role_grants}
    if isinstance(obj, Absence):
        return areas_of(obj.person)
    return frozenset()


# --- patient identity (DESIGN.md §5) ----------------------------------------------------------

@dataclass(frozen=True)
class CaseContext:
    """The units a patient's case involves. `handling_unit_id` is the unit whose coordinators
    handle the case: the host of its conference unless said otherwise."""

    care_area: str
    referring_unit_id: int | None = None
    host_unit_id: int | None = None
    treating_unit_id: int | None = None
    handling_unit_id: int | None = None

    def unit(self, relation: str) -> int | None:
        if relation == "handling_unit":
            return self.handling_unit_id or self.host_unit_id
        return getattr(self, f"{relation}_id")


@dataclass(frozen=True)
class IdentityRule:
    """Holders of `roles` in the case's care area see the identity; at `relation`'s unit, or
    anywhere in the area when relation is None. `protected`: also a protected identity."""

    roles: frozenset[str]
    relation: str | None
    protected: bool = False


IDENTITY_RULES: tuple[IdentityRule, ...] = (
    IdentityRule(CARE_ROLES, "referring_unit"),
    IdentityRule(CARE_ROLES, "host_unit"),
    IdentityRule(CARE_ROLES, "treating_unit"),
    IdentityRule(frozenset({"coordinator"}), None),
    IdentityRule(frozenset({"coordinator"}), "handling_unit", protected=True),
)


def case_context(case: Case) -> CaseContext:
    return CaseContext(care_area=case.care_area, referring_unit_id=case.referring_unit_id,
                       host_unit_id=case.host_unit_id, treating_unit_id=case.treating_unit_id,
                       handling_unit_id=case.handling_unit_id)


def may_see_case_identity(principal: Principal, case: Case) -> bool:
    return may_see_identity(principal, case.patient, case_context(case))


def may_see_patient_identity(principal: Principal, patient: Patient) -> bool:
    """On the patient's own page: through any of their cases, or the rule without one."""
    if patient.cases:
        return any(may_see_identity(principal, patient, case_context(case))
                   for case in patient.cases)
    return may_see_identity_without_case(principal, patient)


def may_see_identity_without_case(principal: Principal, patient: Any) -> bool:
    """A patient without a case (registered by a coordinator before the referral) is seen
    by the coordinators; a protected identity is for the coordinators handling a case, so
    without one nobody sees it."""
    return "coordinator" in principal.roles and not getattr(patient, "protected_identity", False)


def may_see_identity(principal: Principal, patient: Any, context: CaseContext) -> bool:
    """Personnummer and name: for the referring, host and treating units and the area's
    coordinators; a protected identity only for the coordinators handling the case."""
    protected = bool(getattr(patient, "protected_identity", False))
    return any(_identity_rule_applies(principal, rule, context)
               for rule in IDENTITY_RULES if rule.protected or not protected)


def _identity_rule_applies(principal: Principal, rule: IdentityRule,
                           context: CaseContext) -> bool:
    for role in rule.roles:
        if rule.relation is None:
            if context.care_area in principal.areas(role):
                return True
            continue
        unit = context.unit(rule.relation)
        if unit is not None and unit in principal.units(role, context.care_area):
            return True
    return False


# --- helpers for describing the policy ---------------------------------------------------------

def scope_text(action: str) -> Mapping[str, str]:
    return {role: SCOPE_TEXT[scope] for role, scope in ACTIONS[action].items()}

