"""Defects found in the review of issue #11 (material, uploads, the gate, reviews, queues).
Each test fails on the code as reviewed; see the report for the fix."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from mdk.access.policy import principal_for
from mdk.db import utcnow
from mdk.extensions import db
from mdk.i18n import to_local
from mdk.material import gate
from mdk.material import service as material
from mdk.material.models import MaterialAvailability
from mdk.outbox.models import OutboxMessage
from mdk.reviews import service as reviews
from mdk.reviews.models import ReviewStatement
from mdk.validation import FieldError
from tests.cases.factories import accept, refer
from tests.material.factories import PDF
from tests.material_gate.factories import after_cutoff, complete
from tests.queues.factories import hold, resubmit, return_case
from tests.reviews.helpers import by_competence, host_reviewers, reviewer


def test_task_page_hides_the_uploaded_file_name_of_a_protected_patient(app, world, browser):
    """The uploader's file name may name the patient; the case page and the download show it
    only to those who see the identity, but the review task page showed it to every host
    reviewer, even for a protected identity (which only the handling coordinators see)."""
    staff = host_reviewers(world)
    case = accept(world, refer(world, protected_identity=True))
    material.attach_file(world.actor("referrer"), case, "mri_pelvis", io.BytesIO(PDF),
                         "MR Testpatient Nummer0.pdf")
    task = by_competence(case)["radiologist"]
    page = browser(staff["radiologist"]).get(f"/reviews/{task.id}").get_data(as_text=True)
    assert "Nummer0" not in page
    assert f"{case.number}-" in page  # the neutral name the case page uses


def test_the_api_fills_in_a_checklist_entry_after_the_case_is_accepted(app, world, browser):
    """Accepting a case makes empty rows for the entries to review (the tasks need them);
    POST .../material with that checklist_key then said 409 "already filled in" although
    nothing was ever given: the documented way to fill in an entry no longer worked."""
    case = accept(world, refer(world))
    day = (utcnow().date() - timedelta(days=5)).isoformat()
    answer = browser(world.people["referrer"]).post(
        f"/api/v1/cases/{case.id}/material",
        json={"checklist_key": "mri_pelvis", "examined_on": day})
    assert answer.status_code == 201, answer.get_json()
    db.session.expire_all()
    item = material.item_by_entry(case, "mri_pelvis")
    assert item.examined_on.isoformat() == day


def test_availability_saved_at_the_same_time_is_a_conflict_not_a_500(app, world):
    """Two availability posts for the same item and unit at once: the second one's ORM does
    not know the row the first inserted, its INSERT breaks the (item, unit) unique key and
    the IntegrityError escaped (a 500). Simulated by a row the session has not loaded."""
    case = refer(world)
    item = material.fill_entry(world.actor("referrer"), case, "mri_pelvis",
                               {"examined_on": utcnow().date() - timedelta(days=3)})
    assert item.availability == []  # loaded: the other request's row is not seen
    db.session.execute(insert(MaterialAvailability).values(
        item_id=item.id, unit_id=world.nhv[0].id, status="requested",
        status_on=utcnow().date(), updated_at=utcnow()))
    with pytest.raises(FieldError) as refused:
        material.set_availability(world.actor("referrer"), case, item,
                                  {"unit_id": world.nhv[0].id, "status": "transferred"})
    assert (refused.value.field, refused.value.status) == ("unit_id", 409)


def test_combined_statement_written_at_the_same_time_is_not_a_500(app, world):
    """Two people saving the first combined statement at once: the second INSERT breaks the
    one-per-case unique key and the IntegrityError escaped (a 500)."""
    staff = host_reviewers(world)
    case = accept(world, refer(world))
    task = by_competence(case)["radiologist"]
    reviews.write_review(world.actor("coordinator"), principal_for(staff["radiologist"]),
                         task, {"statement": "T3", "discrepancy": "concordant"})
    assert case.review_statement is None  # loaded: the other request's row is not seen
    db.session.execute(insert(ReviewStatement).values(case_id=case.id, text="Först",
                                                      written_by=None,
                                                      updated_at=utcnow(),
                                                      created_at=utcnow()))
    with pytest.raises(FieldError) as refused:
        reviews.write_statement(world.actor("coordinator"), world.principal("coordinator"),
                                case, "Sedan")
    assert (refused.value.field, refused.value.status) == ("text", 409)


def test_the_lateness_job_does_not_remind_about_a_meeting_already_held(app, world):
    """The job's own change said it reminds only about cases still before their meeting,
    but its query only asks the case's state, which stays accepted/ready after the meeting:
    a scheduler back after the meeting mails 'review late' for a meeting already held."""
    host_reviewers(world)
    case = accept(world, refer(world))
    held = utcnow() - timedelta(hours=2)
    world.conference.starts_at, world.conference.ends_at = held, held + timedelta(hours=1)
    db.session.commit()
    assert case.state in {"accepted", "ready"}
    before = db.session.scalar(select(func.count(OutboxMessage.id))
                               .where(OutboxMessage.kind == "review.late"))
    reviews.escalate_reviews()
    after = db.session.scalar(select(func.count(OutboxMessage.id))
                              .where(OutboxMessage.kind == "review.late"))
    assert after == before


def test_the_gate_does_not_pass_images_for_a_meeting_without_a_host(app, world):
    """A meeting left without a host at its cut-off (the planner found no unit): the images
    were checked against no unit at all, so a case whose MRI and PET-CT had reached no host
    was moved to ready."""
    case = accept(world, refer(world))
    complete(case, world.nhv[1], utcnow().date())  # images at a unit that does not host
    world.conference.host_unit_id = None
    db.session.commit()
    gate.run_gate(after_cutoff(world.conference))
    db.session.refresh(case)
    assert case.state == "accepted"
    assert {problem.code for problem in material.readiness_of(case).blocking} == {"not_at_host"}


def test_a_case_returned_and_accepted_again_gets_its_reviews_again(app, world):
    """Returning a held case cancels its open review tasks; when the referrer completes it
    and the coordinator accepts it again, no task was made again (the cancelled ones still
    counted as "have", and the unique (case, item) key forbids a second row): the case went
    to its meeting with no secondary review at all."""
    host_reviewers(world)
    case = accept(world, refer(world))
    assert {task.state for task in by_competence(case).values()} == {"open"}
    hold(case)
    return_case(world, case)
    assert {task.state for task in by_competence(case).values()} == {"cancelled"}
    resubmit(world, case)
    accept(world, case)
    db.session.expire_all()
    tasks = by_competence(case)
    assert set(tasks) == {"pathologist", "radiologist", "nuclear_medicine_physician"}
    assert {task.state for task in tasks.values()} == {"open"}
    assert all(task.assignee_id is not None for task in tasks.values())
    assert {task.host_unit_id for task in tasks.values()} == {world.nhv[0].id}


def test_an_extra_items_review_follows_a_change_of_its_reviewer(app, world):
    """An extra item's review_by may be changed while the case is open, but its task kept
    the old competence (and stayed open when review_by was taken away): the wrong
    specialist kept a review nobody asked for any more."""
    host_reviewers(world)
    case = accept(world, refer(world))
    item = material.add_item(world.actor("referrer"), case, {
        "kind": "ct", "label": "DT thorax", "review_by": "radiologist",
        "examined_on": utcnow().date() - timedelta(days=3)})
    reviews.escalate_reviews()
    task = next(task for task in case.review_tasks if task.item_id == item.id)
    assert task.competence == "radiologist"
    material.update_item(world.actor("referrer"), case, item,
                         {"review_by": "nuclear_medicine_physician"})
    reviews.escalate_reviews()
    db.session.refresh(task)
    assert task.competence == "nuclear_medicine_physician" or task.state == "cancelled"
    material.update_item(world.actor("referrer"), case, item, {"review_by": None})
    reviews.escalate_reviews()
    db.session.refresh(task)
    assert task.state == "cancelled"


def test_a_review_refused_as_too_late_says_why(app, world, browser):
    """Correcting a finished review after the meeting has started is refused with a 409
    naming the state, but the page shown again had no form (no longer writable), so the
    message attached to the form was never shown: a bare page, status 422."""
    staff = host_reviewers(world)
    case = accept(world, refer(world))
    task = by_competence(case)["radiologist"]
    client = browser(staff["radiologist"])
    assert client.post(f"/reviews/{task.id}", data={
        "statement": "T3", "discrepancy": "minor"}).status_code == 302
    started = utcnow() - timedelta(minutes=5)
    world.conference.starts_at, world.conference.ends_at = started, started + timedelta(hours=1)
    db.session.commit()
    answer = client.post(f"/reviews/{task.id}", data={"statement": "T4", "discrepancy": "major"})
    assert answer.status_code == 409
    assert "Mötet har börjat: granskningen kan inte längre ändras." in answer.get_data(
        as_text=True)


def test_a_meeting_moved_onto_the_assignees_absence_reassigns_the_review(app, world):
    """Assignment skips people absent on the due day or the meeting day, but when the
    meeting moved to another day (same host) the task kept its assignee even if they are
    away then: it would simply go late."""
    from mdk.people import service as people

    staff = host_reviewers(world)
    colleague = reviewer(world.nhv[0], "radiologist")
    case = accept(world, refer(world))
    task = by_competence(case)["radiologist"]
    first = task.assignee
    assert first.id in (staff["radiologist"].id, colleague.id)
    moved = world.conference.starts_at + timedelta(days=7)
    people.add_absence(first, to_local(moved).date(), to_local(moved).date(), "Kurs")
    world.conference.starts_at, world.conference.ends_at = moved, moved + timedelta(hours=1)
    db.session.commit()
    db.session.refresh(task)
    assert task.due_at == reviews.due_for(world.conference)
    assert task.assignee is not None and task.assignee.id != first.id
