"""The patient list's scope and cost (issue #9, item 16): a coordinator sees the patients
without any case and those with a submitted case in their areas; the query reads the cases
once, and the list is ordered by an index on the names."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mdk.cases import service as cases
from mdk.extensions import db
from mdk.patients.models import Patient
from mdk.patients.service import list_patients
from tests.cases.factories import OTHER_AREA, make_world, refer, referral
from tests.patients.factories import make_patient


@pytest.fixture()
def world(app_ctx):
    return make_world()


def _listed(world, who: str) -> set[int]:
    page = list_patients(world.actor(who), per_page=500,
                         where=cases.patient_scope_clause(world.principal(who)))
    return {patient.id for patient in page.patients}


def test_the_list_shows_patients_without_a_case_or_with_a_submitted_case_in_the_area(world):
    without_case = make_patient()
    submitted = refer(world, number_index=1).patient_id
    draft_only = refer(world, number_index=2, submit=False).patient_id
    crs_coordinator = world.people["crs_coordinator"]
    other_area_only = cases.register_case(
        world.actor("crs_coordinator"), world.principal("crs_coordinator"),
        _crs_referral(world, 3, crs_coordinator)).patient_id
    both_areas = refer(world, number_index=4).patient_id
    cases.register_case(world.actor("crs_coordinator"), world.principal("crs_coordinator"),
                        _crs_referral(world, 4, crs_coordinator))

    listed = _listed(world, "coordinator")
    assert without_case.id in listed and submitted in listed and both_areas in listed
    assert draft_only not in listed and other_area_only not in listed
    crs_listed = _listed(world, "crs_coordinator")
    assert {other_area_only, both_areas, without_case.id} <= crs_listed
    assert submitted not in crs_listed and draft_only not in crs_listed


def _crs_referral(world, index: int, coordinator) -> dict:
    """A CRS/HIPEC referral the area's coordinator registers from their own NHV unit."""
    return referral(index, care_area=OTHER_AREA, referring_unit_id=coordinator.unit_id,
                    submit=True, answers={"primary_tumour": "colorectal",
                                          "previously_operated": False,
                                          "who_performance_status": 0})


def test_a_person_without_a_patient_role_sees_no_patient(world):
    make_patient()
    assert _listed(world, "nobody") == set()


def test_the_scope_reads_the_cases_table_once(world):
    """Two EXISTS (no case; a case in scope) made PostgreSQL scan the cases twice a page."""
    clause = cases.patient_scope_clause(world.principal("coordinator"))
    sql = str(select(Patient.id).where(clause).compile(db.engine))
    assert sql.count("FROM cases") == 1


def test_the_list_order_has_its_index():
    index = {tuple(column.name for column in index.columns)
             for index in Patient.__table__.indexes}
    assert ("family_name", "given_name", "id") in index
