"""The PROM follow-up through its service: the time points made when the case is reported,
their due days following the treatment start, the end of treatment and the meeting, who
records, every field's rule with its field named, the audited correction, and a patient
not treated."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from werkzeug.exceptions import Forbidden, NotFound

from mdk.audit.models import AuditEvent
from mdk.conferences.service import add_months
from mdk.db import clock_set_to
from mdk.extensions import db
from mdk.proms import service
from mdk.proms.models import PromFollowUp
from mdk.validation import ConflictError, FieldError, every_error
from tests.proms.factories import (
    AREA_POINTS,
    dates_recorded,
    recorded_prom,
    reported_with_points,
    row,
)
from tests.treatment.factories import TREATING_INDEX, recorded


def _events(case, action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.object_id == case.id, AuditEvent.action == action).order_by(AuditEvent.id)))


def _fields(error: FieldError) -> set[str]:
    return {one.field for one in every_error(error)}


def _meeting_day(case) -> date:
    return service.local_day(case.conference.starts_at)


def test_the_care_plans_prom_time_points_are_made_when_the_case_is_reported(chaired,
                                                                          reported):
    rows = service.follow_ups_of(reported)
    assert [one.position for one in rows] == list(range(1, AREA_POINTS + 1))
    first, second, lars = rows[0], rows[1], rows[2]
    assert (first.what, first.instrument) == ("Livskvalitet före behandling",
                                              "EORTC QLQ-C30 och QLQ-ANL27")
    assert (first.count, first.unit, first.anchor) == (0, "days", "treatment_start")
    assert (second.count, second.unit, second.anchor) == (3, "months", "treatment_end")
    assert lars.instrument == "LARS-score" and lars.section == "prom"
    assert all(one.due_on is None and one.status is None for one in rows)  # no anchor yet
    schedule = service.schedule_of(reported)
    assert schedule.treating_unit_id == chaired.nhv[TREATING_INDEX].id
    assert schedule.meeting_on == _meeting_day(reported)
    assert all(one.care_plan_id == schedule.care_plan_id is not None for one in rows)


def test_the_treatment_start_and_its_correction_set_the_due_days(chaired, reported):
    day = _meeting_day(reported)
    recorded(chaired, reported)
    assert row(reported, 1).due_on == day  # 0 days after the start
    assert row(reported, 2).due_on is None  # counted from the end, not known yet
    with clock_set_to(service.utcnow() + timedelta(days=3)):
        later = day + timedelta(days=2)
        recorded(chaired, reported, started_on=later.isoformat())
    assert row(reported, 1).due_on == later


def test_the_end_of_treatment_sets_the_due_days_counted_from_it(chaired, reported):
    recorded(chaired, reported)
    end = service.today()
    dates_recorded(chaired, reported, treatment_ended_on=end.isoformat())
    assert row(reported, 2).due_on == add_months(end, 3)
    assert row(reported, 3).due_on == add_months(end, 12)
    [event] = _events(reported, "prom.dates")
    assert event.details["treatment_ended_on"] == end.isoformat()
    assert event.details["previous_treatment_ended_on"] is None


@pytest.mark.parametrize(("days", "field"), [
    ({"treatment_ended_on": "2999-01-01"}, "treatment_ended_on"),
    ({"treatment_ended_on": "2026-02-30"}, "treatment_ended_on"),
    ({"treatment_ended_on": "2000-01-01"}, "treatment_ended_on"),  # before the meeting
    ({"discharged_on": "x\x00"}, "discharged_on"),
    ({"ended": "2026-01-01"}, "ended"),
])
def test_the_days_are_checked_and_named(chaired, reported, days, field):
    with pytest.raises(FieldError) as refused:
        dates_recorded(chaired, reported, **days)
    assert _fields(refused.value) == {field}
    assert service.schedule_of(reported).treatment_ended_on is None


def test_time_points_after_the_meeting_or_on_a_date_are_due_at_once(chaired,
                                                                   case_on_meeting):
    case = reported_with_points(chaired, case_on_meeting, [
        {"what": "Baslinje", "instrument": "EQ-5D", "count": 2, "unit": "weeks",
         "from": "conference"},
        {"what": "Ettårskontroll", "instrument": "EQ-5D", "date": "2027-06-01"}])
    first, fixed = service.follow_ups_of(case)
    assert first.due_on == _meeting_day(case) + timedelta(weeks=2)
    assert (fixed.fixed_on, fixed.due_on, fixed.anchor) == (date(2027, 6, 1),
                                                            date(2027, 6, 1), None)


def test_recording_a_time_point_done_with_its_score(chaired, reported):
    recorded(chaired, reported)
    done = recorded_prom(chaired, reported, 1, score="73,5", note="Via 1177")
    assert (done.status, done.completed_on) == ("done", service.today())
    assert done.score == Decimal("73.50") and done.note == "Via 1177"
    assert done.recorded_by == chaired.people["treating_staff"].id
    [event] = _events(reported, "prom.record")
    assert event.details == {"position": 1, "status": "done",
                             "completed_on": service.today().isoformat(), "score": "73.50"}
    assert event.patient_id == reported.patient_id


@pytest.mark.parametrize("status", ["declined", "not_reached"])
def test_declined_and_not_reached_have_no_day(chaired, reported, status):
    marked = recorded_prom(chaired, reported, 2, status=status, completed_on=None)
    assert marked.status == status and marked.completed_on is None and marked.score is None


def test_a_correction_is_audited_with_what_it_said_before(chaired, reported):
    recorded_prom(chaired, reported, 2, status="not_reached", completed_on=None)
    corrected = recorded_prom(chaired, reported, 2, who="coordinator", score="12")
    assert corrected.status == "done" and corrected.corrected_by_name
    [event] = _events(reported, "prom.correct")
    assert event.details["previous_status"] == "not_reached"
    assert event.details["status"] == "done" and event.details["score"] == "12.00"
    recorded_prom(chaired, reported, 2, who="coordinator", score="12.00")  # the same again
    assert len(_events(reported, "prom.correct")) == 1


@pytest.mark.parametrize(("data", "expected"), [
    ({"status": None, "completed_on": None}, {"status"}),
    ({"status": "maybe"}, {"status"}),
    ({"status": "Probe\x00"}, {"status"}),
    ({"completed_on": None}, {"completed_on"}),
    ({"completed_on": "2999-01-01"}, {"completed_on"}),
    ({"completed_on": "2000-01-01"}, {"completed_on"}),  # before the meeting
    ({"completed_on": "1.1.2026"}, {"completed_on"}),
    ({"status": "declined"}, {"completed_on"}),  # a day for a questionnaire not done
    ({"status": "declined", "completed_on": None, "score": "4"}, {"score"}),
    ({"score": "abc"}, {"score"}),
    ({"score": "1.234"}, {"score"}),
    ({"score": "1e5"}, {"score"}),
    ({"score": "NaN"}, {"score"}),
    ({"score": True}, {"score"}),
    ({"score": 10**7}, {"score"}),
    ({"note": "a\x00b"}, {"note"}),
    ({"note": "x" * 2001}, {"note"}),
    ({"case_id": 2**31}, {"case_id"}),
])
def test_every_field_is_checked_and_named(chaired, reported, data, expected):
    with pytest.raises(FieldError) as refused:
        recorded_prom(chaired, reported, 2, **data)
    assert _fields(refused.value) == expected
    assert row(reported, 2).status is None


def test_the_fields_are_checked_before_the_time_point_is_looked_up(chaired, reported):
    with pytest.raises(FieldError):
        recorded_prom(chaired, reported, 99, note="a\x00b")
    for position in (99, 0, 2**31, "1"):
        with pytest.raises(NotFound):
            recorded_prom(chaired, reported, position)


def test_a_follow_up_is_not_before_the_day_it_counts_from(chaired, reported):
    recorded(chaired, reported)
    meeting = _meeting_day(reported)
    with clock_set_to(service.utcnow() + timedelta(days=100)):
        end = meeting + timedelta(days=60)
        dates_recorded(chaired, reported, treatment_ended_on=end.isoformat())
        with pytest.raises(FieldError) as refused:
            recorded_prom(chaired, reported, 2,
                          completed_on=(end - timedelta(days=1)).isoformat())
        assert refused.value.field == "completed_on"
        assert recorded_prom(chaired, reported, 2, completed_on=end.isoformat()).status == "done"
        # a baseline (0 days from the start) is often answered in the days before it
        assert recorded_prom(chaired, reported, 1, completed_on=meeting.isoformat()).status \
            == "done"


def test_the_end_of_treatment_is_not_before_its_start(chaired, reported):
    with clock_set_to(service.utcnow() + timedelta(days=10)):
        start = _meeting_day(reported) + timedelta(days=5)
        recorded(chaired, reported, started_on=start.isoformat())
        with pytest.raises(FieldError) as refused:
            dates_recorded(chaired, reported,
                           treatment_ended_on=(start - timedelta(days=1)).isoformat())
        assert refused.value.field == "treatment_ended_on"


@pytest.mark.parametrize("who", ["treating_staff", "coordinator", "other_coordinator"])
def test_the_treating_unit_and_the_coordinators_record(chaired, reported, who):
    assert recorded_prom(chaired, reported, 1, who).recorded_by == chaired.people[who].id


def test_the_referrer_and_other_units_may_not_record(chaired, reported):
    for who in ("referrer", "treating_member"):  # they see the case
        with pytest.raises(Forbidden):
            recorded_prom(chaired, reported, 1, who)
    for who in ("other_referrer", "crs_coordinator", "nobody"):
        with pytest.raises(NotFound):
            recorded_prom(chaired, reported, 1, who)
    assert row(reported, 1).status is None


def test_a_patient_not_treated_has_no_treatment_anchored_time_points_due(chaired, reported):
    recorded(chaired, reported, outcome="not_treated", started_on=None)
    found = service.view_of(reported)
    assert found.not_treated and all(found.excluded(one) for one in found.rows)
    assert all(one.due_on is None for one in found.rows)
    with pytest.raises(ConflictError) as refused:
        recorded_prom(chaired, reported, 1)
    assert refused.value.field == "status"
    with pytest.raises(ConflictError):
        dates_recorded(chaired, reported, treatment_ended_on=service.today().isoformat())
    # corrected to a start: the time points are due again
    recorded(chaired, reported)
    assert row(reported, 1).due_on == _meeting_day(reported)


def test_every_read_is_audited(chaired, reported):
    for who in ("treating_staff", "referrer"):
        found = service.read(chaired.actor(who), chaired.principal(who), reported)
        assert len(found.rows) == AREA_POINTS
    assert len(_events(reported, "prom.read")) == 2


def test_a_case_reported_before_the_feature_gets_its_time_points_when_read(chaired,
                                                                          reported):
    db.session.execute(PromFollowUp.__table__.delete())
    db.session.delete(service.schedule_of(reported))
    db.session.commit()
    found = service.read(chaired.actor("coordinator"), chaired.principal("coordinator"),
                         reported)
    assert len(found.rows) == AREA_POINTS and found.schedule is not None


def test_nothing_before_the_report(chaired, case_on_meeting):
    found = service.read(chaired.actor("coordinator"), chaired.principal("coordinator"),
                         case_on_meeting)
    assert found.schedule is None and found.rows == []
    assert not _events(case_on_meeting, "prom.read")


def test_another_units_staff_may_not_record_the_days(chaired, reported):
    with pytest.raises(Forbidden):
        dates_recorded(chaired, reported, "treating_member",
                       treatment_ended_on=service.today().isoformat())
    assert service.schedule_of(reported).treatment_ended_on is None


def test_a_new_care_plan_version_brings_its_prom_schedule(chaired, reported):
    from mdk.care_plans import service as care_plans
    from tests.care_plans import factories as care_plan

    recorded_prom(chaired, reported, 2, status="not_reached", completed_on=None)
    before = {one.position: one.id for one in service.follow_ups_of(reported)}
    plan = care_plans.revisions_of(reported, care_plans.protocols.protocol_for(reported))[-1]
    draft = care_plans.revise(chaired.actor("coordinator"), chaired.principal("coordinator"),
                              reported, plan)
    baseline = plan.values["prom"][0]
    draft = care_plan.saved(chaired, reported, draft, {**draft.values, "prom": [
        baseline, {"what": "Sexuell hälsa", "instrument": "EORTC SHQ-C22", "count": 6,
                   "unit": "months", "from": "treatment_end"}]})
    care_plan.establish(chaired, reported, draft)
    rows = {one.position: one for one in service.follow_ups_of(reported)}
    assert sorted(rows) == [1, 2, 5]  # 3 and 4 gone (nothing recorded), 2 kept (recorded)
    assert rows[1].id == before[1] and rows[2].id == before[2]
    assert rows[2].status == "not_reached" and rows[5].instrument == "EORTC SHQ-C22"
    assert rows[1].care_plan_id == rows[5].care_plan_id == draft.id
    assert service.schedule_of(reported).care_plan_id == draft.id
    [event] = _events(reported, "prom.replan")
    assert event.details["added"] == 1 and event.details["removed"] == 2


def test_a_day_not_sent_is_kept_and_an_empty_one_clears_it(chaired, reported):
    recorded(chaired, reported)
    end = service.today()
    dates_recorded(chaired, reported, treatment_ended_on=end.isoformat())
    schedule = dates_recorded(chaired, reported, discharged_on=end.isoformat())
    assert (schedule.treatment_ended_on, schedule.discharged_on) == (end, end)
    assert row(reported, 2).due_on == add_months(end, 3)  # still counted from the end
    cleared = dates_recorded(chaired, reported, treatment_ended_on="")
    assert (cleared.treatment_ended_on, cleared.discharged_on) == (None, end)
    assert row(reported, 2).due_on is None
    [*_, last] = _events(reported, "prom.dates")
    assert last.details["treatment_ended_on"] is None
    assert last.details["previous_treatment_ended_on"] == end.isoformat()
    assert last.details["discharged_on"] == end.isoformat()


def _replanned(chaired, case, prom: list[dict]):
    from mdk.care_plans import service as care_plans
    from tests.care_plans import factories as care_plan

    plan = care_plans.revisions_of(case, care_plans.protocols.protocol_for(case))[-1]
    draft = care_plans.revise(chaired.actor("coordinator"), chaired.principal("coordinator"),
                              case, plan)
    draft = care_plan.saved(chaired, case, draft, {**draft.values, "prom": prom})
    care_plan.establish(chaired, case, draft)
    return plan.values.get("prom", [])


def test_a_position_a_replan_removed_is_never_given_to_another_time_point(chaired, reported):
    recorded_prom(chaired, reported, 2, status="not_reached", completed_on=None)
    assert service.schedule_of(reported).positions_used == AREA_POINTS
    baseline = _replanned(chaired, reported, [])[0]  # 1, 3 and 4 go (nothing recorded)
    assert sorted(one.position for one in service.follow_ups_of(reported)) == [2]
    _replanned(chaired, reported, [baseline, {
        "what": "Sexuell hälsa", "instrument": "EORTC SHQ-C22", "count": 6,
        "unit": "months", "from": "treatment_end"}])
    rows = {one.position: one for one in service.follow_ups_of(reported)}
    assert sorted(rows) == [2, AREA_POINTS + 1, AREA_POINTS + 2]  # never 1, 3 or 4 again
    assert rows[AREA_POINTS + 1].what == baseline["what"]
    assert rows[AREA_POINTS + 2].instrument == "EORTC SHQ-C22"
    assert service.schedule_of(reported).positions_used == AREA_POINTS + 2
