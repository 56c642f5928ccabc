"""Completeness, freshness and availability at the host unit (mdk.material.readiness), on
the shipped checklists of both care areas, judged against the case's meeting or the next."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from mdk.care_areas.service import care_area
from mdk.cases import service
from mdk.cases.models import Case
from mdk.extensions import db
from mdk.material import readiness
from mdk.material.readiness import MISSING, NOT_AT_HOST, TOO_OLD, UNDATED, Problem, assess
from tests.cases.factories import AREA, OTHER_AREA, accept, refer
from tests.material_gate.factories import (
    complete,
    crs_case,
    crs_setup,
    item,
    meeting,
    wednesday_after,
)


def _codes(found: readiness.Readiness) -> set[tuple[str, str]]:
    return {(problem.code, problem.key) for problem in found.problems}


def _required(area_key: str) -> list[str]:
    return [entry.key for entry in care_area(area_key).material_checklist if entry.required]


@pytest.fixture()
def anal(app, world):
    """An anal cancer case accepted onto world.conference (hosted by nhv[0])."""
    case = accept(world, refer(world))
    return world, case


@pytest.fixture()
def crs(app, world):
    """A CRS/HIPEC case accepted onto a meeting of series "as" (fixed host AS)."""
    units, host = crs_setup(world)
    conference = meeting(host, wednesday_after(10) - timedelta(days=2), area=OTHER_AREA,
                         series="as", hour=14)
    from mdk.people import service as people

    coordinator = world.people["crs_coordinator"]
    people.grant_role(coordinator, "coordinator", OTHER_AREA, host.id)
    db.session.commit()
    case = service.move_case(world.actor("crs_coordinator"), world.principal("crs_coordinator"),
                             crs_case(world), "accept", {"conference_id": conference.id})
    return world, case, conference, host


def test_an_anal_cancer_case_without_material_misses_every_required_entry(anal):
    _world, case = anal
    found = assess(case)
    assert not found.ready
    assert _codes(found) == {(MISSING, key) for key in _required(AREA)}
    assert all(problem.blocking for problem in found.problems)
    assert [entry.key for entry in found.entries] == \
        [entry.key for entry in care_area(AREA).material_checklist]


def test_a_complete_anal_cancer_case_at_the_host_is_ready(anal):
    world, case = anal
    complete(case, world.nhv[0], date.today())
    found = assess(case)
    assert found.ready and found.problems == ()
    assert found.host_unit_id == world.nhv[0].id and found.day == world.conference.day


@pytest.mark.parametrize("left_out", ["clinical_tumour_status", "pad_p16", "mri_pelvis",
                                      "pet_ct", "tnm"])
def test_each_anal_cancer_entry_is_required(anal, left_out):
    world, case = anal
    complete(case, world.nhv[0], date.today(), skip=(left_out,))
    found = assess(case)
    assert not found.ready
    assert _codes(found) == {(MISSING, left_out)}


@pytest.mark.parametrize("left_out", ["pad", "molecular_markers", "ct_thorax_abdomen",
                                      "colonoscopy", "tumour_markers", "performance_status",
                                      "comorbidity"])
def test_each_required_crs_hipec_entry_is_required(crs, left_out):
    _world, case, conference, host = crs
    complete(case, host, conference.day - timedelta(days=5), skip=(left_out,))
    assert _codes(assess(case)) == {(MISSING, left_out)}


def test_the_optional_crs_hipec_entry_does_not_block(crs):
    _world, case, conference, host = crs
    complete(case, host, conference.day - timedelta(days=5), skip=("pci_if_operated",))
    found = assess(case)
    assert found.ready and found.problems == ()
    assert not care_area(OTHER_AREA).material_item("pci_if_operated").required


def test_a_note_alone_is_not_material(anal):
    world, case = anal
    complete(case, world.nhv[0], date.today(), skip=("tnm",))
    row = item(case, "tnm")
    row.note = "Kommer"
    db.session.commit()
    assert _codes(assess(case)) == {(MISSING, "tnm")}


def test_the_day_a_ct_turns_too_old(crs):
    """CT thorax/abdomen may be 60 days old on the meeting day: examined D, a meeting on
    D+60 is fine, one on D+61 is too late."""
    world, case, conference, host = crs
    assert care_area(OTHER_AREA).material_item("ct_thorax_abdomen").max_age_days == 60
    examined = conference.day - timedelta(days=60)
    complete(case, host, conference.day, skip=("ct_thorax_abdomen",))
    item(case, "ct_thorax_abdomen", examined_on=examined, at=(host, "transferred"))
    on_the_day = assess(case, conference)
    assert on_the_day.ready, on_the_day.problems
    day_after = meeting(host, conference.day + timedelta(days=1), area=OTHER_AREA,
                        series="as", hour=14)
    too_late = assess(case, day_after)
    assert _codes(too_late) == {(TOO_OLD, "ct_thorax_abdomen")}
    assert too_late.problems[0].too_old_on == examined + timedelta(days=61) == day_after.day
    assert not too_late.ready


def test_the_day_a_colonoscopy_turns_too_old(crs):
    _world, case, conference, host = crs
    complete(case, host, conference.day, skip=("colonoscopy",))
    item(case, "colonoscopy", examined_on=conference.day - timedelta(days=365))
    assert assess(case).ready
    case.material_items[-1].examined_on = conference.day - timedelta(days=366)
    db.session.commit()
    assert _codes(assess(case)) == {(TOO_OLD, "colonoscopy")}


def test_an_undated_item_with_a_freshness_limit_cannot_be_judged(crs):
    _world, case, conference, host = crs
    complete(case, host, conference.day, skip=("ct_thorax_abdomen",))
    item(case, "ct_thorax_abdomen", reference="RIS-123", at=(host, "available"))
    found = assess(case)
    assert _codes(found) == {(UNDATED, "ct_thorax_abdomen")}
    assert not found.ready


def test_an_undated_item_without_a_freshness_limit_is_fine(anal):
    world, case = anal
    complete(case, world.nhv[0], date.today(), skip=("tnm",))
    item(case, "tnm", reference="T2N0M0")
    assert assess(case).ready


@pytest.mark.parametrize("key", ["pad_p16", "mri_pelvis", "pet_ct"])
@pytest.mark.parametrize("where, status, ready", [
    ("host", "available", True), ("host", "transferred", True),
    ("host", "requested", False), ("other", "available", False),
    ("other", "transferred", False), ("nowhere", None, False)])
def test_images_and_slides_must_be_at_the_host_unit(anal, key, where, status, ready):
    world, case = anal
    complete(case, world.nhv[0], date.today(), skip=(key,))
    unit = {"host": world.nhv[0], "other": world.nhv[1]}.get(where)
    item(case, key, examined_on=date.today(), at=(unit, status) if unit else ())
    found = assess(case)
    assert found.ready is ready
    assert _codes(found) == (set() if ready else {(NOT_AT_HOST, key)})


def test_a_ct_available_at_another_unit_only_is_not_at_the_host(crs):
    world, case, conference, host = crs
    complete(case, host, conference.day, skip=("ct_thorax_abdomen",))
    item(case, "ct_thorax_abdomen", examined_on=conference.day,
         at=[(world.nhv[0], "transferred"), (host, "requested")])
    assert _codes(assess(case)) == {(NOT_AT_HOST, "ct_thorax_abdomen")}


def test_material_travelling_with_the_referral_needs_no_availability(anal):
    world, case = anal
    complete(case, world.nhv[0], date.today(), skip=("clinical_tumour_status", "tnm"))
    item(case, "clinical_tumour_status", examined_on=date.today())
    item(case, "tnm", reference="T2N0M0")
    assert assess(case).ready


def test_extra_items_block_only_when_required(anal):
    world, case = anal
    complete(case, world.nhv[0], date.today())
    extra = item(case, None, kind="ct", label="DT thorax extern", examined_on=date.today())
    found = assess(case)
    assert found.ready  # not required: its problem is shown, not blocking
    assert [(p.code, p.key, p.blocking) for p in found.problems] == \
        [(NOT_AT_HOST, f"item-{extra.id}", False)]
    item(case, None, kind="lab", label="Kreatinin", required=True)
    found = assess(case)
    assert not found.ready
    assert (MISSING, f"item-{extra.id + 1}") in _codes(found)


def test_the_next_meeting_is_used_when_the_case_has_none(app, world):
    case = refer(world)
    assert case.conference is None
    soon, later = world.conference, world.later_conference  # hosts nhv[0] and nhv[1]
    cancelled = meeting(world.nhv[2], date.today() + timedelta(days=3), status="cancelled")
    complete(case, later.host_unit, date.today())
    found = assess(case)
    assert found.conference.id == soon.id != cancelled.id
    assert found.host_unit_id == world.nhv[0].id
    assert _codes(found) == {(NOT_AT_HOST, key) for key in ("pad_p16", "mri_pelvis", "pet_ct")}
    assert assess(case, later).ready


def test_with_no_meeting_ahead_only_completeness_is_judged(app, world):
    units, host = crs_setup(world)
    case = crs_case(world)
    complete(case, host, date.today() - timedelta(days=400), skip=("pad",))
    found = assess(case)
    assert found.conference is None and found.day is None
    assert _codes(found) == {(MISSING, "pad")}  # no day: nothing too old, nothing at a host


def test_problems_are_described_in_plain_swedish(crs):
    _world, case, conference, host = crs
    complete(case, host, conference.day, skip=("pad", "ct_thorax_abdomen"))
    item(case, "ct_thorax_abdomen", examined_on=conference.day - timedelta(days=61),
         at=(host, "requested"))
    with force_locale("sv"):
        text = " ".join(assess(case).describe("sv"))
    assert "PAD" in text and "DT thorax/buk" in text
    assert "Missing" not in text  # translated
    english = " ".join(assess(case).describe("en"))
    assert "Pathology report (PAD)" in english and "CT thorax/abdomen" in english


def test_a_stored_problem_reads_back_as_it_was(crs):
    _world, case, conference, host = crs
    item(case, "ct_thorax_abdomen", examined_on=conference.day - timedelta(days=90))
    for problem in assess(case).problems:
        assert Problem.from_dict(problem.as_dict()) == problem


def test_a_page_of_cases_is_judged_in_constant_statements(app, world, statement_counter):
    units, host = crs_setup(world)

    def cases_judged(count: int) -> int:
        # CRS/HIPEC has no coming meeting here: that must not cost a lookup per case.
        made = [crs_case(world, number_index=10 + index) for index in range(count)]
        for index, case in enumerate(made):
            if index % 2:
                accept(world, refer(world, number_index=5 + index))
            item(case, "pad", examined_on=date.today(), at=(host, "available"))
        ids = [case.id for case in made]
        db.session.expire_all()
        page = list(db.session.scalars(service._with_context(select(Case))
                                       .where(Case.id.in_(ids))))
        with statement_counter() as counted:
            judged = readiness.assess_many(page)
        assert len(judged) == count
        return counted.count

    assert cases_judged(1) == cases_judged(4)
