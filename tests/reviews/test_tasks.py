"""Review tasks: made when a case is accepted, due noon the working day before the meeting,
assigned by competence, load and absence; the coordinators told when nobody can take one."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from mdk.cases import service as cases
from mdk.extensions import db
from mdk.material.models import MaterialItem
from mdk.people import service as people
from mdk.reviews import service
from tests.cases.factories import accept, refer
from tests.reviews.helpers import (
    STOCKHOLM,
    by_competence,
    host_reviewers,
    mails,
    meeting_on,
    reviewer,
    tasks_of,
)


def test_accepting_a_case_makes_one_task_per_reviewed_entry(app, world):
    staff = host_reviewers(world)
    case = accept(world, refer(world))
    tasks = by_competence(case)
    assert set(tasks) == {"pathologist", "radiologist", "nuclear_medicine_physician"}
    kinds = {task.competence: task.item.kind for task in tasks.values()}
    assert kinds == {"pathologist": "pad", "radiologist": "mri",
                     "nuclear_medicine_physician": "pet_ct"}
    for competence, task in tasks.items():
        assert task.state == "open"
        assert task.host_unit_id == world.nhv[0].id
        assert task.conference_id == world.conference.id
        assert task.assignee_id == staff[competence].id
        assert task.item.checklist_key is not None and not task.item.provided
        assert task.item.review_by == competence
        assert len(mails("review.assigned", staff[competence])) == 1
    assert "Testpatient" not in mails("review.assigned")[0].body_text


def test_an_entry_filled_in_before_acceptance_keeps_its_row(app, world):
    case = refer(world)
    item = MaterialItem(case=case, checklist_key="mri_pelvis", kind="mri", required=True,
                        review_by="radiologist", examined_on=date(2026, 1, 5))
    db.session.add(item)
    db.session.commit()
    accept(world, case)
    assert by_competence(case)["radiologist"].item_id == item.id
    assert db.session.scalar(select(db.func.count(MaterialItem.id)).where(
        MaterialItem.case_id == case.id, MaterialItem.checklist_key == "mri_pelvis")) == 1


def test_crs_hipec_ct_goes_to_a_radiologist(app, world):
    from tests.cases.factories import _person

    host = world.nhv[0]
    ct_reader = reviewer(host, "radiologist", area="crs_hipec")
    coordinator = _person(host, "coordinator", "crs_hipec")
    meeting = meeting_on(date.today() + timedelta(days=10), host, area="crs_hipec",
                         series=_crs_series())
    from mdk.access.policy import principal_for
    from mdk.audit.service import actor_for

    case = cases.register_case(actor_for(coordinator), principal_for(coordinator),
                               _crs_referral(host))
    cases.move_case(actor_for(coordinator), principal_for(coordinator), case, "accept",
                    {"conference_id": meeting.id})
    tasks = by_competence(case)
    assert "radiologist" in tasks
    assert tasks["radiologist"].item.kind == "ct"
    assert tasks["radiologist"].assignee_id == ct_reader.id


def _crs_series() -> str:
    from mdk.care_areas.service import care_area

    return care_area("crs_hipec").series[0].key


def _crs_referral(unit) -> dict:
    from mdk.care_areas.service import care_area
    from tests.access.test_matrix import _an_answer
    from tests.cases.factories import NUMBERS

    area = care_area("crs_hipec")
    return {"care_area": "crs_hipec", "referring_unit_id": unit.id,
            "identity_kind": "national", "identity_number": NUMBERS[7],
            "given_name": "Testpatient", "family_name": "Nummerhipec",
            "question": "CRS/HIPEC?", "case_type": "primary", "consent_recorded": True,
            "answers": {item.key: _an_answer(item) for item in area.referral_fields
                        if item.required}, "submit": True}


def test_due_is_noon_the_working_day_before(app, world):
    monday = _coming(1)
    assert service.due_for(meeting_on(monday, world.nhv[0])) == datetime.combine(
        monday - timedelta(days=3), datetime.min.time().replace(hour=12),
        tzinfo=STOCKHOLM)
    # The Tuesday after Easter Monday: due the Thursday before (Good Friday is closed too).
    after_easter = date(2027, 3, 30)
    due = service.due_for(meeting_on(after_easter, world.nhv[0])).astimezone(STOCKHOLM)
    assert (due.date(), due.hour, due.minute) == (date(2027, 3, 25), 12, 0)


def _coming(weekday: int) -> date:
    day = date.today() + timedelta(days=8)
    return day + timedelta(days=(weekday - day.isoweekday()) % 7)


def test_tasks_of_an_accepted_case_are_due_before_its_meeting(app, world):
    host_reviewers(world)
    case = accept(world, refer(world))
    for task in tasks_of(case):
        assert task.due_at == service.due_for(world.conference)
        assert task.due_at < world.conference.starts_at


def test_load_spreads_tasks_between_two_radiologists(app, world):
    first = reviewer(world.nhv[0], "radiologist")
    second = reviewer(world.nhv[0], "radiologist")
    assigned = [by_competence(accept(world, refer(world, number_index=index)))
                ["radiologist"].assignee_id for index in range(4)]
    assert assigned == [first.id, second.id, first.id, second.id]


def test_an_absent_reviewer_is_skipped(app, world):
    away = reviewer(world.nhv[0], "radiologist")
    there = reviewer(world.nhv[0], "radiologist")
    meeting_day = world.conference.starts_at.astimezone(STOCKHOLM).date()
    people.add_absence(away, meeting_day, meeting_day, "Kurs")
    db.session.commit()
    assert by_competence(accept(world, refer(world)))["radiologist"].assignee_id == there.id


def test_someone_without_the_grant_at_the_host_or_the_competence_is_not_chosen(app, world):
    reviewer(world.nhv[1], "radiologist")  # another unit
    reviewer(world.nhv[0], "pathologist")  # another competence
    task = by_competence(accept(world, refer(world)))["radiologist"]
    assert task.assignee_id is None


def test_nobody_available_tells_the_host_coordinators_once(app, world):
    case = accept(world, refer(world))
    task = by_competence(case)["radiologist"]
    assert task.assignee_id is None and task.unassigned_notice_at is not None
    told = mails("review.unassigned", world.people["coordinator"])
    assert len(told) == 3  # one per task, each once
    assert not mails("review.unassigned", world.people["other_coordinator"])
    service.escalate_reviews()
    assert len(mails("review.unassigned", world.people["coordinator"])) == 3


def test_an_item_added_with_review_by_later_gets_its_task(app, world):
    host_reviewers(world)
    case = accept(world, refer(world))
    extra = MaterialItem(case=case, kind="ct", label="DT buk", review_by="radiologist")
    db.session.add(extra)
    db.session.commit()
    made = service.ensure_tasks(case)
    db.session.commit()
    assert [task.item_id for task in made] == [extra.id]
    assert service.ensure_tasks(case) == []
