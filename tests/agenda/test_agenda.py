"""A meeting's agenda: its default order (urgent, then one block per referring unit, then the
longest waiting), slot times that follow the order, capacity, a case moved to another
meeting or removed with a reason, the stale save refused with nothing lost, the lock at the
cut-off and the audited unlock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from mdk.agenda import service
from mdk.agenda.models import AgendaEvent
from mdk.audit.models import AuditEvent
from mdk.care_areas.service import care_area
from mdk.cases.models import Case, CaseTransition
from mdk.cases.triage import referral_deadline
from mdk.db import utcnow
from mdk.extensions import db
from mdk.validation import ConflictError, FieldError
from tests.agenda.factories import on_agenda
from tests.cases.factories import AREA, _meeting


def _numbers(agenda) -> list[str]:
    return [slot.case.number for slot in agenda.slots]


def _agenda(world):
    db.session.expire_all()
    return service.agenda_of(world.actor("coordinator"), world.conference)


def _change(world, change, **data):
    return change(world.actor("coordinator"), world.principal("coordinator"), world.conference,
                  {"agenda_version": str(world.conference.agenda_version), **data})


def test_the_default_order_is_urgent_then_a_block_per_referrer_then_the_longest_waiting(
        app_ctx, world):
    a_new = on_agenda(world, 0, days_ago=1)
    b_old = on_agenda(world, 1, who="other_referrer", days_ago=9)
    a_old = on_agenda(world, 2, days_ago=5)
    urgent = on_agenda(world, 3, who="other_referrer", days_ago=0, priority="urgent")
    b_new = on_agenda(world, 4, who="other_referrer", days_ago=2)
    # Urgent first; then the other referrer's block (its oldest waited 9 days), oldest first;
    # then the referrer's block, oldest first.
    assert _numbers(_agenda(world)) == [urgent.number, b_old.number, b_new.number,
                                        a_old.number, a_new.number]


def test_slot_times_follow_the_order_by_the_series_slot_length(app_ctx, world):
    for index in range(3):
        on_agenda(world, index, days_ago=3 - index)
    agenda = _agenda(world)
    minutes = care_area(AREA).series_by_key("national").case_slot_minutes
    assert agenda.slot_minutes == minutes == 10
    starts = world.conference.starts_at
    assert [slot.starts_at for slot in agenda.slots] == [
        starts, starts + timedelta(minutes=10), starts + timedelta(minutes=20)]
    assert agenda.slots[0].ends_at == starts + timedelta(minutes=10)
    assert [slot.position for slot in agenda.slots] == [1, 2, 3]


def test_cases_past_the_capacity_are_over_capacity(app_ctx, world):
    cases = [on_agenda(world, index, days_ago=5 - index) for index in range(3)]
    world.conference.capacity = 2
    db.session.commit()
    agenda = _agenda(world)
    assert [slot.over_capacity for slot in agenda.slots] == [False, False, True]
    assert agenda.over_capacity == 1 and agenda.booked == 3
    assert agenda.slots[2].case.id == cases[2].id


def test_placing_a_case_keeps_the_others_in_order_and_the_slots_follow(app_ctx, world):
    first, second, third = (on_agenda(world, index, days_ago=5 - index) for index in range(3))
    _change(world, service.place_case, case_id=str(third.id), position="1")
    agenda = _agenda(world)
    assert _numbers(agenda) == [third.number, first.number, second.number]
    assert agenda.slots[0].starts_at == world.conference.starts_at
    # A new case joins after the cases placed by hand.
    fourth = on_agenda(world, 3, days_ago=30)
    assert _numbers(_agenda(world))[-1] == fourth.number
    assert db.session.scalar(select(AgendaEvent.action).where(
        AgendaEvent.conference_id == world.conference.id)) == "reorder"


def test_the_default_order_comes_back_on_a_reset(app_ctx, world):
    first, second = on_agenda(world, 0, days_ago=5), on_agenda(world, 1, days_ago=1)
    _change(world, service.place_case, case_id=str(second.id), position="1")
    _change(world, service.reset_order)
    assert _numbers(_agenda(world)) == [first.number, second.number]


def test_a_case_moved_to_another_meeting_leaves_this_agenda_and_gets_a_slot_there(
        app_ctx, world):
    staying = on_agenda(world, 0, days_ago=5)
    moving = on_agenda(world, 1, days_ago=2)
    already = on_agenda(world, 2, conference=world.later_conference, days_ago=9)
    _change(world, service.move_to_meeting, case_id=str(moving.id),
            conference_id=str(world.later_conference.id), reason="Mer tid behövs")
    assert _numbers(_agenda(world)) == [staying.number]
    later = service.agenda_of(world.actor("coordinator"), world.later_conference)
    assert _numbers(later) == [already.number, moving.number]
    assert later.slots[1].starts_at == world.later_conference.starts_at + timedelta(minutes=10)
    moved = db.session.get(Case, moving.id)
    assert moved.state == "accepted" and moved.conference_id == world.later_conference.id
    step = moved.transitions[-1]
    assert (step.action, step.reason, step.conference_id) == (
        "reschedule", "Mer tid behövs", world.later_conference.id)
    assert db.session.scalar(select(AuditEvent.id).where(
        AuditEvent.action == "case.reschedule", AuditEvent.object_id == moving.id)) is not None


def test_a_move_to_a_full_or_unknown_meeting_is_refused_at_its_field(app_ctx, world):
    case = on_agenda(world, 0)
    world.later_conference.capacity = 0
    db.session.commit()
    with pytest.raises(ConflictError) as full:
        _change(world, service.move_to_meeting, case_id=str(case.id),
                conference_id=str(world.later_conference.id))
    assert full.value.field == "conference_id"
    for raw in ("abc", "99999999999", str(world.conference.id)):
        with pytest.raises(FieldError) as wrong:
            _change(world, service.move_to_meeting, case_id=str(case.id), conference_id=raw)
        assert wrong.value.field == "conference_id"
    assert db.session.get(Case, case.id).conference_id == world.conference.id


def test_a_case_removed_with_a_reason_waits_for_a_meeting_again(app_ctx, world):
    case = on_agenda(world, 0)
    with pytest.raises(FieldError) as missing:
        _change(world, service.remove_from_agenda, case_id=str(case.id), reason="  ")
    assert missing.value.field == "reason"
    _change(world, service.remove_from_agenda, case_id=str(case.id),
            reason="Patienten vill vänta")
    removed = db.session.get(Case, case.id)
    assert (removed.state, removed.conference_id) == ("submitted", None)
    step = removed.transitions[-1]
    assert (step.action, step.reason, step.conference_id) == (
        "unschedule", "Patienten vill vänta", world.conference.id)
    assert db.session.scalar(select(AuditEvent.id).where(
        AuditEvent.action == "case.unschedule", AuditEvent.object_id == case.id)) is not None
    assert _agenda(world).slots == []


def test_a_stale_save_is_refused_and_the_first_one_stays(app_ctx, world):
    first, second, third = (on_agenda(world, index, days_ago=5 - index) for index in range(3))
    opened = str(world.conference.agenda_version)  # both coordinators open the agenda
    service.place_case(world.actor("coordinator"), world.principal("coordinator"),
                       world.conference, {"agenda_version": opened, "case_id": str(third.id),
                                          "position": "1"})
    with pytest.raises(service.AgendaConflict) as conflict:
        service.place_case(world.actor("other_coordinator"),
                           world.principal("other_coordinator"), world.conference,
                           {"agenda_version": opened, "case_id": str(second.id),
                            "position": "1"})
    assert conflict.value.status == 409 and conflict.value.field == "agenda_version"
    assert _numbers(_agenda(world)) == [third.number, first.number, second.number]


def test_a_case_joining_the_agenda_makes_an_open_agenda_stale(app_ctx, world):
    first = on_agenda(world, 0)
    opened = str(world.conference.agenda_version)
    on_agenda(world, 1)
    with pytest.raises(service.AgendaConflict):
        service.place_case(world.actor("coordinator"), world.principal("coordinator"),
                           world.conference, {"agenda_version": opened,
                                              "case_id": str(first.id), "position": "2"})


def _past_cutoff(world):
    """The job's clock: just after the meeting's referral deadline."""
    series = care_area(AREA).series_by_key("national")
    return referral_deadline(world.conference, series) + timedelta(minutes=1)


def test_the_agenda_locks_at_the_cutoff_and_refuses_changes_until_unlocked(app_ctx, world):
    first, second = on_agenda(world, 0, days_ago=5), on_agenda(world, 1, days_ago=1)
    assert service.lock_due_agendas(_past_cutoff(world) - timedelta(minutes=2)) == 0
    assert service.lock_due_agendas(_past_cutoff(world)) == 1
    assert service.lock_due_agendas(_past_cutoff(world)) == 0  # idempotent
    db.session.refresh(world.conference)
    assert world.conference.status == "agenda_locked"
    with pytest.raises(ConflictError) as locked:
        _change(world, service.place_case, case_id=str(second.id), position="1")
    assert locked.value.field == "agenda"
    with pytest.raises(ConflictError):
        _change(world, service.remove_from_agenda, case_id=str(second.id), reason="Nej")
    with pytest.raises(FieldError) as no_reason:
        _change(world, service.unlock, reason="")
    assert no_reason.value.field == "reason"
    _change(world, service.unlock, reason="Ett brådskande ärende måste in")
    _change(world, service.place_case, case_id=str(second.id), position="1")
    assert _numbers(_agenda(world)) == [second.number, first.number]
    # The job leaves an agenda unlocked by hand open; a coordinator locks it again.
    assert service.lock_due_agendas(_past_cutoff(world)) == 0
    _change(world, service.lock)
    assert world.conference.status == "agenda_locked"
    events = db.session.execute(select(AgendaEvent.action, AgendaEvent.reason, AgendaEvent.actor_id)
                                .where(AgendaEvent.conference_id == world.conference.id)
                                .order_by(AgendaEvent.id)).all()
    coordinator = world.people["coordinator"].id
    assert events == [("lock", None, None), ("unlock", "Ett brådskande ärende måste in",
                                             coordinator),
                      ("reorder", None, coordinator), ("lock", None, coordinator)]
    audited = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.object_type == "conference", AuditEvent.object_id == world.conference.id,
        AuditEvent.action.like("agenda.%")).order_by(AuditEvent.id)).all()
    assert audited == ["agenda.lock", "agenda.unlock", "agenda.reorder", "agenda.lock"]


def test_a_meeting_whose_cutoff_is_ahead_or_that_has_started_is_not_locked(app_ctx, world):
    started = _meeting(world.nhv[2], 0)
    started.starts_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    assert service.lock_due_agendas() == 0
    assert started.status == "planned" and world.conference.status == "planned"


def test_other_people_may_not_change_the_agenda(app_ctx, world):
    case = on_agenda(world, 0)
    from werkzeug.exceptions import Forbidden, NotFound

    for who, refused in (("member", Forbidden), ("reviewer", Forbidden),
                         ("referrer", Forbidden), ("crs_coordinator", NotFound)):
        with pytest.raises(refused):
            service.place_case(world.actor(who), world.principal(who), world.conference,
                               {"agenda_version": str(world.conference.agenda_version),
                                "case_id": str(case.id), "position": "1"})
    assert db.session.scalar(select(CaseTransition.id).where(
        CaseTransition.action == "reschedule")) is None


def test_a_stale_page_acting_on_a_case_moved_away_gets_the_conflict(app_ctx, world):
    staying, moving = on_agenda(world, 0), on_agenda(world, 1)
    opened = str(world.conference.agenda_version)
    _change(world, service.move_to_meeting, case_id=str(moving.id),
            conference_id=str(world.later_conference.id))
    for change, data in ((service.remove_from_agenda, {"reason": "Dubblett"}),
                         (service.place_case, {"position": "1"})):
        with pytest.raises(service.AgendaConflict):
            change(world.actor("other_coordinator"), world.principal("other_coordinator"),
                   world.conference, {"agenda_version": opened, "case_id": str(moving.id),
                                      **data})
    moved = db.session.get(Case, moving.id)
    assert (moved.state, moved.conference_id) == ("accepted", world.later_conference.id)
    assert _numbers(_agenda(world)) == [staying.number]
