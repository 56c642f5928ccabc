"""The review pages and API: the worklist (constant SQL), the task page and its statement,
bad input naming the field, the outsider refused, reassignment, the combined statement."""

from __future__ import annotations

from sqlalchemy import select

from mdk.audit.models import AuditEvent
from mdk.extensions import db
from mdk.reviews import service
from mdk.reviews.models import ReviewStatement
from tests.cases.factories import accept, refer
from tests.reviews.helpers import by_competence, host_reviewers, reviewer
from tests.support import count_statements
from tests.units.factories import field_error


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_worklist_lists_my_tasks_due_first(app, world, browser):
    staff = host_reviewers(world)
    case = accept(world, refer(world))
    page = browser(staff["radiologist"]).get("/reviews")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Mina granskningar" in text
    assert case.number in text and "Testpatient" not in text
    assert f"/reviews/{by_competence(case)['radiologist'].id}" in text


def test_worklist_runs_a_constant_number_of_statements(app, world, browser):
    staff = host_reviewers(world)
    client = browser(staff["radiologist"])
    accept(world, refer(world, number_index=0))
    client.get("/reviews")
    with count_statements(db.engine) as few:
        assert client.get("/reviews").status_code == 200
    for index in range(1, 6):
        accept(world, refer(world, number_index=index))
    with count_statements(db.engine) as many:
        page = client.get("/reviews")
    assert page.get_data(as_text=True).count("/reviews/") >= 6
    assert many.count == few.count


def test_statement_from_the_template_saves_with_a_discrepancy(app, world, browser):
    staff = host_reviewers(world)
    case = accept(world, refer(world))
    task = by_competence(case)["radiologist"]
    client = browser(staff["radiologist"])
    page = client.get(f"/reviews/{task.id}").get_data(as_text=True)
    assert "MR bäcken: primärtumörens utbredning" in page
    assert "Testpatient" in page  # the host unit sees the identity
    answer = client.post(f"/reviews/{task.id}", data={
        "statement": "T3 N1, som originalet.", "discrepancy": "minor", "comment": "Lateral körtel"})
    assert answer.status_code == 302
    db.session.expire_all()
    assert (task.state, task.discrepancy, task.statement) == ("done", "minor",
                                                              "T3 N1, som originalet.")
    assert task.completed_by == staff["radiologist"].id
    assert len(_events("review.complete")) == 1
    shown = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "T3 N1, som originalet." in shown and "Mindre avvikelse" in shown


def test_bad_form_input_names_the_field_and_saves_nothing(app, world, browser):
    staff = host_reviewers(world)
    task = by_competence(accept(world, refer(world)))["radiologist"]
    client = browser(staff["radiologist"])
    for data, field in (({"statement": "", "discrepancy": "minor"}, "statement"),
                        ({"statement": "Bra", "discrepancy": "huge"}, "discrepancy"),
                        ({"statement": "Bra\x00", "discrepancy": "minor"}, "statement"),
                        ({"statement": "Bra", "discrepancy": "minor", "comment": "x" * 2001},
                         "comment")):
        answer = client.post(f"/reviews/{task.id}", data=data)
        assert answer.status_code == 422
        assert field_error(answer.get_data(as_text=True), field) is not None, field
    db.session.expire_all()
    assert task.state == "open" and task.statement is None


def test_someone_outside_the_host_unit_cannot_write(app, world, browser):
    host_reviewers(world)
    task = by_competence(accept(world, refer(world)))["radiologist"]
    outsider = reviewer(world.nhv[2], "radiologist")
    client = browser(outsider)
    good = {"statement": "Bra", "discrepancy": "concordant"}
    assert client.get(f"/reviews/{task.id}").status_code == 404
    assert client.post(f"/reviews/{task.id}", data=good).status_code == 404
    assert browser(world.people["referrer"]).get(f"/reviews/{task.id}").status_code in (403, 404)
    api = _api(app, outsider)
    assert api.put(f"/api/v1/reviews/{task.id}", json=good).status_code == 404
    db.session.expire_all()
    assert task.state == "open"


def test_a_colleague_with_the_competence_may_write_another_may_not(app, world, browser):
    host_reviewers(world)
    task = by_competence(accept(world, refer(world)))["radiologist"]
    colleague = reviewer(world.nhv[0], "radiologist")
    pathologist = reviewer(world.nhv[0], "pathologist")
    good = {"statement": "Bra", "discrepancy": "concordant"}
    assert browser(pathologist).post(f"/reviews/{task.id}", data=good).status_code == 403
    assert browser(colleague).post(f"/reviews/{task.id}", data=good).status_code == 302


def test_a_done_task_is_corrected_by_its_author_or_a_coordinator(app, world, browser):
    staff = host_reviewers(world)
    task = by_competence(accept(world, refer(world)))["radiologist"]
    author = browser(staff["radiologist"])
    author.post(f"/reviews/{task.id}", data={"statement": "Bra", "discrepancy": "concordant"})
    colleague = reviewer(world.nhv[0], "radiologist")
    assert browser(colleague).post(f"/reviews/{task.id}", data={
        "statement": "Annat", "discrepancy": "major"}).status_code == 403
    assert author.post(f"/reviews/{task.id}", data={
        "statement": "Rättat", "discrepancy": "minor"}).status_code == 302
    assert browser(world.people["coordinator"]).post(f"/reviews/{task.id}", data={
        "statement": "Rättat igen", "discrepancy": "major"}).status_code == 302
    db.session.expire_all()
    assert (task.statement, task.discrepancy) == ("Rättat igen", "major")
    assert len(_events("review.update")) == 2


def test_coordinator_reassigns_to_an_eligible_reviewer(app, world, browser):
    staff = host_reviewers(world)
    task = by_competence(accept(world, refer(world)))["radiologist"]
    other = reviewer(world.nhv[0], "radiologist")
    elsewhere = reviewer(world.nhv[1], "radiologist")
    coordinator = browser(world.people["coordinator"])
    listing = coordinator.get("/reviews/coordination").get_data(as_text=True)
    assert f"/reviews/{task.id}" in listing
    refused = coordinator.post(f"/reviews/{task.id}/assignee",
                               data={"assignee_id": str(elsewhere.id)})
    assert refused.status_code == 422
    assert field_error(refused.get_data(as_text=True), "assignee_id") is not None
    assert coordinator.post(f"/reviews/{task.id}/assignee",
                            data={"assignee_id": "99999999999"}).status_code == 422
    assert coordinator.post(f"/reviews/{task.id}/assignee",
                            data={"assignee_id": str(other.id)}).status_code == 302
    db.session.expire_all()
    assert task.assignee_id == other.id != staff["radiologist"].id
    assert len(_events("review.reassign")) == 1
    assert browser(staff["radiologist"]).post(f"/reviews/{task.id}/assignee", data={
        "assignee_id": str(staff["radiologist"].id)}).status_code == 403


def test_combined_statement_once_a_review_is_done(app, world, browser):
    staff = host_reviewers(world)
    case = accept(world, refer(world))
    task = by_competence(case)["radiologist"]
    client = browser(staff["radiologist"])
    early = client.post(f"/cases/{case.id}/reviews/statement", data={"text": "Sammanfattning"})
    assert early.status_code == 422
    assert db.session.scalar(select(ReviewStatement)) is None
    client.post(f"/reviews/{task.id}", data={"statement": "Bra", "discrepancy": "concordant"})
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'action="/cases/{case.id}/reviews/statement"' in page
    bad = client.post(f"/cases/{case.id}/reviews/statement", data={"text": "  "})
    assert bad.status_code == 422 and field_error(bad.get_data(as_text=True), "text")
    assert client.post(f"/cases/{case.id}/reviews/statement",
                       data={"text": "Sammanfattande demonstrationsutlåtande"}).status_code == 302
    shown = browser(world.people["coordinator"]).get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Sammanfattande demonstrationsutlåtande" in shown
    assert len(_events("review.statement")) == 1
    assert browser(reviewer(world.nhv[2], "radiologist")).post(
        f"/cases/{case.id}/reviews/statement", data={"text": "Nej"}).status_code == 403


# --- the API ----------------------------------------------------------------------------------

class _Api:
    """A JSON client whose every request runs in an app context of its own (as a server's:
    nothing is left loaded between requests)."""

    def __init__(self, app, person) -> None:
        from tests.support import log_in

        self.app, self.client = app, app.test_client()
        log_in(self.client, person)

    def get(self, *args, **kwargs):
        with self.app.app_context():
            return self.client.get(*args, **kwargs)

    def put(self, *args, **kwargs):
        with self.app.app_context():
            return self.client.put(*args, **kwargs)


def _api(app, person) -> _Api:
    return _Api(app, person)


def test_api_worklist_read_and_write(app, world):
    staff = host_reviewers(world)
    case = accept(world, refer(world))
    task = by_competence(case)["radiologist"]
    client = _api(app, staff["radiologist"])
    listed = client.get("/api/v1/reviews")
    assert listed.status_code == 200 and [row["id"] for row in listed.json] == [task.id]
    assert listed.json[0]["case_number"] == case.number
    one = client.get(f"/api/v1/reviews/{task.id}").json
    assert one["state"] == "open" and one["item"]["kind"] == "mri"
    written = client.put(f"/api/v1/reviews/{task.id}",
                         json={"statement": "Bra", "discrepancy": "major", "comment": None})
    assert written.status_code == 200 and written.json["state"] == "done"
    assert written.json["discrepancy"] == "major"


def test_api_bad_input_names_the_field_and_saves_nothing(app, world):
    staff = host_reviewers(world)
    task = by_competence(accept(world, refer(world)))["radiologist"]
    client = _api(app, staff["radiologist"])
    for body, field in (({"discrepancy": "minor"}, "statement"),
                        ({"statement": "Bra"}, "discrepancy"),
                        ({"statement": "Bra", "discrepancy": "odd"}, "discrepancy"),
                        ({"statement": "Bra\x00", "discrepancy": "minor"}, "statement"),
                        ({"statement": "   ", "discrepancy": "minor"}, "statement"),
                        ({"statement": "Bra", "discrepancy": "minor", "comment": 5}, "comment"),
                        ({"statement": "Bra", "discrepancy": "minor", "extra": 1}, "extra")):
        answer = client.put(f"/api/v1/reviews/{task.id}", json=body)
        assert answer.status_code == 422, body
        assert answer.mimetype == "application/problem+json"
        assert field in answer.json["errors"]["json"], body
    assert client.put(f"/api/v1/reviews/{2**31}", json={}).status_code == 404
    db.session.expire_all()
    assert task.state == "open"


def test_api_worklist_constant_statements(app, world):
    staff = host_reviewers(world)
    client = _api(app, staff["radiologist"])
    accept(world, refer(world, number_index=0))
    client.get("/api/v1/reviews")
    with count_statements(db.engine) as few:
        client.get("/api/v1/reviews")
    for index in range(1, 5):
        accept(world, refer(world, number_index=index))
    with count_statements(db.engine) as many:
        assert len(client.get("/api/v1/reviews").json) == 5
    assert many.count == few.count, "\n".join(s[:250] for s in many.statements)


def test_the_service_refuses_unknown_fields(app, world):
    import pytest

    from mdk.validation import FieldError

    with pytest.raises(FieldError) as refused:
        service.clean_statement({"statement": "Bra", "discrepancy": "minor", "who": 1})
    assert refused.value.field == "who"


def test_late_tasks_are_marked_and_unassigned_ones_offered(app, world, browser):
    from datetime import timedelta

    from mdk.db import utcnow

    staff = host_reviewers(world)
    case = accept(world, refer(world))
    task = by_competence(case)["radiologist"]
    task.due_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    page = browser(staff["radiologist"]).get("/reviews").get_data(as_text=True)
    assert 'class="late"' in page and "Försenad" in page
    spare = reviewer(world.nhv[0], "pathologist")
    pathology = by_competence(case)["pathologist"]
    pathology.assignee_id = None
    db.session.commit()
    offered = browser(spare).get("/reviews").get_data(as_text=True)
    assert "Ännu inte tilldelade" in offered and f"/reviews/{pathology.id}" in offered
    assert "Ännu inte tilldelade" not in browser(staff["radiologist"]).get(
        "/reviews").get_data(as_text=True)


def test_a_done_task_cannot_change_once_the_meeting_started(app, world):
    from datetime import timedelta

    import pytest

    from mdk.access.policy import principal_for
    from mdk.audit.service import actor_for
    from mdk.validation import ConflictError

    staff = host_reviewers(world)
    task = by_competence(accept(world, refer(world)))["radiologist"]
    person = staff["radiologist"]
    good = {"statement": "Bra", "discrepancy": "concordant"}
    service.write_review(actor_for(person), principal_for(person), task, good)
    later = world.conference.starts_at + timedelta(minutes=5)
    with pytest.raises(ConflictError):
        service.write_review(actor_for(person), principal_for(person), task,
                             {**good, "statement": "Ändrat"}, now=later)
    db.session.expire_all()
    assert task.statement == "Bra"


def test_api_outsider_gets_404_on_read(app, world):
    host_reviewers(world)
    task = by_competence(accept(world, refer(world)))["radiologist"]
    assert _api(app, reviewer(world.nhv[2], "radiologist")).get(
        f"/api/v1/reviews/{task.id}").status_code == 404
    assert _api(app, world.people["referrer"]).get(
        f"/api/v1/reviews/{task.id}").status_code == 403
