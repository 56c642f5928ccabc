"""The protocol's rules: a prefilled draft, saves guarded by a version, values checked per
section kind, the chair's signature moving the case to discussed, the lock (in the service
and in the database itself, on both engines) and addenda, every step audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from mdk.audit.models import AuditEvent
from mdk.cases import service as cases
from mdk.extensions import db
from mdk.protocols import service
from mdk.protocols.models import Protocol, ProtocolAddendum
from mdk.reviews.models import ReviewStatement
from mdk.validation import ConflictError, FieldError, every_error
from tests.protocols.factories import COMPLETE, draft, filled, signed


def _actions(case) -> list[str]:
    return list(db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "case",
                                        AuditEvent.object_id == case.id,
                                        AuditEvent.action.like("protocol.%"))
        .order_by(AuditEvent.id)))


def _fields(error: FieldError) -> set[str]:
    return {one.field for one in every_error(error)}


def test_a_draft_starts_from_the_question_and_the_review_statement(chaired, case_on_meeting):
    db.session.add(ReviewStatement(case=case_on_meeting, text="MR: T2, inga lymfkörtlar."))
    db.session.commit()
    protocol = draft(chaired, case_on_meeting)
    assert protocol.state == "draft" and protocol.version == 0
    assert protocol.values == {"question": case_on_meeting.question,
                               "review_statement": "MR: T2, inga lymfkörtlar."}
    assert draft(chaired, case_on_meeting).id == protocol.id  # one per case and meeting
    assert _actions(case_on_meeting) == ["protocol.create"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "protocol.create"))
    assert event.patient_id == case_on_meeting.patient_id


def test_the_participants_start_from_those_noted_present_at_the_meeting(
        chaired, case_on_meeting):
    from mdk.conference_day.models import Attendance

    member = chaired.people["host_member"]
    unit_id = member.unit_id
    db.session.add_all([
        Attendance(conference_id=chaired.conference.id, person_id=member.id,
                   competence="oncologist", unit_id=unit_id, present=True, remote=True),
        Attendance(conference_id=chaired.conference.id, person_id=chaired.people["member"].id,
                   competence="radiologist", unit_id=unit_id, present=False)])
    db.session.commit()

    participants = draft(chaired, case_on_meeting).values["participants"]

    assert participants == f"{member.name}, Onkolog, {member.unit.name} (på distans)"


def test_the_chair_signs_only_once_the_meeting_has_begun_and_never_a_cancelled_one(
        chaired):
    from datetime import timedelta

    from mdk.db import utcnow
    from tests.agenda.factories import on_agenda

    case = on_agenda(chaired, 0)  # the meeting is a week ahead
    protocol = filled(chaired, case)

    def sign():
        return service.sign(chaired.actor("host_member"), chaired.principal("host_member"),
                            case, protocol, protocol.version, True)

    with pytest.raises(ConflictError) as refused:
        sign()
    assert refused.value.field == "state"
    chaired.conference.starts_at = utcnow() - timedelta(minutes=1)
    chaired.conference.status = "cancelled"
    db.session.commit()
    with pytest.raises(ConflictError):
        sign()
    db.session.refresh(case)
    assert protocol.state == "draft" and case.state == "accepted"
    chaired.conference.status = "agenda_locked"
    db.session.commit()
    assert sign().state == "signed"


def test_only_a_case_on_the_agenda_gets_a_protocol(chaired):
    from tests.cases.factories import refer

    submitted = refer(chaired)
    with pytest.raises(ConflictError) as refused:
        draft(chaired, submitted)
    assert refused.value.field == "state"


def test_a_stale_save_is_a_conflict_and_the_first_save_stays(chaired, case_on_meeting):
    protocol = draft(chaired, case_on_meeting)
    coordinator, principal = chaired.actor("coordinator"), chaired.principal("coordinator")
    service.save_draft(coordinator, principal, case_on_meeting, protocol,
                       {"recommendation": "Först"}, 0)
    with pytest.raises(ConflictError) as refused:
        service.save_draft(coordinator, principal, case_on_meeting, protocol,
                           {"recommendation": "Sedan"}, 0)
    assert refused.value.field == "version" and refused.value.status == 409
    db.session.expire_all()
    saved = db.session.get(Protocol, protocol.id)
    assert saved.values == {"recommendation": "Först"} and saved.version == 1


@pytest.mark.parametrize(("values", "field"), [
    ({"intent": "maybe"}, "intent"),
    ({"follow_up": 3}, "follow_up"),
    ({"treating_unit": "SE2321000016-CH02"}, "treating_unit"),  # a CRS/HIPEC unit
    ({"informs_patient": {"person": "Dr Test", "date": "2099-02-30"}}, "informs_patient.date"),
    ({"informs_patient": "Dr Test"}, "informs_patient"),
    ({"informs_patient": {"person": "Dr\x00Test"}}, "informs_patient.person"),
    ({"study_considered": "perhaps"}, "study_considered"),
    ({"recommendation": "Kurativ\x00"}, "recommendation"),
    ({"recommendation": "x" * 10_001}, "recommendation"),
    ({"colour": "red"}, "colour"),
])
def test_values_are_checked_per_section_kind(chaired, case_on_meeting, values, field):
    protocol = draft(chaired, case_on_meeting)
    with pytest.raises(FieldError) as refused:
        service.save_draft(chaired.actor("coordinator"), chaired.principal("coordinator"),
                           case_on_meeting, protocol, values, protocol.version)
    assert _fields(refused.value) == {field} and refused.value.status == 422
    db.session.expire_all()
    assert db.session.get(Protocol, protocol.id).version == 0  # nothing saved


def test_the_home_region_and_every_kind_are_stored_as_data(chaired, case_on_meeting):
    protocol = filled(chaired, case_on_meeting, treating_unit="home_region")
    assert protocol.values["treating_unit"] == "home_region"
    assert protocol.values["quality_register"] is True
    assert protocol.values["informs_patient"] == {"person": "Remittenten, dr Test",
                                                  "date": "2099-01-15"}


def test_signing_needs_a_chair_set_on_the_meeting(chaired, case_on_meeting):
    protocol = filled(chaired, case_on_meeting)
    chaired.conference.chair_person_id = None
    db.session.commit()
    for who in ("coordinator", "host_member"):
        with pytest.raises(ConflictError) as refused:
            service.sign(chaired.actor(who), chaired.principal(who), case_on_meeting,
                         protocol, protocol.version, True)
        assert refused.value.field == "chair"


def test_only_the_chair_signs(chaired, case_on_meeting):
    protocol = filled(chaired, case_on_meeting)
    for who in ("coordinator", "member"):
        with pytest.raises(service.NotAllowed) as refused:
            service.sign(chaired.actor(who), chaired.principal(who), case_on_meeting,
                         protocol, protocol.version, True)
        assert refused.value.status == 403
    assert db.session.get(Protocol, protocol.id).state == "draft"


def test_signing_needs_the_required_sections_and_the_confirmation(chaired, case_on_meeting):
    protocol = draft(chaired, case_on_meeting)
    with pytest.raises(FieldError) as refused:
        service.sign(chaired.actor("host_member"), chaired.principal("host_member"),
                     case_on_meeting, protocol, protocol.version, False)
    assert _fields(refused.value) == {
        "confirm", "stage", "recommendation", "intent", "treatment", "treating_unit",
        "follow_up", "informs_patient.person", "informs_patient.date", "participants",
        "study_considered", "quality_register"}
    assert case_on_meeting.state == "accepted"


def test_the_signature_locks_the_protocol_and_the_case_is_discussed(chaired, case_on_meeting):
    protocol = signed(chaired, case_on_meeting)
    db.session.expire_all()
    protocol = db.session.get(Protocol, protocol.id)
    assert protocol.state == "signed" and protocol.signed_by == chaired.people["host_member"].id
    assert protocol.signed_at is not None and len(protocol.content_sha256) == 64
    assert service.is_intact(case_on_meeting, protocol)
    assert [s["key"] for s in protocol.sections][:3] == ["question", "review_statement", "stage"]
    case = cases.get_case(case_on_meeting.id)
    assert case.state == "discussed"
    assert case.transitions[-1].action == "discuss"
    assert _actions(case) == ["protocol.create", "protocol.update", "protocol.sign"]
    with pytest.raises(ConflictError) as refused:
        service.save_draft(chaired.actor("coordinator"), chaired.principal("coordinator"),
                           case, protocol, COMPLETE, protocol.version)
    assert refused.value.field == "state"


def test_discuss_is_not_a_move_made_by_hand(chaired, case_on_meeting):
    with pytest.raises(FieldError) as refused:
        cases.move_case(chaired.actor("coordinator"), chaired.principal("coordinator"),
                        case_on_meeting, "discuss", {})
    assert refused.value.field == "action"
    assert "discuss" not in {move.action for move in cases.possible_moves(
        chaired.principal("coordinator"), case_on_meeting)}


def _refused_by_the_database(statement: str, **parameters) -> str:
    with pytest.raises(IntegrityError) as refused, db.session.begin_nested():
        db.session.execute(text(statement), parameters)
    return str(refused.value.orig)


def test_the_database_refuses_to_change_or_delete_a_signed_protocol(chaired, case_on_meeting):
    protocol = signed(chaired, case_on_meeting)
    addendum = service.add_addendum(chaired.actor("coordinator"),
                                    chaired.principal("coordinator"), case_on_meeting,
                                    protocol, "Rättelse: T2N1.", "Felskrivning")
    ids = {"id": protocol.id, "addendum": addendum.id}
    for statement in ("UPDATE protocols SET section_values = '{}' WHERE id = :id",
                      "UPDATE protocols SET signed_by_name = 'Någon annan' WHERE id = :id",
                      "UPDATE protocols SET state = 'draft' WHERE id = :id"):
        assert "signed protocol cannot be changed" in _refused_by_the_database(statement, **ids)
    assert "never deleted" in _refused_by_the_database(
        "DELETE FROM protocols WHERE id = :id", **ids)
    for statement in ("UPDATE protocol_addenda SET text = 'x' WHERE id = :addendum",
                      "DELETE FROM protocol_addenda WHERE id = :addendum"):
        assert "never changed or deleted" in _refused_by_the_database(statement, **ids)
    db.session.expire_all()
    kept = db.session.get(Protocol, protocol.id)
    assert kept.values["stage"] == "T2N0M0" and service.is_intact(case_on_meeting, kept)
    assert db.session.get(ProtocolAddendum, addendum.id).text == "Rättelse: T2N1."


def test_the_database_keeps_drafts_too(chaired, case_on_meeting):
    protocol = draft(chaired, case_on_meeting)
    db.session.execute(text("UPDATE protocols SET version = version + 1 WHERE id = :id"),
                       {"id": protocol.id})  # a draft changes
    assert "never deleted" in _refused_by_the_database(
        "DELETE FROM protocols WHERE id = :id", id=protocol.id)


def test_an_addendum_needs_text_and_reason_and_is_audited(chaired, case_on_meeting):
    protocol = signed(chaired, case_on_meeting)
    with pytest.raises(FieldError) as refused:
        service.add_addendum(chaired.actor("host_member"), chaired.principal("host_member"),
                             case_on_meeting, protocol, "", "\x00")
    assert _fields(refused.value) == {"text", "reason"}
    service.add_addendum(chaired.actor("host_member"), chaired.principal("host_member"),
                         case_on_meeting, protocol, "Patienten önskar behandling vid SUS.",
                         "Nytt besked från patienten")
    with pytest.raises(service.NotAllowed):  # an MDT member who is not the chair
        service.add_addendum(chaired.actor("member"), chaired.principal("member"),
                             case_on_meeting, protocol, "Text", "Skäl")
    db.session.expire_all()
    assert [a.author_name for a in db.session.get(Protocol, protocol.id).addenda] == [
        chaired.people["host_member"].name]
    assert _actions(case_on_meeting)[-1] == "protocol.addendum"
