"""Open tasks follow the case's meeting and its host (override, swap, defer); done tasks stay;
a withdrawn case's open tasks are cancelled; late tasks are told once."""

from __future__ import annotations

from datetime import timedelta

from mdk.audit.service import actor_for
from mdk.cases import service as cases
from mdk.conferences import service as conferences
from mdk.db import utcnow
from mdk.extensions import db
from mdk.reviews import service
from tests.cases.factories import accept, refer
from tests.reviews.helpers import by_competence, host_reviewers, mails, reviewer


def _done(world, task, staff):
    from mdk.access.policy import principal_for

    person = staff[task.competence]
    return service.write_review(actor_for(person), principal_for(person), task,
                                {"statement": "Inga avvikelser.", "discrepancy": "concordant",
                                 "comment": None})


def _new_host_staff(world):
    unit = world.nhv[1]
    return {"radiologist": reviewer(unit, "radiologist"),
            "nuclear_medicine_physician": reviewer(unit, "nuclear_medicine_physician")}


def _check_moved(world, case, staff, new_staff, old_due, new_conference):
    tasks = by_competence(case)
    pathology = tasks["pathologist"]
    assert pathology.state == "done" and pathology.host_unit_id == world.nhv[0].id
    assert pathology.assignee_id == staff["pathologist"].id
    assert pathology.item.availability_at(world.nhv[1].id) is None
    for competence in ("radiologist", "nuclear_medicine_physician"):
        task = tasks[competence]
        assert task.state == "open"
        assert task.host_unit_id == world.nhv[1].id
        assert task.assignee_id == new_staff[competence].id
        assert task.due_at == service.due_for(new_conference)
        assert task.item.availability_at(world.nhv[1].id).status == "requested"
        assert len(mails("review.assigned", new_staff[competence])) == 1
    return tasks


def test_override_host_moves_open_tasks(app, world):
    staff = host_reviewers(world)
    case = accept(world, refer(world))
    _done(world, by_competence(case)["pathologist"], staff)
    new_staff = _new_host_staff(world)
    old_due = by_competence(case)["radiologist"].due_at
    conferences.override_host(world.actor("coordinator"), world.conference,
                              world.nhv[1].id, "Sjukdom")
    db.session.expire_all()
    _check_moved(world, case, staff, new_staff, old_due, world.conference)


def test_swapping_hosts_moves_open_tasks_both_ways(app, world):
    staff = host_reviewers(world)
    case = accept(world, refer(world))
    _done(world, by_competence(case)["pathologist"], staff)
    new_staff = _new_host_staff(world)
    conferences.swap_hosts(world.actor("coordinator"), world.conference,
                           world.later_conference, "Byte")
    db.session.expire_all()
    assert world.conference.host_unit_id == world.nhv[1].id
    _check_moved(world, case, staff, new_staff, None, world.conference)


def test_deferring_to_a_meeting_with_another_host_moves_open_tasks(app, world):
    staff = host_reviewers(world)
    case = accept(world, refer(world))
    _done(world, by_competence(case)["pathologist"], staff)
    new_staff = _new_host_staff(world)
    cases.move_case(world.actor("coordinator"), world.principal("coordinator"), case, "defer",
                    {"conference_id": world.later_conference.id, "reason": "PET saknas"})
    db.session.expire_all()
    tasks = _check_moved(world, case, staff, new_staff, None, world.later_conference)
    assert tasks["radiologist"].conference_id == world.later_conference.id
    assert tasks["pathologist"].conference_id == world.conference.id


def test_a_rolled_back_host_change_moves_nothing(app, world):
    host_reviewers(world)
    case = accept(world, refer(world))
    _new_host_staff(world)
    world.conference.host_unit_id = world.nhv[1].id
    db.session.rollback()
    db.session.commit()
    assert all(task.host_unit_id == world.nhv[0].id for task in by_competence(case).values())


def test_withdrawing_cancels_open_tasks_and_keeps_done_ones(app, world):
    staff = host_reviewers(world)
    case = accept(world, refer(world))
    _done(world, by_competence(case)["pathologist"], staff)
    cases.move_case(world.actor("referrer"), world.principal("referrer"), case, "withdraw",
                    {"reason": "Patienten avstår"})
    states = {competence: task.state for competence, task in by_competence(case).items()}
    assert states == {"pathologist": "done", "radiologist": "cancelled",
                      "nuclear_medicine_physician": "cancelled"}


def test_a_late_task_is_told_to_the_host_coordinators_once(app, world):
    staff = host_reviewers(world)
    case = accept(world, refer(world))
    _done(world, by_competence(case)["pathologist"], staff)
    task = by_competence(case)["radiologist"]
    before = task.due_at - timedelta(minutes=1)
    assert service.escalate_reviews(before).late_told == 0
    after = task.due_at + timedelta(minutes=1)
    result = service.escalate_reviews(after)
    assert result.late_told == 2  # radiology and nuclear medicine; pathology is done
    told = mails("review.late", world.people["coordinator"])
    assert len(told) == 2 and case.number in told[0].subject
    assert not mails("review.late", world.people["other_coordinator"])
    assert service.escalate_reviews(after + timedelta(hours=1)).late_told == 0
    assert len(mails("review.late", world.people["coordinator"])) == 2


def test_an_unassigned_task_is_assigned_once_someone_is_there(app, world):
    case = accept(world, refer(world))
    assert by_competence(case)["radiologist"].assignee_id is None
    late_comer = reviewer(world.nhv[0], "radiologist")
    result = service.escalate_reviews(utcnow())
    assert result.assigned == 1
    assert by_competence(case)["radiologist"].assignee_id == late_comer.id
    assert len(mails("review.assigned", late_comer)) == 1


def test_the_scheduler_lists_the_job(app):
    from scheduler.registry import JOBS

    job = next(job for job in JOBS if job.id == "review-escalation")
    assert job.trigger == "interval" and job.trigger_args == {"minutes": 15}


def test_a_host_set_directly_and_committed_moves_tasks(app, world):
    """The planner sets conference.host_unit_id and commits (no service of its own to hook)."""
    staff = host_reviewers(world)
    case = accept(world, refer(world))
    _done(world, by_competence(case)["pathologist"], staff)
    new_staff = _new_host_staff(world)
    world.conference.host_unit_id = world.nhv[1].id
    db.session.commit()
    db.session.expire_all()
    _check_moved(world, case, staff, new_staff, None, world.conference)


def test_moving_the_meeting_moves_the_due_time(app, world):
    host_reviewers(world)
    case = accept(world, refer(world))
    world.conference.starts_at = world.conference.starts_at + timedelta(days=7)
    world.conference.ends_at = world.conference.ends_at + timedelta(days=7)
    db.session.commit()
    db.session.expire_all()
    for task in by_competence(case).values():
        assert task.due_at == service.due_for(world.conference)
        assert task.host_unit_id == world.nhv[0].id
