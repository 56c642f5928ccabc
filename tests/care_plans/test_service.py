"""The care plan's rules: a draft prefilled from the signed protocol, the treating unit and
the area file; rows edited and checked per kind; saves guarded by a version; established
once the protocol is signed, then locked in the service and in the database (both
engines); a revision is a new version and the old one stays; every step audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from mdk.audit.models import AuditEvent
from mdk.care_plans import service
from mdk.care_plans.models import CarePlan
from mdk.extensions import db
from mdk.protocols import service as protocols
from mdk.validation import ConflictError, FieldError, every_error
from tests.care_plans.factories import (
    OWN_SECTIONS,
    complete,
    establish,
    established,
    opened,
    saved,
)
from tests.protocols import factories as protocol


def _actions(case) -> list[str]:
    return list(db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "case",
                                        AuditEvent.object_id == case.id,
                                        AuditEvent.action.like("care_plan.%"))
        .order_by(AuditEvent.id)))


def _fields(error: FieldError) -> set[str]:
    return {one.field for one in every_error(error)}


def test_a_draft_starts_from_the_protocol_the_treating_unit_and_the_area_file(
        chaired, case_on_meeting):
    protocol.signed(chaired, case_on_meeting)
    plan = opened(chaired, case_on_meeting)
    values = plan.values
    assert plan.revision == 1 and plan.state == "draft" and plan.version == 0
    assert values["recommendation"] == protocol.COMPLETE["recommendation"]
    assert values["treatment_plan"] == protocol.COMPLETE["treatment"]
    assert values["diagnosis"] == "T2N0M0"
    assert values["treating_unit"] == "SE2321000131-AC02"
    treating = chaired.nhv[1]
    assert values["nhv_unit_contact"].splitlines()[:3] == [
        treating.name, f"Telefon: {treating.phone}", f"Funktionsbrevlåda: {treating.mailbox}"]
    assert [row["profession"] for row in values["rehabilitation"]] == [
        "Tarmterapeut", "Uroterapeut", "Sexolog", "Kontaktsjuksköterska", "Fysioterapeut",
        "Dietist"]
    assert values["prom"][1] == {"what": "Livskvalitet och besvär", "count": 3,
                                 "unit": "months", "from": "treatment_end",
                                 "instrument": "EORTC QLQ-C30 och QLQ-ANL27"}
    assert "contact_nurse" not in values
    assert opened(chaired, case_on_meeting).id == plan.id  # one plan per case and meeting
    assert _actions(case_on_meeting) == ["care_plan.create"]


def test_rows_are_edited_and_stored_as_data(chaired, case_on_meeting):
    protocol.signed(chaired, case_on_meeting)
    plan = opened(chaired, case_on_meeting)
    rehabilitation = plan.values["rehabilitation"][:2]
    rehabilitation[1] = {**rehabilitation[1], "time_point": "Vid behov"}
    plan = saved(chaired, case_on_meeting, plan, {
        **plan.values,
        "rehabilitation": [*rehabilitation, {"need": "", "profession": "", "action": ""}],
        "follow_up": [{"what": "Kontroll", "count": "6", "unit": "weeks", "from": "discharge",
                       "instrument": "", "date": ""},
                      {"what": "MR bäcken", "date": "2099-06-01", "count": ""}]})
    db.session.expire_all()
    values = db.session.get(CarePlan, plan.id).values
    assert values["rehabilitation"] == rehabilitation
    assert values["follow_up"] == [
        {"what": "Kontroll", "count": 6, "unit": "weeks", "from": "discharge"},
        {"what": "MR bäcken", "date": "2099-06-01"}]


ROW = {"need": "Tarm", "profession": "Tarmterapeut"}
AT = {"what": "Kontroll", "count": "3", "unit": "months", "from": "treatment_end"}


@pytest.mark.parametrize(("values", "field"), [
    ({"treating_unit": "SE2321000016-CH02"}, "treating_unit"),  # a CRS/HIPEC unit
    ({"contact_nurse": "Anna\x00"}, "contact_nurse"),
    ({"contact_nurse": "x" * 10_001}, "contact_nurse"),
    ({"rehabilitation": "Tarm"}, "rehabilitation"),
    ({"rehabilitation": [ROW, {"need": "Hud", "profession": ""}]}, "rehabilitation.1.profession"),
    ({"rehabilitation": [{**ROW, "need": "Tarm\x00"}]}, "rehabilitation.0.need"),
    ({"rehabilitation": [{**ROW, "action": "x" * 1_001}]}, "rehabilitation.0.action"),
    ({"rehabilitation": [{**ROW, "colour": "red"}]}, "rehabilitation.0"),
    ({"follow_up": [{**AT, "unit": "fortnights"}]}, "follow_up.0.unit"),
    ({"follow_up": [{**AT, "count": "2147483648"}]}, "follow_up.0.count"),
    ({"follow_up": [{**AT, "date": "2099-01-01"}]}, "follow_up.0.date"),
    ({"follow_up": [{"what": "Kontroll", "date": "2099-02-30"}]}, "follow_up.0.date"),
    ({"follow_up": [{"what": "Kontroll"}]}, "follow_up.0.count"),
    ({"prom": [AT]}, "prom.0.instrument"),
    ({"colour": "red"}, "colour"),
])
def test_values_are_checked_per_section_kind(chaired, case_on_meeting, values, field):
    protocol.signed(chaired, case_on_meeting)
    plan = opened(chaired, case_on_meeting)
    with pytest.raises(FieldError) as refused:
        saved(chaired, case_on_meeting, plan, values)
    assert _fields(refused.value) == {field} and refused.value.status == 422
    db.session.expire_all()
    assert db.session.get(CarePlan, plan.id).version == 0  # nothing saved


def test_a_stale_save_is_a_conflict_and_the_first_save_stays(chaired, case_on_meeting):
    protocol.signed(chaired, case_on_meeting)
    plan = opened(chaired, case_on_meeting)
    coordinator, principal = chaired.actor("coordinator"), chaired.principal("coordinator")
    service.save_draft(coordinator, principal, case_on_meeting, plan,
                       {"contact_nurse": "Först"}, 0)
    with pytest.raises(ConflictError) as refused:
        service.save_draft(coordinator, principal, case_on_meeting, plan,
                           {"contact_nurse": "Sedan"}, 0)
    assert refused.value.field == "version" and refused.value.status == 409
    db.session.expire_all()
    kept = db.session.get(CarePlan, plan.id)
    assert kept.values == {"contact_nurse": "Först"} and kept.version == 1


def test_establishing_needs_a_signed_protocol_the_required_sections_and_a_confirmation(
        chaired, case_on_meeting):
    protocol.filled(chaired, case_on_meeting)  # a protocol draft: the plan may start
    plan = opened(chaired, case_on_meeting)
    assert "recommendation" in plan.values
    with pytest.raises(ConflictError) as refused:
        establish(chaired, case_on_meeting, complete(chaired, case_on_meeting, plan))
    assert refused.value.field == "protocol"
    draft = protocols.protocol_for(case_on_meeting)
    protocols.sign(chaired.actor("host_member"), chaired.principal("host_member"),
                   case_on_meeting, draft, draft.version, True)
    plan = saved(chaired, case_on_meeting, plan, {
        key: value for key, value in plan.values.items() if key not in OWN_SECTIONS})
    with pytest.raises(FieldError) as refused:
        service.establish(chaired.actor("coordinator"), chaired.principal("coordinator"),
                          case_on_meeting, plan, plan.version, False)
    assert _fields(refused.value) == {"confirm", "contact_nurse", "contact_questions"}
    assert db.session.get(CarePlan, plan.id).state == "draft"


def test_the_chair_establishes_and_another_member_may_not_write(chaired, case_on_meeting):
    protocol.signed(chaired, case_on_meeting)
    with pytest.raises(service.NotAllowed) as refused:
        opened(chaired, case_on_meeting, "member")
    assert refused.value.status == 403
    plan = complete(chaired, case_on_meeting, opened(chaired, case_on_meeting, "host_member"))
    plan = establish(chaired, case_on_meeting, plan, "host_member")
    assert plan.established_by == chaired.people["host_member"].id


def _refused_by_the_database(statement: str, **parameters) -> str:
    with pytest.raises(IntegrityError) as refused, db.session.begin_nested():
        db.session.execute(text(statement), parameters)
    return str(refused.value.orig)


def test_an_established_plan_refuses_change_in_the_service_and_the_database(
        chaired, case_on_meeting):
    plan = established(chaired, case_on_meeting)
    assert plan.sections is not None and plan.established_at is not None
    with pytest.raises(ConflictError) as refused:
        saved(chaired, case_on_meeting, plan, {"contact_nurse": "Ny"})
    assert refused.value.field == "state"
    for statement in ("UPDATE care_plans SET section_values = '{}' WHERE id = :id",
                      "UPDATE care_plans SET state = 'draft' WHERE id = :id"):
        assert "established care plan cannot be changed" in _refused_by_the_database(
            statement, id=plan.id)
    assert "never deleted" in _refused_by_the_database(
        "DELETE FROM care_plans WHERE id = :id", id=plan.id)
    db.session.expire_all()
    kept = db.session.get(CarePlan, plan.id)
    assert kept.state == "established" and kept.values["contact_nurse"] == \
        OWN_SECTIONS["contact_nurse"]


def test_revise_makes_version_2_and_keeps_version_1(chaired, case_on_meeting):
    first = established(chaired, case_on_meeting)
    second = service.revise(chaired.actor("coordinator"), chaired.principal("coordinator"),
                            case_on_meeting, first)
    assert (second.revision, second.state, second.values) == (2, "draft", first.values)
    with pytest.raises(ConflictError):  # only the latest is revised
        service.revise(chaired.actor("coordinator"), chaired.principal("coordinator"),
                       case_on_meeting, first)
    second = saved(chaired, case_on_meeting, second,
                   {**second.values, "contact_nurse": "Bo Testsköterska"})
    establish(chaired, case_on_meeting, second)
    db.session.expire_all()
    revisions = service.revisions_of(case_on_meeting, first.protocol)
    assert [(p.revision, p.state) for p in revisions] == [(1, "established"),
                                                          (2, "established")]
    assert revisions[0].values["contact_nurse"] == OWN_SECTIONS["contact_nurse"]
    assert revisions[1].values["contact_nurse"] == "Bo Testsköterska"
    proms = service.prom_time_points(revisions[1])
    assert len(proms) == 4 and all(p["section"] == "prom" and p["instrument"] for p in proms)
    assert _actions(case_on_meeting) == [
        "care_plan.create", "care_plan.update", "care_plan.establish", "care_plan.revise",
        "care_plan.update", "care_plan.establish"]
