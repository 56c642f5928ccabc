"""Who sees a patient's identity on a case (DESIGN.md §5), and that the SQL scope of the case
lists agrees with the Python policy, on the service and policy level.

The identity rule: the referring unit, the host unit of the case's meeting, the proposed
treating unit and the area's coordinators see personnummer and name; a protected identity
only the coordinators handling the case.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from mdk.access import policy
from mdk.access.policy import Principal, Scope
from mdk.cases import service
from mdk.cases.models import Case
from mdk.extensions import db
from mdk.patients.models import Patient
from mdk.patients.service import register_patient
from mdk.people import service as people
from tests.cases.factories import AREA, NUMBERS, OTHER_AREA, World, accept, make_world, refer
from tests.units.factories import make_person

EVERYONE_SEES_NOTHING: set[str] = set()
# Who sees an ordinary patient's identity before the case is on a meeting ...
BEFORE_MEETING = {"referrer", "coordinator", "other_coordinator"}
# ... and once it is accepted onto world.conference (host nhv[0]) with nhv[2] to treat.
ONCE_ACCEPTED = BEFORE_MEETING | {"host_member", "treating_member"}


@pytest.fixture()
def world(app_ctx):
    return make_world()


def _seeing(world: World, case: Case) -> set[str]:
    return {who for who in world.people
            if policy.may_see_case_identity(world.principal(who), case)}


def _seeing_patient(world: World, patient: Patient) -> set[str]:
    db.session.refresh(patient)  # its cases, as the patient page loads them
    return {who for who in world.people
            if policy.may_see_patient_identity(world.principal(who), patient)}


def _accept_onto_host_treated_elsewhere(world: World, case: Case) -> Case:
    return accept(world, case, treating_unit_id=world.nhv[2].id)


# --- an ordinary identity through draft, submitted, accepted ------------------------------------

def test_who_sees_the_identity_as_the_case_moves_to_a_meeting(world):
    case = refer(world, submit=False)
    assert case.state == "draft"
    assert _seeing(world, case) == BEFORE_MEETING

    case = service.move_case(world.actor("referrer"), world.principal("referrer"), case,
                             "submit", {})
    assert case.state == "submitted"
    assert _seeing(world, case) == BEFORE_MEETING

    case = _accept_onto_host_treated_elsewhere(world, case)
    assert case.state == "accepted"
    assert (case.host_unit_id, case.treating_unit_id) == (world.nhv[0].id, world.nhv[2].id)
    assert _seeing(world, case) == ONCE_ACCEPTED


@pytest.mark.parametrize("who, sees", [
    ("referrer", True),  # the referring unit
    ("other_referrer", False),  # another referring unit
    ("coordinator", True),  # the area's coordinators, at any of its units
    ("other_coordinator", True),
    ("crs_coordinator", False),  # a coordinator of another care area, even at the host unit
    ("host_member", True),  # the host unit of the meeting
    ("treating_member", True),  # the proposed treating unit
    ("member", False),  # an uninvolved NHV unit of the area
    ("reviewer", False),  # a reviewer of an uninvolved unit
    ("nobody", False),  # no role at all, at the referring unit
])
def test_each_person_on_an_accepted_case(world, who, sees):
    case = _accept_onto_host_treated_elsewhere(world, refer(world))
    assert policy.may_see_case_identity(world.principal(who), case) is sees


def test_host_members_see_it_only_once_accepted_and_only_the_current_host(world):
    case = refer(world)
    assert not policy.may_see_case_identity(world.principal("host_member"), case)
    case = accept(world, case)  # no treating unit proposed
    assert policy.may_see_case_identity(world.principal("host_member"), case)
    assert not policy.may_see_case_identity(world.principal("treating_member"), case)
    # Deferred to a meeting hosted by nhv[1]: nhv[0] is no longer the host.
    case = service.move_case(world.actor("coordinator"), world.principal("coordinator"), case,
                             "defer", {"conference_id": world.later_conference.id,
                                       "reason": "MR bäcken saknas"})
    assert case.host_unit_id == world.nhv[1].id
    assert not policy.may_see_case_identity(world.principal("host_member"), case)


def test_a_member_of_the_treating_unit_sees_it_once_proposed(world):
    case = refer(world)
    assert not policy.may_see_case_identity(world.principal("treating_member"), case)
    case = _accept_onto_host_treated_elsewhere(world, case)
    assert policy.may_see_case_identity(world.principal("treating_member"), case)


def test_a_member_role_in_another_area_does_not_count_at_the_host_unit(world):
    # A member of CRS/HIPEC acting for the host unit: the case is anal cancer.
    crs_member = make_person(unit=world.nhv[0])
    people.grant_role(crs_member, "member", OTHER_AREA, world.nhv[0].id)
    db.session.commit()
    case = _accept_onto_host_treated_elsewhere(world, refer(world))
    assert not policy.may_see_case_identity(policy.principal_for(crs_member), case)


# --- a protected identity ------------------------------------------------------------------------

def test_a_protected_identity_is_for_the_handling_coordinator_only(world):
    case = refer(world, protected_identity=True)
    assert case.patient.protected_identity
    # Submitted, not yet triaged: no coordinator handles it, so nobody sees the identity,
    # not even the referrer who entered it.
    assert case.handling_unit_id is None
    assert _seeing(world, case) == EVERYONE_SEES_NOTHING

    case = _accept_onto_host_treated_elsewhere(world, case)
    assert case.handling_unit_id == world.nhv[0].id
    assert _seeing(world, case) == {"coordinator"}
    for who in ("other_coordinator", "referrer", "host_member", "treating_member",
                "crs_coordinator"):
        assert not policy.may_see_case_identity(world.principal(who), case), who


def test_the_coordinator_who_first_triages_handles_it_wherever_it_goes(world):
    case = refer(world, protected_identity=True)
    case = service.move_case(world.actor("other_coordinator"),
                             world.principal("other_coordinator"), case, "return",
                             {"reason": "Samtycke behöver bekräftas"})
    assert case.handling_unit_id == world.nhv[1].id
    assert _seeing(world, case) == {"other_coordinator"}
    case = service.move_case(world.actor("referrer"), world.principal("referrer"), case,
                             "submit", {})
    case = accept(world, case)  # by the coordinator of the host unit: handling stays
    assert case.handling_unit_id == world.nhv[1].id
    assert _seeing(world, case) == {"other_coordinator"}


def test_protection_added_by_a_later_referral_covers_the_earlier_case(world):
    first = _accept_onto_host_treated_elsewhere(world, refer(world))
    assert "referrer" in _seeing(world, first)
    refer(world, protected_identity=True, question="Återfall?", case_type="recurrence")
    db.session.refresh(first.patient)
    assert first.patient.protected_identity
    assert _seeing(world, first) == {"coordinator"}


# --- the patient page ----------------------------------------------------------------------------

def test_the_patient_page_follows_the_patients_cases(world):
    case = refer(world)
    assert _seeing_patient(world, case.patient) == BEFORE_MEETING
    _accept_onto_host_treated_elsewhere(world, case)
    assert _seeing_patient(world, case.patient) == ONCE_ACCEPTED


def test_the_patient_page_of_a_protected_patient(world):
    case = refer(world, protected_identity=True)
    assert _seeing_patient(world, case.patient) == EVERYONE_SEES_NOTHING
    _accept_onto_host_treated_elsewhere(world, case)
    assert _seeing_patient(world, case.patient) == {"coordinator"}


def test_the_patient_page_through_any_of_their_cases(world):
    case = refer(world)
    # The same patient referred to CRS/HIPEC by its coordinator, from the other unit.
    crs = service.register_case(
        world.actor("crs_coordinator"), world.principal("crs_coordinator"), {
            "care_area": OTHER_AREA, "referring_unit_id": world.other_referring.id,
            "identity_kind": "national", "identity_number": NUMBERS[0],
            "given_name": "Testpatient", "family_name": "Nummer0",
            "question": "Peritoneal carcinos: aktuell för CRS/HIPEC?", "case_type": "primary",
            "consent_recorded": True,
            "answers": {"primary_tumour": "colorectal", "previously_operated": False,
                        "who_performance_status": 0}})
    assert crs.patient_id == case.patient_id
    # Not the referrer of the CRS case: they hold no CRS role (their referrer role is AC).
    assert _seeing_patient(world, case.patient) == BEFORE_MEETING | {"crs_coordinator"}
    assert not policy.may_see_case_identity(world.principal("other_referrer"), crs)


def test_a_patient_without_a_case_is_for_coordinators_unless_protected(world):
    plain = register_patient(world.actor("coordinator"), {
        "identity_kind": "national", "identity_number": NUMBERS[5],
        "given_name": "Testpatient", "family_name": "Utanärende"}, fictitious=True)
    protected = register_patient(world.actor("coordinator"), {
        "identity_kind": "national", "identity_number": NUMBERS[6],
        "given_name": "Testpatient", "family_name": "Skyddad", "protected_identity": True},
        fictitious=True)
    assert _seeing_patient(world, plain) == {"coordinator", "other_coordinator",
                                             "crs_coordinator"}
    assert _seeing_patient(world, protected) == EVERYONE_SEES_NOTHING


# --- the list scope: policy.scope_of and service.scope_clause -------------------------------------

def test_scope_of_case_view_per_person(world):
    assert policy.scope_of(world.principal("referrer"), "case.view") == Scope(
        area_units=frozenset({(AREA, world.referring.id)}))
    for who in ("coordinator", "other_coordinator", "host_member", "treating_member", "member",
                "reviewer"):
        assert policy.scope_of(world.principal(who), "case.view") == Scope(
            areas=frozenset({AREA})), who
    assert policy.scope_of(world.principal("crs_coordinator"), "case.view") == Scope(
        areas=frozenset({OTHER_AREA}))
    assert policy.scope_of(world.principal("nobody"), "case.view").empty
    admin = make_person(unit=world.nhv[0])
    people.grant_role(admin, "admin", AREA, world.nhv[0].id)
    db.session.commit()
    assert policy.scope_of(policy.principal_for(admin), "case.view").empty
    assert policy.scope_of(policy.principal_for(admin), "unit.view").everything


def _some_cases(world: World) -> list[Case]:
    """A handful of cases: both areas, both referring units, several states, one protected."""
    crs_referrer = make_person(unit=world.referring)
    people.grant_role(crs_referrer, "referrer", OTHER_AREA, world.referring.id)
    db.session.commit()
    world.people["crs_referrer"] = crs_referrer
    crs_answers = {"primary_tumour": "appendix", "previously_operated": True,
                   "who_performance_status": 1}
    cases = [
        _accept_onto_host_treated_elsewhere(world, refer(world)),
        refer(world, "other_referrer", number_index=1, submit=False),
        refer(world, number_index=2, protected_identity=True),
        refer(world, "other_referrer", number_index=3, priority="urgent"),
        refer(world, "crs_referrer", number_index=4, care_area=OTHER_AREA, answers=crs_answers),
        service.register_case(world.actor("crs_coordinator"), world.principal("crs_coordinator"),
                              {"care_area": OTHER_AREA,
                               "referring_unit_id": world.other_referring.id,
                               "identity_kind": "national", "identity_number": NUMBERS[5],
                               "given_name": "Testpatient", "family_name": "Nummer5",
                               "question": "CRS/HIPEC?", "case_type": "primary",
                               "answers": crs_answers}),
    ]
    service.move_case(world.actor("coordinator"), world.principal("coordinator"), cases[3],
                      "return", {"reason": "PAD saknas"})
    return cases


def _visible_by_sql(principal: Principal, ids: list[int]) -> set[int]:
    clause = service.scope_clause(principal)
    query = select(Case.id).where(Case.id.in_(ids))
    if clause is not None:
        query = query.where(clause)
    return set(db.session.scalars(query))


def _visible_by_policy(principal: Principal, cases: list[Case]) -> set[int]:
    return {case.id for case in cases if policy.can(principal, "case.view", case)}


def test_scope_clause_agrees_with_the_policy_for_everyone_in_the_world(world):
    cases = _some_cases(world)
    ids = [case.id for case in cases]
    for who in world.people:
        principal = world.principal(who)
        assert _visible_by_sql(principal, ids) == _visible_by_policy(principal, cases), who
    # And the list service shows just those.
    page = service.list_cases(world.actor("crs_referrer"), world.principal("crs_referrer"))
    assert [case.id for case in page.cases] == [cases[4].id]


ROLES = ("admin", "coordinator", "member", "reviewer", "referrer")
AREAS = (AREA, OTHER_AREA)


def test_scope_clause_agrees_with_the_policy_for_any_mix_of_grants(world):
    """Property: for arbitrary role grants (role, area, unit), the SQL scope of the case lists
    and policy.can(..., "case.view", case) pick the same cases."""
    cases = _some_cases(world)
    ids = [case.id for case in cases]
    units = [unit.id for unit in (*world.nhv, world.referring, world.other_referring)]
    grant = st.tuples(st.sampled_from(ROLES), st.sampled_from(AREAS), st.sampled_from(units))

    @settings(max_examples=150, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.frozensets(grant, max_size=4))
    def check(grants):
        principal = Principal(person_id=1, grants=grants)
        assert _visible_by_sql(principal, ids) == _visible_by_policy(principal, cases)

    check()
