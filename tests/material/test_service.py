"""Completeness, freshness and availability of both care areas' checklists, and the rules of
each field, through the service (the page and the API call the same functions)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mdk.audit.models import AuditEvent
from mdk.cases import service as cases
from mdk.extensions import db
from mdk.material import service
from mdk.material.models import MaterialItem
from mdk.material.readiness import MISSING, NOT_AT_HOST, TOO_OLD, UNDATED, assess
from mdk.validation import ConflictError, FieldError
from tests.cases.factories import accept, refer
from tests.material.factories import crs_case

ANAL_REQUIRED = {"clinical_tumour_status", "pad_p16", "mri_pelvis", "pet_ct", "tnm"}
CRS_REQUIRED = {"pad", "molecular_markers", "ct_thorax_abdomen", "colonoscopy",
                "tumour_markers", "performance_status", "comorbidity"}


def _codes(readiness, code):
    return {problem.key for problem in readiness.problems if problem.code == code}


def test_an_anal_cancer_case_is_ready_once_every_entry_is_given_and_at_the_host(app, world):
    with app.app_context():
        case = accept(world, refer(world))
        actor = world.actor("referrer")
        readiness = service.readiness_of(case)
        assert _codes(readiness, MISSING) == ANAL_REQUIRED and not readiness.ready
        day = readiness.day - timedelta(days=20)
        for key in ANAL_REQUIRED:
            service.save_entry(actor, case, key, {"examined_on": day.isoformat()})
        readiness = service.readiness_of(case)
        # PAD, MRI and PET-CT must reach the host unit (the meeting's, nhv[0]).
        assert _codes(readiness, MISSING) == set()
        assert _codes(readiness, NOT_AT_HOST) == {"pad_p16", "mri_pelvis", "pet_ct"}
        for key in ("pad_p16", "mri_pelvis"):
            service.set_availability(actor, case, service.item_by_entry(case, key),
                                     {"unit_id": world.nhv[0].id, "status": "transferred"})
        pet = service.item_by_entry(case, "pet_ct")
        # Requested at the host is not there yet; available at another unit is not the host.
        service.set_availability(actor, case, pet, {"unit_id": world.nhv[0].id,
                                                    "status": "requested"})
        service.set_availability(actor, case, pet, {"unit_id": world.nhv[1].id,
                                                    "status": "available"})
        assert _codes(service.readiness_of(case), NOT_AT_HOST) == {"pet_ct"}
        service.set_availability(actor, case, pet, {"unit_id": world.nhv[0].id,
                                                    "status": "available"})
        assert service.readiness_of(case).ready
        assert pet.review_by == "nuclear_medicine_physician" and pet.required


@pytest.mark.parametrize(("age", "too_old"), [(60, False), (61, True)])
def test_a_ct_of_crs_hipec_turns_too_old_on_the_61st_day(app, world, crs, age, too_old):
    with app.app_context():
        case = crs_case(world)
        meeting = crs["conference"]
        readiness = service.readiness_of(case)
        assert readiness.day == meeting.day and readiness.host_unit_id == crs["units"][0].id
        assert _codes(readiness, MISSING) == CRS_REQUIRED  # PCI is optional
        examined = meeting.day - timedelta(days=age)
        item = service.save_entry(world.actor("crs_referrer"), case, "ct_thorax_abdomen",
                                  {"examined_on": examined})
        service.set_availability(world.actor("crs_referrer"), case, item,
                                 {"unit_id": crs["units"][0].id, "status": "transferred"})
        readiness = service.readiness_of(case)
        assert ("ct_thorax_abdomen" in _codes(readiness, TOO_OLD)) is too_old
        assert "ct_thorax_abdomen" not in _codes(readiness, NOT_AT_HOST)
        if too_old:
            problem = next(p for p in readiness.problems if p.code == TOO_OLD)
            assert problem.too_old_on == examined + timedelta(days=61) and problem.blocking
            assert "för gammal" in " ".join(readiness.describe("sv"))


def test_a_dated_entry_with_a_limit_needs_its_date_and_the_colonoscopy_a_year(app, world, crs):
    with app.app_context():
        case = crs_case(world)
        actor, day = world.actor("crs_referrer"), crs["conference"].day
        service.save_entry(actor, case, "colonoscopy", {"reference_kind": "accession_number",
                                                        "reference": "ab-123"})
        assert "colonoscopy" in _codes(service.readiness_of(case), UNDATED)
        service.save_entry(actor, case, "colonoscopy",
                           {"examined_on": day - timedelta(days=365)})
        assert "colonoscopy" not in {p.key for p in service.readiness_of(case).problems}
        service.save_entry(actor, case, "colonoscopy",
                           {"examined_on": day - timedelta(days=366)})
        assert "colonoscopy" in _codes(service.readiness_of(case), TOO_OLD)
        assert service.item_by_entry(case, "colonoscopy").reference == "AB-123"


def test_an_extra_item_counts_when_required(app, world):
    with app.app_context():
        case = refer(world)
        item = service.add_item(world.actor("coordinator"), case,
                                {"kind": "mri", "label": "MR lever", "required": True,
                                 "review_by": "radiologist"})
        readiness = assess(case)
        key = service.entry_key(item)
        assert key in _codes(readiness, MISSING)
        entry = readiness.by_key[key]
        assert entry.title() == "MR lever" and entry.review_by == "radiologist"
        service.update_item(world.actor("coordinator"), case, item, {"required": False})
        assert key not in {p.key for p in service.readiness_of(case).problems}


BAD_FIELDS = [
    ({"examined_on": "2999-01-01"}, "examined_on"),
    ({"examined_on": "1900-01-01"}, "examined_on"),
    ({"examined_on": "2026-02-30"}, "examined_on"),
    ({"examined_on": "Probe\x00"}, "examined_on"),
    ({"source_hospital": "Sjukhus\x00"}, "source_hospital"),
    ({"source_hospital": "x" * 201}, "source_hospital"),
    ({"note": "rad\x00"}, "note"),
    ({"reference_kind": "study_uid", "reference": "1.2.840.0113619"}, "reference"),
    ({"reference_kind": "study_uid", "reference": "1"}, "reference"),
    ({"reference_kind": "study_uid", "reference": "1..2"}, "reference"),
    ({"reference_kind": "study_uid", "reference": "3.2.840"}, "reference"),
    ({"reference_kind": "study_uid", "reference": "1.2." + "1" * 62}, "reference"),
    ({"reference_kind": "study_uid", "reference": "1.2.840.１"}, "reference"),
    ({"reference_kind": "accession_number", "reference": "A" * 17}, "reference"),
    ({"reference_kind": "accession_number", "reference": "AB;DROP"}, "reference"),
    ({"reference_kind": "pad_number", "reference": "T1"}, "reference_kind"),  # not a MRI's
    ({"reference_kind": "study_uid"}, "reference"),
    ({"reference": "1.2.3"}, "reference_kind"),
    ({"reference_kind": "barcode", "reference": "1.2.3"}, "reference_kind"),
    ({"kind": "ct"}, "kind"),  # a checklist entry's kind comes from the area file
]


@pytest.mark.parametrize(("data", "field"), BAD_FIELDS)
def test_a_bad_field_is_refused_by_name_and_nothing_is_saved(app, world, data, field):
    with app.app_context():
        case = refer(world)
        before = db.session.scalar(select(func.count(MaterialItem.id)))
        with pytest.raises(FieldError) as refused:
            service.save_entry(world.actor("referrer"), case, "mri_pelvis", data)
        assert field in {error.field for error in getattr(refused.value, "errors",
                                                            [refused.value])}
        db.session.rollback()
        assert db.session.scalar(select(func.count(MaterialItem.id))) == before


def test_a_good_study_uid_and_pad_number_are_kept(app, world):
    with app.app_context():
        case = refer(world)
        actor = world.actor("referrer")
        uid = "1.2.840.113619.2.55.3.604688119.969.1268071029.320"
        mri = service.save_entry(actor, case, "mri_pelvis",
                                 {"reference_kind": "study_uid", "reference": uid})
        pad = service.save_entry(actor, case, "pad_p16",
                                 {"reference_kind": "pad_number", "reference": "t2026-01234"})
        assert mri.reference == uid and pad.reference == "T2026-01234"
        assert mri.provided and pad.provided


@pytest.mark.parametrize(("data", "field"), [
    ({"unit_id": 2**31, "status": "available"}, "unit_id"),
    ({"unit_id": "1", "status": "available"}, "unit_id"),
    ({"status": "available"}, "unit_id"),
    ({"unit_id": None, "status": "lost"}, "status"),
    ({"unit_id": None, "status": "available", "status_on": "2999-01-01"}, "status_on"),
    ({"unit_id": None, "status": "available", "status_on": "x\x00"}, "status_on"),
])
def test_availability_is_for_a_known_state_at_an_nhv_unit_of_the_area(app, world, data,
                                                                        field):
    with app.app_context():
        case = refer(world)
        item = service.save_entry(world.actor("referrer"), case, "mri_pelvis", {})
        data = {**data, "unit_id": world.nhv[0].id} if data.get("unit_id", 0) is None \
            else data
        with pytest.raises(FieldError) as refused:
            service.set_availability(world.actor("referrer"), case, item, data)
        assert field in {error.field for error in getattr(refused.value, "errors",
                                                            [refused.value])}
        with pytest.raises(FieldError, match="unit_id"):  # a referring unit is no NHV unit
            service.set_availability(world.actor("referrer"), case, item,
                                     {"unit_id": world.referring.id, "status": "available"})
        assert item.availability == []


@pytest.mark.parametrize("move", ["withdraw", "decline"])
def test_nothing_changes_once_the_case_is_ended(app, world, move):
    with app.app_context():
        case = refer(world)
        item = service.save_entry(world.actor("referrer"), case, "mri_pelvis", {})
        who = "referrer" if move == "withdraw" else "coordinator"
        cases.move_case(world.actor(who), world.principal(who), case, move,
                        {"reason": "Ej aktuellt"})
        actor = world.actor("coordinator")
        for change in (lambda: service.save_entry(actor, case, "pad_p16", {}),
                       lambda: service.update_item(actor, case, item, {"note": "ny"}),
                       lambda: service.add_item(actor, case, {"kind": "lab", "label": "Hb"}),
                       lambda: service.set_availability(actor, case, item, {
                           "unit_id": world.nhv[0].id, "status": "available"})):
            with pytest.raises(ConflictError):
                change()
        assert service.items_of(case) == [item] and item.note is None


def test_every_change_is_audited_with_the_fields_never_their_values(app, world):
    with app.app_context():
        case = refer(world)
        actor = world.actor("referrer")
        item = service.save_entry(actor, case, "mri_pelvis", {
            "examined_on": "2026-11-02", "source_hospital": "Testsjukhuset",
            "note": "Testpatient Nummer0"})
        service.save_entry(actor, case, "mri_pelvis", {"note": "Ändrad anteckning"})
        service.set_availability(actor, case, item, {"unit_id": world.nhv[0].id,
                                                     "status": "requested"})
        events = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action.like("material.%")).order_by(AuditEvent.id)).all()
        assert [event.action for event in events] == [
            "material.create", "material.update", "material.availability"]
        assert events[0].details["fields"] == "examined_on,note,source_hospital"
        assert events[1].details["fields"] == "note"
        assert all(event.patient_id == case.patient_id for event in events)
        text = repr([event.details for event in events])
        assert "Testsjukhuset" not in text and "Testpatient" not in text \
            and "Ändrad" not in text
