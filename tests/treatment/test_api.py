"""The treatment start through the API, as a referring unit's journal system sends it:
404 before the case is reported and for another unit's token, 422 naming each bad field
(NUL bytes, dates), the record closing the case, a correction; every read audited."""

from __future__ import annotations

from sqlalchemy import select

from mdk.audit.models import AuditEvent
from mdk.cases.models import Case
from mdk.extensions import db
from mdk.treatment import service
from tests.api_tokens.test_tokens import bearer, make_token
from tests.reports.factories import issued


def _url(case_id: int) -> str:
    return f"/api/v1/cases/{case_id}/treatment"


def test_a_journal_system_records_the_start(app, chaired, case_on_meeting):
    case_id = case_on_meeting.id
    day = service.local_day(case_on_meeting.conference.starts_at).isoformat()
    token = make_token(app, chaired.referring.hsa_id, "--name", "Journalsystemet")
    client = app.test_client()
    before = client.get(_url(case_id), headers=bearer(token))
    assert before.status_code == 404 and before.mimetype == "application/problem+json"
    early = client.put(_url(case_id), headers=bearer(token), json={
        "outcome": "started", "started_on": day, "adherence": "followed"})
    assert early.status_code == 409 and "state" in early.json["errors"]["json"]
    with app.app_context():
        issued(chaired, case_on_meeting)
    got = client.get(_url(case_id), headers=bearer(token))
    assert got.status_code == 200, got.json
    assert got.json["outcome"] is None and got.json["case_state"] == "reported"
    assert got.json["due_on"] is not None
    bad = client.put(_url(case_id), headers=bearer(token), json={
        "outcome": "started", "started_on": "2026-13-01", "adherence": "deviated",
        "note": "x\u0000y"})
    assert bad.status_code == 422
    assert set(bad.json["errors"]["json"]) >= {"note"}
    bad = client.put(_url(case_id), headers=bearer(token), json={
        "outcome": "started", "started_on": "2026-13-01", "adherence": "deviated"})
    assert bad.status_code == 422
    assert set(bad.json["errors"]["json"]) == {"started_on", "deviation_reason"}
    done = client.put(_url(case_id), headers=bearer(token), json={
        "outcome": "started", "started_on": day, "adherence": "followed"})
    assert done.status_code == 200, done.json
    assert done.json["case_state"] == "closed" and done.json["started_on"] == day
    assert done.json["recorded_by_name"].startswith("API-token Journalsystemet")
    corrected = client.put(_url(case_id), headers=bearer(token), json={
        "outcome": "not_treated", "adherence": "deviated",
        "deviation_reason": "patient_died"})
    assert corrected.status_code == 200 and corrected.json["corrected_at"] is not None
    with app.app_context():
        assert db.session.get(Case, case_id).state == "closed"
        actions = [event.action for event in db.session.scalars(
            select(AuditEvent).where(AuditEvent.object_id == case_id,
                                     AuditEvent.action.like("treatment.%"))
            .order_by(AuditEvent.id))]
        assert actions == ["treatment.read", "treatment.record",
                           "treatment.correct"]


def test_another_units_token_gets_404(app, chaired, case_on_meeting):
    with app.app_context():
        issued(chaired, case_on_meeting)
    token = make_token(app, chaired.other_referring.hsa_id, "--name", "Annat system")
    client = app.test_client()
    assert client.get(_url(case_on_meeting.id), headers=bearer(token)).status_code == 404
    assert client.put(_url(case_on_meeting.id), headers=bearer(token), json={
        "outcome": "not_treated", "adherence": "followed"}).status_code == 404
    assert client.get(_url(2**31), headers=bearer(token)).status_code == 404
