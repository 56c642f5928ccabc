"""ETags on a case and on its material: a GET gives one, the same GET with If-None-Match
gets an empty 304 (no read: no patient data went out, so no audit event), a change with a
stale If-Match gets a 412 problem and changes nothing, a change without If-Match goes
ahead, and every change answers with the tag a fresh GET gives."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from mdk.audit.models import AuditEvent
from mdk.cases.models import Case
from mdk.extensions import db
from mdk.material.models import MaterialAvailability, MaterialFile, MaterialItem
from tests.cases.factories import referral
from tests.material.factories import PDF


def _events(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AuditEvent.id)))


def assert_precondition_failed(response) -> None:
    assert response.status_code == 412
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 412


@pytest.mark.parametrize("path", ["/api/v1/cases/{draft}", "/api/v1/cases/{draft}/material"])
def test_an_unchanged_get_with_if_none_match_is_an_empty_304_without_a_read(
        app, api, ids, tokens, path):
    url = ids.fill(path)
    first = api.get(url, headers=tokens.headers())
    assert first.status_code == 200 and first.headers["ETag"]
    again = api.get(url, headers=tokens.headers())
    assert again.headers["ETag"] == first.headers["ETag"]  # a hash of the same answer
    before = _events(app)
    cached = api.get(url, headers={**tokens.headers(), "If-None-Match": first.headers["ETag"]})
    assert cached.status_code == 304
    assert cached.data == b""
    assert cached.headers["ETag"] == first.headers["ETag"]
    assert _events(app) == before  # a 304 shows no patient data: no case.read
    weak = api.get(url, headers={**tokens.headers(),
                                 "If-None-Match": "W/" + first.headers["ETag"]})
    assert weak.status_code == 304  # If-None-Match compares weakly (RFC 9110 §13.1.2)
    other = api.get(url, headers={**tokens.headers(), "If-None-Match": '"something-else"'})
    assert other.status_code == 200 and _events(app) == before + 1


def test_a_case_changed_since_is_sent_again(api, ids, tokens):
    url = ids.fill("/api/v1/cases/{draft}")
    tag = api.get(url, headers=tokens.headers()).headers["ETag"]
    changed = api.patch(url, json={"question": "Ändrad frågeställning."},
                        headers=tokens.headers())
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    fresh = api.get(url, headers={**tokens.headers(), "If-None-Match": tag})
    assert fresh.status_code == 200 and fresh.json["question"] == "Ändrad frågeställning."
    assert fresh.headers["ETag"] == changed.headers["ETag"]


def test_material_changed_since_is_sent_again(api, ids, tokens):
    url = ids.fill("/api/v1/cases/{case}/material")
    tag = api.get(url, headers=tokens.headers()).headers["ETag"]
    uploaded = api.post(ids.fill("/api/v1/cases/{case}/material/{item}/files"),
                        data={"file": (io.BytesIO(PDF), "svar.pdf", "application/pdf")},
                        content_type="multipart/form-data", headers=tokens.headers())
    assert uploaded.status_code == 201
    fresh = api.get(url, headers={**tokens.headers(), "If-None-Match": tag})
    assert fresh.status_code == 200
    assert fresh.headers["ETag"] == uploaded.headers["ETag"] != tag


# --- the case: PATCH and the moves ------------------------------------------------------------

CASE_CHANGES = {
    "update": ("PATCH", "/api/v1/cases/{draft}", {"question": "Ny fråga, som går förlorad?"}),
    "submit": ("POST", "/api/v1/cases/{draft}/moves", {"action": "submit"}),
    "withdraw": ("POST", "/api/v1/cases/{draft}/moves", {"action": "withdraw",
                                                          "reason": "Dubblett."}),
}


def _draft(app, ids) -> tuple[str, str, str]:
    with app.app_context():
        case = db.session.get(Case, ids.draft)
        return case.state, case.question, case.updated_at.isoformat()


@pytest.mark.parametrize("change", CASE_CHANGES)
def test_a_case_change_with_a_stale_if_match_gets_412_and_changes_nothing(
        app, api, ids, tokens, change):
    method, path, body = CASE_CHANGES[change]
    url = ids.fill("/api/v1/cases/{draft}")
    stale = api.get(url, headers=tokens.headers()).headers["ETag"]
    # Someone else completes the referral in between: the caller's copy is stale.
    assert api.patch(url, json={"contact_phone": "08-123 456 78"},
                     headers=tokens.headers()).status_code == 200
    before = _draft(app, ids)
    refused = api.open(ids.fill(path), method=method, json=body,
                       headers={**tokens.headers(), "If-Match": stale})
    assert_precondition_failed(refused)
    assert _draft(app, ids) == before  # read back: nothing changed
    current = api.get(url, headers=tokens.headers()).headers["ETag"]
    done = api.open(ids.fill(path), method=method, json=body,
                    headers={**tokens.headers(), "If-Match": current})
    assert done.status_code == 200, done.json
    assert done.headers["ETag"] == api.get(url, headers=tokens.headers()).headers["ETag"]
    assert _draft(app, ids) != before


@pytest.mark.parametrize("change", CASE_CHANGES)
def test_a_case_change_without_if_match_goes_ahead(app, api, ids, tokens, change):
    method, path, body = CASE_CHANGES[change]
    before = _draft(app, ids)
    done = api.open(ids.fill(path), method=method, json=body, headers=tokens.headers())
    assert done.status_code == 200 and done.headers["ETag"]
    assert _draft(app, ids) != before


# --- the material: add, change, availability, files ---------------------------------------------

MATERIAL_CHANGES = {
    "add_item": ("POST", "/api/v1/cases/{case}/material", lambda ids: {"json": {
        "kind": "lab", "label": "Hb och CEA", "required": False}}),
    "change_item": ("PATCH", "/api/v1/cases/{case}/material/{item}",
                    lambda ids: {"json": {"note": "Skickat med bud."}}),
    "availability": ("POST", "/api/v1/cases/{case}/material/{item}/availability",
                     lambda ids: {"json": {"unit_id": ids.nhv_unit, "status": "requested"}}),
    "upload": ("POST", "/api/v1/cases/{case}/material/{item}/files", lambda ids: {
        "data": {"file": (io.BytesIO(PDF), "svar.pdf", "application/pdf")},
        "content_type": "multipart/form-data"}),
}


def _material(app, ids) -> tuple:
    with app.app_context():
        item = db.session.get(MaterialItem, ids.item)
        return (db.session.scalar(select(func.count(MaterialItem.id))
                                  .where(MaterialItem.case_id == ids.case)),
                db.session.scalar(select(func.count(MaterialFile.id))
                                  .where(MaterialFile.case_id == ids.case)),
                db.session.scalar(select(func.count(MaterialAvailability.id))),
                item.note, item.source_hospital)


@pytest.mark.parametrize("change", MATERIAL_CHANGES)
def test_a_material_change_with_a_stale_if_match_gets_412_and_changes_nothing(
        app, api, ids, tokens, change):
    method, path, body = MATERIAL_CHANGES[change]
    url = ids.fill("/api/v1/cases/{case}/material")
    stale = api.get(url, headers=tokens.headers()).headers["ETag"]
    changed = api.patch(ids.fill("/api/v1/cases/{case}/material/{item}"),
                        json={"source_hospital": "Länssjukhuset"}, headers=tokens.headers())
    assert changed.status_code == 200
    assert changed.headers["ETag"] != stale  # an item's change changes the material's tag
    before = _material(app, ids)
    refused = api.open(ids.fill(path), method=method,
                       headers={**tokens.headers(), "If-Match": stale}, **body(ids))
    assert_precondition_failed(refused)
    assert _material(app, ids) == before  # read back: nothing changed
    done = api.open(ids.fill(path), method=method,
                    headers={**tokens.headers(), "If-Match": changed.headers["ETag"]},
                    **body(ids))
    assert done.status_code in (200, 201), done.json
    assert _material(app, ids) != before
    # The answer's tag is the material's new one: the next change can send it as it is.
    fresh = api.get(url, headers=tokens.headers()).headers["ETag"]
    assert done.headers["ETag"] == fresh != changed.headers["ETag"]


@pytest.mark.parametrize("change", MATERIAL_CHANGES)
def test_a_material_change_without_if_match_goes_ahead(app, api, ids, tokens, change):
    method, path, body = MATERIAL_CHANGES[change]
    before = _material(app, ids)
    done = api.open(ids.fill(path), method=method, headers=tokens.headers(), **body(ids))
    assert done.status_code in (200, 201), done.json
    assert _material(app, ids) != before


def test_if_match_star_matches_any_state(api, ids, tokens):
    done = api.patch(ids.fill("/api/v1/cases/{draft}"), json={"priority": "urgent"},
                     headers={**tokens.headers(), "If-Match": "*"})
    assert done.status_code == 200 and done.json["priority"] == "urgent"


def test_the_openapi_document_describes_the_etag_headers_and_answers(app):
    paths = app.test_client().get("/api/openapi.json").json["paths"]
    case = paths["/api/v1/cases/{case_id}"]
    assert "304" in case["get"]["responses"]
    assert "ETag" in case["get"]["responses"]["200"]["headers"]
    assert {"$ref": "#/components/parameters/IF_NONE_MATCH"} in case["get"]["parameters"]
    writes = [case["patch"], paths["/api/v1/cases/{case_id}/moves"]["post"],
              paths["/api/v1/cases/{case_id}/material"]["post"],
              paths["/api/v1/cases/{case_id}/material/{item_id}"]["patch"],
              paths["/api/v1/cases/{case_id}/material/{item_id}/availability"]["post"],
              paths["/api/v1/cases/{case_id}/material/{item_id}/files"]["post"]]
    for operation in writes:
        assert "412" in operation["responses"] and "428" not in operation["responses"]
        assert {"$ref": "#/components/parameters/IF_MATCH"} in operation["parameters"]
    assert "304" in paths["/api/v1/cases/{case_id}/material"]["get"]["responses"]
    document = app.test_client().get("/api/openapi.json").json
    assert document["components"]["parameters"]["IF_MATCH"]["required"] is False


def test_a_new_case_answers_with_the_etag_its_read_gives(api, tokens):
    made = api.post("/api/v1/cases", json=referral(5), headers=tokens.headers())
    assert made.status_code == 201, made.json
    read = api.get(made.headers["Location"], headers=tokens.headers())
    assert made.headers["ETag"] == read.headers["ETag"]
    changed = api.patch(made.headers["Location"], json={"question": "Ny fråga."},
                        headers={**tokens.headers(), "If-Match": made.headers["ETag"]})
    assert changed.status_code == 200
