"""The policy's rules, on principals and objects that never touch the database."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from werkzeug.exceptions import Forbidden, NotFound

from mdk.access.policy import (
    ACTIONS,
    ANONYMOUS,
    CaseContext,
    Principal,
    can,
    may_see_identity,
    principal_for,
    require,
)
from mdk.care_areas.service import care_areas
from mdk.people.models import ROLES as ALL_ROLES
from mdk.people.models import Person, RoleGrant
from mdk.units.models import Unit

REFERRING, OTHER_REFERRING, HOST, TREATING, ELSEWHERE = 101, 102, 103, 104, 105


def nhv_unit(area: str, index: int, unit_id: int) -> Unit:
    return Unit(id=unit_id, hsa_id=care_areas()[area].nhv_units[index].hsa_id, name="NHV")


def person_at(unit: Unit, *grants: tuple[str, str]) -> Person:
    return Person(id=unit.id * 10, unit=unit, unit_id=unit.id, active=True, role_grants=[
        RoleGrant(role=role, care_area=area, unit_id=unit.id) for role, area in grants])


def principal(*grants: tuple[str, str, int]) -> Principal:
    return Principal(person_id=1, grants=frozenset(grants))


@pytest.fixture()
def analcancer_staff(app_ctx):
    return person_at(nhv_unit("analcancer", 0, 1))


@pytest.fixture()
def crs_hipec_staff(app_ctx):
    return person_at(nhv_unit("crs_hipec", 0, 2))


def test_coordinator_may_edit_a_person_of_own_care_area(analcancer_staff):
    assert can(principal(("coordinator", "analcancer", 1)), "person.edit", analcancer_staff)


def test_coordinator_of_another_care_area_gets_not_found(crs_hipec_staff):
    with pytest.raises(NotFound):
        require(principal(("coordinator", "analcancer", 1)), "person.view", crs_hipec_staff)


def test_person_holding_a_role_in_the_area_is_in_its_scope(app_ctx):
    referrer = person_at(Unit(id=7, hsa_id="SE2321000040-RF01"), ("referrer", "analcancer"))
    assert can(principal(("coordinator", "analcancer", 1)), "person.view", referrer)


def test_member_editing_a_visible_person_is_forbidden(analcancer_staff):
    with pytest.raises(Forbidden):
        require(principal(("member", "analcancer", 1)), "person.edit", analcancer_staff)


def test_referrer_sees_the_unit_of_the_grant_only(app_ctx):
    referrer = principal(("referrer", "analcancer", 7))
    assert can(referrer, "unit.view", Unit(id=7, hsa_id="SE2321000040-RF01"))
    assert not can(referrer, "unit.view", Unit(id=8, hsa_id="SE2321000057-RF01"))


def test_referrer_editing_own_unit_is_forbidden(app_ctx):
    with pytest.raises(Forbidden):
        require(principal(("referrer", "analcancer", 7)), "unit.edit", Unit(id=7, hsa_id="x"))


def test_admin_of_one_area_manages_the_shared_unit_register(app_ctx):
    assert can(principal(("admin", "crs_hipec", 2)), "unit.edit", nhv_unit("analcancer", 0, 1))


def test_admin_of_one_area_may_not_manage_role_grants_of_another(app_ctx):
    grant = RoleGrant(role="member", care_area="analcancer", unit_id=1)
    assert not can(principal(("admin", "crs_hipec", 2)), "role.manage", grant)


def test_admin_manages_role_grants_of_own_area(app_ctx):
    grant = RoleGrant(role="member", care_area="analcancer", unit_id=1)
    assert can(principal(("admin", "analcancer", 2)), "role.manage", grant)


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_person_without_roles_may_do_nothing(app_ctx, action):
    assert not can(Principal(person_id=1), action)


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_anonymous_may_do_nothing(app_ctx, action):
    assert not can(ANONYMOUS, action)


def test_grant_in_an_area_no_longer_configured_is_not_active(app_ctx):
    person = person_at(Unit(id=3, hsa_id="x"), ("coordinator", "removed_area"),
                       ("member", "analcancer"))
    assert principal_for(person).roles == {"member"}


def test_inactive_person_has_no_roles(app_ctx):
    person = person_at(Unit(id=3, hsa_id="x"), ("admin", "analcancer"))
    person.active = False
    assert principal_for(person) == ANONYMOUS


def test_every_action_names_known_roles_only():
    assert all(set(roles) <= set(ALL_ROLES) for roles in ACTIONS.values())


# --- patient identity (DESIGN.md §5) -----------------------------------------------------------

PATIENT = SimpleNamespace(protected_identity=False)
PROTECTED = SimpleNamespace(protected_identity=True)
CASE = CaseContext(care_area="analcancer", referring_unit_id=REFERRING, host_unit_id=HOST,
                   treating_unit_id=TREATING)


@pytest.mark.parametrize(("role", "unit"), [
    ("referrer", REFERRING), ("member", HOST), ("reviewer", HOST), ("member", TREATING),
    ("coordinator", ELSEWHERE)])
def test_identity_is_shown_to_the_units_of_the_case_and_the_area_coordinators(role, unit):
    assert may_see_identity(principal((role, "analcancer", unit)), PATIENT, CASE)


@pytest.mark.parametrize(("role", "area", "unit"), [
    ("member", "analcancer", ELSEWHERE), ("referrer", "analcancer", OTHER_REFERRING),
    ("coordinator", "crs_hipec", HOST), ("member", "crs_hipec", HOST),
    ("admin", "analcancer", HOST)])
def test_identity_is_hidden_from_everyone_else(role, area, unit):
    assert not may_see_identity(principal((role, area, unit)), PATIENT, CASE)


def test_protected_identity_is_shown_to_the_coordinators_handling_the_case():
    assert may_see_identity(principal(("coordinator", "analcancer", HOST)), PROTECTED, CASE)


@pytest.mark.parametrize(("role", "unit"), [
    ("coordinator", ELSEWHERE), ("referrer", REFERRING), ("member", HOST),
    ("member", TREATING)])
def test_protected_identity_is_hidden_from_everyone_not_handling_the_case(role, unit):
    assert not may_see_identity(principal((role, "analcancer", unit)), PROTECTED, CASE)


def test_protected_identity_follows_a_handling_unit_other_than_the_host():
    case = CaseContext(care_area="analcancer", referring_unit_id=REFERRING, host_unit_id=HOST,
                       handling_unit_id=TREATING)
    assert may_see_identity(principal(("coordinator", "analcancer", TREATING)), PROTECTED, case)
    assert not may_see_identity(principal(("coordinator", "analcancer", HOST)), PROTECTED, case)


def test_identity_before_a_conference_is_shown_to_the_referring_unit():
    case = CaseContext(care_area="analcancer", referring_unit_id=REFERRING)
    assert may_see_identity(principal(("referrer", "analcancer", REFERRING)), PATIENT, case)
    assert not may_see_identity(principal(("member", "analcancer", HOST)), PATIENT, case)
