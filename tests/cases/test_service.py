"""The case rules: referral, numbering, the state table, triage, scope and the audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mdk.audit.models import AuditEvent
from mdk.cases import answers as referral_answers
from mdk.cases import service
from mdk.validation import ConflictError, FieldError
from tests.cases.factories import AREA, accept, make_world, refer, referral


@pytest.fixture()
def world(app_ctx):
    return make_world()


def _events(case) -> list[tuple[str, int | None]]:
    rows = select(AuditEvent).where(AuditEvent.object_type == "case",
                                    AuditEvent.object_id == case.id).order_by(AuditEvent.id)
    from mdk.extensions import db
    return [(event.action, event.patient_id) for event in db.session.scalars(rows)]


def test_a_referrer_registers_and_submits_a_numbered_case(world):
    case = refer(world)
    assert case.state == "submitted"
    assert case.number.startswith("AC-") and case.number.endswith("-0001")
    assert case.referring_unit_id == world.referring.id
    assert case.submitted_at is not None
    assert [(t.action, t.from_state, t.to_state) for t in case.transitions] == [
        ("submit", None, "submitted")]
    assert _events(case) == [("case.create", case.patient_id), ("case.submit", case.patient_id)]


def test_numbers_count_up_per_area(world):
    first, second = refer(world), refer(world, number_index=1)
    assert int(second.number[-4:]) == int(first.number[-4:]) + 1


def test_a_referrer_cannot_refer_from_another_unit(world):
    with pytest.raises(FieldError) as error:
        refer(world, referring_unit_id=world.other_referring.id)
    assert error.value.field == "referring_unit_id"


def test_submission_needs_consent_and_the_required_area_fields(world):
    with pytest.raises(FieldError) as error:
        refer(world, consent_recorded=False)
    assert error.value.field == "consent_recorded"
    with pytest.raises(FieldError) as error:
        refer(world, answers={"diagnosis_basis": "clinical"})
    assert error.value.field == "answers.histology"
    draft = refer(world, submit=False, answers={})
    assert draft.state == "draft"
    assert [(t.action, t.from_state, t.to_state) for t in draft.transitions] == [
        ("register", None, "draft")]


def test_wrong_answers_name_the_field(world):
    with pytest.raises(FieldError) as error:
        refer(world, answers={"histology": "banana"})
    assert error.value.field == "answers.histology"
    with pytest.raises(FieldError) as error:
        refer(world, answers={"who_performance_status": "two"})
    assert error.value.field == "answers.who_performance_status"


@pytest.mark.parametrize("answers", [
    {"who_performance_status": 7, "clinical_tnm": "hej"},
    {"who_performance_status": "-1", "clinical_tnm": "T5N0M0"},
    {"who_performance_status": 5, "clinical_tnm": "T2N2M0"},
])
def test_answers_outside_the_area_files_range_and_pattern_are_refused_together(world,
                                                                              answers):
    from mdk.validation import every_error

    with pytest.raises(FieldError) as error:
        refer(world, answers={**referral()["answers"], **answers})
    messages = {one.field: str(one.message) for one in every_error(error.value)}
    assert set(messages) == {"answers.who_performance_status", "answers.clinical_tnm"}
    assert "0" in messages["answers.who_performance_status"] \
        and "4" in messages["answers.who_performance_status"]
    assert "UICC" in messages["answers.clinical_tnm"]


@pytest.mark.parametrize("tnm", ["T2N1aM0", "T4N1cM1", "TisN0M0", "rT2N0M0", "ycT3N1bM0",
                                 "T2 N1 M0", "TXNXM0"])
def test_tnm_by_uicc_and_the_range_ends_are_accepted(world, tnm):
    answers = {**referral()["answers"], "clinical_tnm": tnm, "who_performance_status": 4}
    case = refer(world, answers=answers)
    assert case.answers["clinical_tnm"] == tnm
    assert refer(world, number_index=1, answers={**answers, "who_performance_status": 0}
                 ).answers["who_performance_status"] == 0


def test_the_crs_hipec_pci_is_checked_against_its_range(world):
    from mdk.care_areas.service import care_area

    with pytest.raises(FieldError) as error:
        referral_answers.clean_answers(care_area("crs_hipec"), {"pci": 40})
    assert error.value.field == "answers.pci" and "39" in str(error.value.message)
    assert referral_answers.clean_answers(care_area("crs_hipec"), {"pci": 39}) == {"pci": 39}


def test_accept_puts_the_case_on_a_meeting_and_the_coordinator_handles_it(world):
    case = accept(world, refer(world), treating_unit_id=world.nhv[2].id)
    assert case.state == "accepted"
    assert case.conference_id == world.conference.id
    assert case.treating_unit_id == world.nhv[2].id
    assert case.handling_unit_id == world.nhv[0].id


def test_a_referrer_may_not_triage_and_moves_follow_the_table(world):
    case = refer(world)
    with pytest.raises(ConflictError):
        service.move_case(world.actor("referrer"), world.principal("referrer"), case,
                          "submit", {})
    with pytest.raises(FieldError) as error:
        service.move_case(world.actor("coordinator"), world.principal("coordinator"), case,
                          "return", {})
    assert error.value.field == "reason"
    returned = service.move_case(world.actor("coordinator"), world.principal("coordinator"),
                                 case, "return", {"reason": "PAD saknas"})
    assert returned.state == "returned" and returned.state_reason == "PAD saknas"


def test_defer_needs_a_later_meeting(world):
    case = accept(world, refer(world))
    coordinator = world.actor("coordinator"), world.principal("coordinator")
    with pytest.raises(FieldError) as error:
        service.move_case(*coordinator, case, "defer",
                          {"conference_id": world.conference.id, "reason": "MR saknas"})
    assert error.value.field == "conference_id"
    case = service.move_case(*coordinator, case, "defer",
                             {"conference_id": world.later_conference.id,
                              "reason": "MR saknas"})
    assert case.state == "deferred" and case.conference_id == world.later_conference.id


def test_a_full_meeting_is_refused(world):
    world.conference.capacity = 1
    accept(world, refer(world))
    with pytest.raises(ConflictError) as error:
        accept(world, refer(world, number_index=1))
    assert error.value.field == "conference_id"


def test_lists_are_scoped_and_audited_per_case(world):
    mine = refer(world)
    theirs = refer(world, "other_referrer", number_index=1)
    page = service.list_cases(world.actor("referrer"), world.principal("referrer"))
    assert [case.id for case in page.cases] == [mine.id]
    coordinator_page = service.list_cases(world.actor("coordinator"),
                                          world.principal("coordinator"), area=AREA)
    assert {case.id for case in coordinator_page.cases} >= {mine.id, theirs.id}
    crs = service.list_cases(world.actor("crs_coordinator"), world.principal("crs_coordinator"))
    assert crs.cases == []
    assert ("case.read", theirs.patient_id) in _events(theirs)


def test_an_existing_patient_is_reused_when_the_name_matches(world):
    first = refer(world)
    second = refer(world, family_name=" nummer0 ", question="Återfall?", case_type="recurrence")
    assert second.patient_id == first.patient_id
    assert second.patient.family_name == referral()["family_name"]
    assert not second.identity_check_needed and _mismatch_events(second) == []


def _mismatch_events(case) -> list[AuditEvent]:
    from mdk.extensions import db
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.object_id == case.id, AuditEvent.action.like("case.identity%"))
        .order_by(AuditEvent.id)))


def test_a_number_with_another_name_is_registered_and_flagged_for_the_coordinator(world):
    """Refusing it would tell the referrer the number is registered (issue 9, item 2)."""
    registered = refer(world, "other_referrer", given_name="Hemlig", family_name="Person")
    case = refer(world, given_name="Gissat", family_name="person")
    assert case.state == "submitted" and case.patient_id == registered.patient_id
    assert case.identity_check_needed
    assert (case.referred_given_name, case.referred_family_name) == ("Gissat", "person")
    assert case.patient.given_name == "Hemlig"  # the register is not changed by a referral
    [event] = _mismatch_events(case)
    assert (event.action, event.patient_id, event.details) == (
        "case.identity_mismatch", case.patient_id, {"fields": "given_name"})
    assert not registered.identity_check_needed


def test_the_referrer_is_shown_the_name_given_and_the_coordinator_both(world):
    from mdk.cases.identity import ShownPatient, shown_patient

    refer(world, "other_referrer", given_name="Hemlig", family_name="Person",
          protected_identity=True)
    case = refer(world, given_name="Gissat", family_name="Namn")
    assert shown_patient(world.principal("referrer"), case) == ShownPatient(
        True, "Gissat", "Namn", False)
    assert shown_patient(world.principal("coordinator"), case) == ShownPatient(
        False, "Hemlig", "Person", True)  # protected: not the handling coordinator yet
    assert not shown_patient(world.principal("member"), case).visible


def test_a_flagged_case_is_accepted_only_once_the_coordinator_confirms_the_identity(world):
    from mdk.cases.identity import confirm_identity

    refer(world, "other_referrer", given_name="Hemlig", family_name="Person")
    case = refer(world, given_name="Gissat", family_name="Person")
    with pytest.raises(ConflictError) as error:
        accept(world, case)
    assert error.value.field == "identity" and case.state == "submitted"
    confirm_identity(world.actor("coordinator"), world.principal("coordinator"), case)
    assert not case.identity_check_needed and case.referred_given_name is None
    assert [(event.action, event.actor_id, event.details) for event in _mismatch_events(case)] \
        == [("case.identity_mismatch", world.people["referrer"].id, {"fields": "given_name"}),
            ("case.identity_confirm", world.people["coordinator"].id, None)]
    with pytest.raises(ConflictError):
        confirm_identity(world.actor("coordinator"), world.principal("coordinator"), case)
    assert accept(world, case).state == "accepted"


def test_a_referral_with_another_name_protects_the_register_only_once_confirmed(world):
    """A wrong number must not mark someone else's record protected: the protection a
    mismatched referral asks for waits for the coordinator's check (review of issue 9)."""
    from mdk.cases.identity import confirm_identity

    refer(world, "other_referrer", given_name="Hemlig", family_name="Person")
    case = refer(world, given_name="Gissat", family_name="Person", protected_identity=True)
    assert case.identity_check_needed and not case.patient.protected_identity
    confirm_identity(world.actor("coordinator"), world.principal("coordinator"), case)
    assert case.patient.protected_identity
    assert [event.action for event in _mismatch_events(case)] == [
        "case.identity_mismatch", "case.identity_confirm"]
    from mdk.extensions import db
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.patient_id == case.patient_id, AuditEvent.action == "patient.update"))


def test_a_protected_identity_is_checked_by_the_handling_coordinators_only(world):
    from mdk.cases.identity import confirm_identity

    refer(world, "other_referrer", number_index=2, given_name="Hemlig", family_name="Person",
          protected_identity=True)
    case = refer(world, number_index=2, given_name="Gissat", family_name="Person")
    coordinator = world.actor("coordinator"), world.principal("coordinator")
    with pytest.raises(ConflictError) as error:
        confirm_identity(*coordinator, case)
    assert error.value.field == "identity" and case.identity_check_needed
    service.move_case(*coordinator, case, "return", {"reason": "Stämmer personnumret?"})
    assert case.handling_unit_id == world.nhv[0].id
    assert not confirm_identity(*coordinator, case).identity_check_needed


def test_a_draft_is_not_disclosed_to_the_nhv_units_until_it_is_submitted(world):
    """The referral is the disclosure (DESIGN.md §5): a draft stays with the referring unit
    and whoever writes it, in the policy and in the list query alike."""
    from mdk.access import policy
    from mdk.patients.service import list_patients

    draft = refer(world, submit=False, number_index=3)
    for who, sees in (("referrer", True), ("coordinator", False), ("host_member", False),
                      ("other_referrer", False)):
        principal = world.principal(who)
        assert policy.can(principal, "case.view", draft) is sees, who
        listed = service.list_cases(world.actor(who), principal).cases
        assert (draft.id in {case.id for case in listed}) is sees, who
    patients = list_patients(world.actor("coordinator"),
                             where=service.patient_scope_clause(world.principal("coordinator")))
    assert draft.patient_id not in {patient.id for patient in patients.patients}
    own = service.register_case(world.actor("coordinator"), world.principal("coordinator"),
                                referral(4, referring_unit_id=world.referring.id))
    assert policy.can(world.principal("coordinator"), "case.view", own)
    assert not policy.can(world.principal("other_coordinator"), "case.view", own)
    service.move_case(world.actor("referrer"), world.principal("referrer"), draft, "submit", {})
    assert policy.can(world.principal("coordinator"), "case.view", draft)


def test_a_deferral_records_the_new_meeting_in_its_history(world):
    case = accept(world, refer(world))
    service.move_case(world.actor("coordinator"), world.principal("coordinator"), case,
                      "defer", {"conference_id": world.later_conference.id,
                                "reason": "Väntar på PET-DT."})
    assert [step.conference_id for step in case.transitions] == [
        None, world.conference.id, world.later_conference.id]
