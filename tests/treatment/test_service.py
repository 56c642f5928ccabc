"""Recording the treatment start through the service: the follow-up made when the case is
reported (treating unit, target day, reminder day), the record that closes the case, who may
make it, every field's rule with its field named, and the audited correction."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.exceptions import Forbidden, NotFound

from mdk.audit.models import AuditEvent
from mdk.calendar.closures import working_days_before
from mdk.cases import service as cases
from mdk.conferences.queries import closures_between
from mdk.extensions import db
from mdk.treatment import service
from mdk.treatment.models import TreatmentOutcome
from mdk.validation import ConflictError, FieldError, every_error
from tests.agenda.factories import on_agenda
from tests.protocols import factories as protocol
from tests.treatment.factories import TREATING_INDEX, recorded


def _events(case, action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.object_id == case.id, AuditEvent.action == action).order_by(AuditEvent.id)))


def _meeting_day(case):
    return service.local_day(case.conference.starts_at)


def _fields(error: FieldError) -> dict[str, str]:
    return {one.field: str(one.message) for one in every_error(error)}


def test_a_reported_case_waits_for_its_treatment_with_the_target_day(chaired, reported):
    row = service.follow_up_of(reported)
    assert reported.state == "reported" and row is not None and not row.recorded
    assert row.treating_unit_id == chaired.nhv[TREATING_INDEX].id  # the protocol's unit
    assert row.conference_id == chaired.conference.id
    day = _meeting_day(reported)
    assert row.due_on == day + timedelta(days=17)  # anal cancer: 17 calendar days
    closures = closures_between(reported.care_area, day, row.due_on)
    assert row.remind_on == working_days_before(row.due_on, 3, closures)


def test_recording_the_start_closes_the_case(chaired, reported):
    row = recorded(chaired, reported)
    assert row.outcome == "started" and row.started_on == _meeting_day(reported)
    assert row.recorded_by == chaired.people["referrer"].id
    db.session.refresh(reported)
    assert reported.state == "closed"
    assert [t.action for t in reported.transitions][-1] == "close"
    [event] = _events(reported, "treatment.record")
    assert event.details["outcome"] == "started" and event.patient_id == reported.patient_id
    assert _events(reported, "case.close")


def test_the_close_move_is_not_made_by_hand(chaired, reported):
    with pytest.raises(FieldError) as refused:
        cases.move_case(chaired.actor("coordinator"), chaired.principal("coordinator"),
                        reported, "close", {})
    assert refused.value.field == "action"
    moves = cases.possible_moves(chaired.principal("coordinator"), reported)
    assert "close" not in {move.action for move in moves}


@pytest.mark.parametrize("who", ["referrer", "treating_staff", "coordinator",
                                 "other_coordinator"])
def test_the_referrer_the_treating_unit_and_the_coordinators_record(chaired, reported, who):
    row = recorded(chaired, reported, who)
    assert row.recorded_by == chaired.people[who].id


def test_staff_of_another_unit_may_not_record_and_other_areas_do_not_see_it(chaired,
                                                                            reported):
    # A member of an NHV unit the care plan does not name: sees the case, may not record.
    with pytest.raises(Forbidden):
        recorded(chaired, reported, "treating_member")
    for who in ("other_referrer", "crs_coordinator", "nobody"):
        with pytest.raises(NotFound):
            recorded(chaired, reported, who)
    assert not service.follow_up_of(reported).recorded


def test_a_case_not_yet_reported_is_refused(chaired, case_on_meeting):
    protocol.signed(chaired, case_on_meeting)  # discussed, no report yet
    with pytest.raises(ConflictError) as refused:
        recorded(chaired, case_on_meeting)
    assert refused.value.field == "state"


@pytest.mark.parametrize(("data", "expected"), [
    ({"outcome": None, "adherence": None}, {"outcome", "adherence"}),
    ({"outcome": "maybe"}, {"outcome"}),
    ({"started_on": None}, {"started_on"}),
    ({"started_on": "2026-02-30"}, {"started_on"}),
    ({"started_on": "1.1.2026"}, {"started_on"}),
    ({"started_on": 20260101}, {"started_on"}),
    ({"outcome": "not_treated"}, {"started_on"}),  # a date given for no treatment
    ({"adherence": "deviated"}, {"deviation_reason"}),
    ({"adherence": "deviated", "deviation_reason": "whim"}, {"deviation_reason"}),
    ({"deviation_reason": "capacity"}, {"deviation_reason"}),  # followed, with a reason
    ({"adherence": "deviated", "deviation_reason": "other"}, {"note"}),
    ({"note": "Start\x00ad"}, {"note"}),
    ({"note": "x" * 2001}, {"note"}),
    ({"case_id": 2**31}, {"case_id"}),
])
def test_every_field_is_checked_and_named(chaired, reported, data, expected):
    with pytest.raises(FieldError) as refused:
        recorded(chaired, reported, **data)
    assert set(_fields(refused.value)) == expected
    assert reported.state == "reported" and not service.follow_up_of(reported).recorded


def test_the_start_is_not_before_the_meeting_nor_after_today(chaired, reported):
    today = service.local_day(service.utcnow())
    for day in (_meeting_day(reported) - timedelta(days=1), today + timedelta(days=1)):
        with pytest.raises(FieldError) as refused:
            recorded(chaired, reported, started_on=day.isoformat())
        assert refused.value.field == "started_on"
    row = recorded(chaired, reported, started_on=today.isoformat())
    assert row.started_on == today


def test_not_treated_with_a_deviation_and_its_reason(chaired, reported):
    row = recorded(chaired, reported, outcome="not_treated", started_on=None,
                   adherence="deviated", deviation_reason="patient_declined",
                   note="Avböjde efter samtal.")
    assert (row.outcome, row.started_on, row.deviation_reason) == \
        ("not_treated", None, "patient_declined")
    assert reported.state == "closed"


def test_a_correction_is_audited_with_what_it_said_before(chaired, reported):
    first = recorded(chaired, reported, outcome="not_treated", started_on=None,
                     adherence="deviated", deviation_reason="capacity")
    row = recorded(chaired, reported, "treating_staff")
    assert row.id == first.id and row.outcome == "started" and row.deviation_reason is None
    assert row.recorded_by == chaired.people["referrer"].id
    assert row.corrected_by == chaired.people["treating_staff"].id
    [event] = _events(reported, "treatment.correct")
    assert event.details["previous_outcome"] == "not_treated"
    assert event.details["previous_deviation_reason"] == "capacity"
    assert event.details["outcome"] == "started"
    assert reported.state == "closed" and len(_events(reported, "case.close")) == 1
    recorded(chaired, reported)  # the same again: nothing changed, nothing logged
    assert len(_events(reported, "treatment.correct")) == 1


def test_one_follow_up_per_case(chaired, reported):
    service.start_follow_up(reported)
    count = db.session.scalar(select(db.func.count()).select_from(TreatmentOutcome)
                              .where(TreatmentOutcome.case_id == reported.id))
    assert count == 1


def test_another_case_on_the_meeting_is_untouched(chaired, reported):
    other = on_agenda(chaired, 1, conference=chaired.later_conference)
    recorded(chaired, reported)
    assert service.follow_up_of(other) is None and other.state == "accepted"
