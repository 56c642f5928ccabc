"""The report through the API, as a referring unit's journal system takes it: read with its
plain text (the unit's opening), the FHIR bundle, the acknowledgement naming the version;
404 before the report and for another unit, 409 for a superseded version, 422 for a bad
body; every read audited."""

from __future__ import annotations

from sqlalchemy import select

from mdk.audit.models import AuditEvent
from mdk.extensions import db
from mdk.reports import service
from tests.api_tokens.test_tokens import bearer, make_token
from tests.reports.factories import issued


def _url(case_id: int, tail: str = "") -> str:
    return f"/api/v1/cases/{case_id}/report{tail}"


def test_a_journal_system_reads_the_report_and_acknowledges_it(app, chaired,
                                                               case_on_meeting):
    case_id = case_on_meeting.id
    token = make_token(app, chaired.referring.hsa_id, "--name", "Journalsystemet")
    client = app.test_client()
    before = client.get(_url(case_id), headers=bearer(token))
    assert before.status_code == 404 and before.mimetype == "application/problem+json"
    with app.app_context():
        issued(chaired, case_on_meeting)
    got = client.get(_url(case_id), headers=bearer(token))
    assert got.status_code == 200, got.json
    body = got.json
    assert body["revision"] == 1 and body["case_number"] == case_on_meeting.number
    assert body["acknowledged_at"] is None and body["first_opened_at"] is not None
    assert body["first_opened_by_name"].startswith("API-token Journalsystemet")
    assert "Kurativt syftande kemoradioterapi." in body["text"]
    assert body["links"]["fhir"].endswith(_url(case_id, "/fhir"))
    fhir = client.get(_url(case_id, "/fhir"), headers=bearer(token))
    assert fhir.mimetype == "application/fhir+json" and fhir.json["type"] == "document"
    bad = client.post(_url(case_id, "/acknowledgement"), headers=bearer(token),
                      json={"revision": "1"})
    assert bad.status_code == 422 and "revision" in bad.json["errors"]["json"]
    stale = client.post(_url(case_id, "/acknowledgement"), headers=bearer(token),
                        json={"revision": 2})
    assert stale.status_code == 409 and "revision" in stale.json["errors"]["json"]
    done = client.post(_url(case_id, "/acknowledgement"), headers=bearer(token),
                       json={"revision": 1})
    assert done.status_code == 200 and done.json["acknowledged_at"] is not None
    assert done.json["acknowledged_by_name"].startswith("API-token Journalsystemet")
    with app.app_context():
        report = service.current_report(db.session.merge(case_on_meeting))
        assert report.acknowledged
        forms = [event.details.get("form") for event in db.session.scalars(
            select(AuditEvent).where(AuditEvent.object_id == case_id,
                                     AuditEvent.action.like("report.%"))
            .order_by(AuditEvent.id))]
        assert forms == [None, "api", None, "fhir", None]  # issue, read, open, read, ack


def test_another_units_token_gets_404(app, chaired, case_on_meeting):
    with app.app_context():
        issued(chaired, case_on_meeting)
    token = make_token(app, chaired.other_referring.hsa_id)
    client = app.test_client()
    for tail in ("", "/fhir"):
        assert client.get(_url(case_on_meeting.id, tail), headers=bearer(token)).status_code \
            == 404
    refused = client.post(_url(case_on_meeting.id, "/acknowledgement"), headers=bearer(token),
                          json={"revision": 1})
    assert refused.status_code == 404
    assert client.get(_url(2_147_483_648), headers=bearer(token)).status_code == 404
