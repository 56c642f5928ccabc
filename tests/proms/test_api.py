"""The PROM follow-up through the API: a referring unit's system reads the time points
(404 before the report, and for another unit's token) but does not record them; the
treating unit's staff record one, every bad field named (422), an unknown time point 404;
every read audited."""

from __future__ import annotations

from sqlalchemy import select

from mdk.audit.models import AuditEvent
from mdk.extensions import db
from mdk.proms import service
from tests.api_tokens.test_tokens import bearer, make_token
from tests.proms.factories import AREA_POINTS
from tests.reports.factories import issued
from tests.reviews.test_pages import _api
from tests.treatment.factories import add_treating_staff


def _url(case_id: int, position: int | None = None) -> str:
    return f"/api/v1/cases/{case_id}/proms" + (f"/{position}" if position else "")


def test_a_journal_system_reads_the_time_points(app, chaired, case_on_meeting):
    case_id = case_on_meeting.id
    token = make_token(app, chaired.referring.hsa_id, "--name", "Journalsystemet")
    client = app.test_client()
    before = client.get(_url(case_id), headers=bearer(token))
    assert before.status_code == 404 and before.mimetype == "application/problem+json"
    with app.app_context():
        issued(chaired, case_on_meeting)
    got = client.get(_url(case_id), headers=bearer(token))
    assert got.status_code == 200, got.json
    points = got.json["time_points"]
    assert len(points) == AREA_POINTS and got.json["case_state"] == "reported"
    assert points[0]["from"] == "treatment_start" and points[0]["status"] is None
    assert points[2]["instrument"] == "LARS-score" and points[0]["not_due"] is False
    assert got.json["treating_unit_hsa_id"] == chaired.nhv[1].hsa_id
    refused = client.put(_url(case_id, 1), headers=bearer(token), json={"status": "declined"})
    assert refused.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(
            AuditEvent.object_id == case_id, AuditEvent.action == "prom.read"))


def test_the_treating_unit_records_a_time_point(app, chaired, case_on_meeting):
    case_id = case_on_meeting.id
    with app.app_context():
        add_treating_staff(chaired)
        issued(chaired, case_on_meeting)
    client = _api(app, chaired.people["treating_staff"])
    today = service.today().isoformat()
    bad = client.put(_url(case_id, 2), json={"status": "declined", "completed_on": today,
                                             "score": "x", "note": "a\u0000b"})
    assert bad.status_code == 422
    assert set(bad.json["errors"]["json"]) == {"note"}  # the schema's text rule first
    bad = client.put(_url(case_id, 2), json={"status": "declined", "completed_on": today,
                                             "score": "x"})
    assert bad.status_code == 422
    assert set(bad.json["errors"]["json"]) == {"completed_on", "score"}
    assert client.put(_url(case_id, 99), json={"status": "declined"}).status_code == 404
    assert client.put(_url(case_id, 2**31), json={"status": "declined"}).status_code == 404
    done = client.put(_url(case_id, 2), json={"status": "done", "completed_on": today,
                                              "score": 17.5})
    assert done.status_code == 200, done.json
    assert done.json["status"] == "done" and done.json["score"] == "17.50"
    listed = client.get(_url(case_id)).json["time_points"]
    assert [point["status"] for point in listed] == [None, "done", None, None]


def test_another_units_token_gets_404(app, chaired, case_on_meeting):
    with app.app_context():
        issued(chaired, case_on_meeting)
    token = make_token(app, chaired.other_referring.hsa_id, "--name", "Annat system")
    client = app.test_client()
    assert client.get(_url(case_on_meeting.id), headers=bearer(token)).status_code == 404
    assert client.put(_url(case_on_meeting.id, 1), headers=bearer(token),
                      json={"status": "declined"}).status_code == 404
    assert client.get(_url(2**31), headers=bearer(token)).status_code == 404
