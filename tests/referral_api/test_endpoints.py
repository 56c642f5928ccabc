"""Every endpoint of the referral API with a referring unit's token: it works with a valid
token, a revoked or expired one gets a 401 problem, and another unit's token finds none of
the unit's cases and files (404, not 403: it may not learn that they exist)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from mdk.audit.models import AuditEvent
from mdk.cases.models import Case
from mdk.db import utcnow
from mdk.extensions import db
from tests.api_tokens.test_tokens import assert_refused
from tests.cases.factories import referral
from tests.material.factories import PDF


def _recent() -> str:
    return (utcnow().date() - timedelta(days=5)).isoformat()


# name: (method, path, what to send, the status that works, the audit action it writes)
ENDPOINTS = {
    "list": ("GET", "/api/v1/cases", None, 200, "case.read"),
    "create": ("POST", "/api/v1/cases", lambda ids: {"json": referral(5, submit=True)}, 201,
               "case.submit"),
    "read": ("GET", "/api/v1/cases/{case}", None, 200, "case.read"),
    "update": ("PATCH", "/api/v1/cases/{draft}",
               lambda ids: {"json": {"question": "Ny frågeställning från journalsystemet."}},
               200, "case.update"),
    "submit": ("POST", "/api/v1/cases/{draft}/moves", lambda ids: {"json": {
        "action": "submit"}}, 200, "case.submit"),
    "withdraw": ("POST", "/api/v1/cases/{case}/moves", lambda ids: {"json": {
        "action": "withdraw", "reason": "Patienten avböjer."}}, 200, "case.withdraw"),
    "material": ("GET", "/api/v1/cases/{case}/material", None, 200, "case.read"),
    "add_item": ("POST", "/api/v1/cases/{case}/material", lambda ids: {"json": {
        "checklist_key": "mri_pelvis", "examined_on": _recent(),
        "reference_kind": "accession_number", "reference": "RAD-1234"}}, 201,
        "material.create"),
    "change_item": ("PATCH", "/api/v1/cases/{case}/material/{item}", lambda ids: {"json": {
        "note": "Preparat skickat."}}, 200, "material.update"),
    "availability": ("POST", "/api/v1/cases/{case}/material/{item}/availability",
                     lambda ids: {"json": {"unit_id": ids.nhv_unit, "status": "requested"}},
                     200, "material.availability"),
    "upload": ("POST", "/api/v1/cases/{case}/material/{item}/files", lambda ids: {
        "data": {"file": (io.BytesIO(PDF), "remiss.pdf", "application/pdf")},
        "content_type": "multipart/form-data"}, 201, "material.upload"),
    "download": ("GET", "/api/v1/cases/{case}/files/{file}", None, 200, "material.download"),
}
# The endpoints that name one of the unit's cases (all but the list and a new referral).
OF_A_CASE = [name for name in ENDPOINTS if name not in ("list", "create")]


def call(api, ids, name: str, headers: dict, other: bool = False, **extra):
    method, path, body, _status, _action = ENDPOINTS[name]
    sent = body(ids) if body else {}
    response = api.open(ids.fill(path, other), method=method, headers={**headers, **extra},
                        **sent)
    response.close()  # a download streams its file
    return response


@pytest.mark.parametrize("name", ENDPOINTS)
def test_a_valid_token_works_on_every_endpoint(api, ids, tokens, name):
    response = call(api, ids, name, tokens.headers())
    assert response.status_code == ENDPOINTS[name][3], response.get_data(as_text=True)


@pytest.mark.parametrize("name", ENDPOINTS)
@pytest.mark.parametrize("which", ["revoked", "expired"])
def test_a_revoked_or_expired_token_gets_a_401_problem_and_changes_nothing(
        app, api, ids, tokens, name, which):
    with app.app_context():
        before = db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()))
    assert_refused(call(api, ids, name, tokens.headers(which)))
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc())) \
            == before


@pytest.mark.parametrize("name", OF_A_CASE)
def test_another_units_token_finds_none_of_its_cases_or_files(app, api, ids, tokens, name):
    response = call(api, ids, name, tokens.headers("other_unit"), other=False)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    with app.app_context():
        assert db.session.get(Case, ids.case).state == "submitted"
        assert db.session.get(Case, ids.draft).state == "draft"


def test_another_units_token_lists_only_its_own_cases(api, ids, tokens):
    listed = api.get("/api/v1/cases", headers=tokens.headers("other_unit"))
    assert [case["id"] for case in listed.json] == [ids.other_case]
    own = api.get("/api/v1/cases", headers=tokens.headers())
    assert {case["id"] for case in own.json} == {ids.case, ids.draft}


@pytest.mark.parametrize("name", ENDPOINTS)
def test_the_audit_row_of_a_token_call_names_the_token(app, api, ids, tokens, name):
    with app.app_context():
        before = db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()))
    assert call(api, ids, name, tokens.headers()).status_code == ENDPOINTS[name][3]
    with app.app_context():
        events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.id > before)))
        assert ENDPOINTS[name][4] in {event.action for event in events}
        assert {event.actor_name for event in events} == \
            {f"API-token {tokens.name} ({tokens.prefix})"}
        assert {event.unit_hsa_id for event in events} == {ids.unit_hsa_id}
