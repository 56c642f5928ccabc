"""A case's open secondary reviews follow it when the agenda moves it to another meeting, and
are cancelled when it is removed from the agenda (reopened once it is accepted again)."""

from __future__ import annotations

from mdk.agenda import service
from mdk.extensions import db
from tests.cases.factories import accept, refer
from tests.reviews.helpers import by_competence, host_reviewers, reviewer


def _change(world, change, **data):
    return change(world.actor("coordinator"), world.principal("coordinator"), world.conference,
                  {"agenda_version": str(world.conference.agenda_version), **data})


def test_open_reviews_follow_a_case_moved_to_another_meeting(app, world):
    host_reviewers(world)
    case = accept(world, refer(world))
    assert {task.host_unit_id for task in by_competence(case).values()} == {world.nhv[0].id}
    new_radiologist = reviewer(world.nhv[1], "radiologist")
    _change(world, service.move_to_meeting, case_id=str(case.id),
            conference_id=str(world.later_conference.id))
    db.session.expire_all()
    tasks = by_competence(case)
    assert {task.state for task in tasks.values()} == {"open"}
    assert {task.conference_id for task in tasks.values()} == {world.later_conference.id}
    assert tasks["radiologist"].host_unit_id == world.nhv[1].id
    assert tasks["radiologist"].assignee_id == new_radiologist.id


def test_reviews_of_a_removed_case_are_cancelled_and_reopen_when_it_is_accepted_again(
        app, world):
    host_reviewers(world)
    case = accept(world, refer(world))
    _change(world, service.remove_from_agenda, case_id=str(case.id), reason="Ny fråga")
    db.session.expire_all()
    assert {task.state for task in by_competence(case).values()} == {"cancelled"}
    accept(world, case)
    db.session.expire_all()
    assert {task.state for task in by_competence(case).values()} == {"open"}
