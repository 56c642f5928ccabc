"""The material section of the case page, its forms, uploads and downloads, the API, and
the case list's readiness column."""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mdk.audit.models import AuditEvent
from mdk.extensions import db
from mdk.material import service
from mdk.material.models import MaterialFile, MaterialItem
from tests.cases.factories import accept, refer
from tests.material.factories import ELF, MZ, PDF, crs_case, png
from tests.units.factories import field_error


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def test_the_case_page_says_what_is_missing_and_a_form_fills_it_in(app, world, browser):
    with app.app_context():
        case_id = accept(world, refer(world)).id
    client = browser(world.people["referrer"])
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Saknas: MR bäcken." in page and 'id="material-mri_pelvis"' in page
    day = (world.conference.day - timedelta(days=10)).isoformat()
    response = client.post(f"/cases/{case_id}/material/mri_pelvis", data={
        "mri_pelvis-examined_on": day, "mri_pelvis-source_hospital": "Testsjukhuset",
        "mri_pelvis-reference_kind": "study_uid", "mri_pelvis-reference": "1.2.840.10008.1"})
    assert response.status_code == 302 and response.location.endswith("#material-mri_pelvis")
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Saknas: MR bäcken." not in page
    assert "MR bäcken finns ännu inte hos" in page  # not yet at the host
    response = client.post(f"/cases/{case_id}/material/mri_pelvis/availability", data={
        "mri_pelvis-availability-unit_id": str(world.nhv[0].id),
        "mri_pelvis-availability-status": "transferred"})
    assert response.status_code == 302
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "MR bäcken finns ännu inte" not in page and "1.2.840.10008.1" in page
    listed = client.get("/cases").get_data(as_text=True)
    assert "4 saknas" in listed and "inte hos värden" not in listed


def test_a_too_old_ct_is_shown_on_the_page_from_its_day(app, world, crs, browser):
    with app.app_context():
        case = crs_case(world)
        day = crs["conference"].day - timedelta(days=61)
        service.save_entry(world.actor("crs_referrer"), case, "ct_thorax_abdomen",
                           {"examined_on": day})
        case_id = case.id
    page = browser(world.people["crs_referrer"]).get(f"/cases/{case_id}").get_data(
        as_text=True)
    assert "DT thorax/buk är för gammal på mötesdagen (mer än 60 dagar" in page
    assert "För gammalt på mötesdagen" in page


FORM_PROBES = [
    ("mri_pelvis", {"mri_pelvis-examined_on": "2999-01-01"}, "mri_pelvis-examined_on"),
    ("mri_pelvis", {"mri_pelvis-examined_on": "x\x00"}, "mri_pelvis-examined_on"),
    ("mri_pelvis", {"mri_pelvis-reference_kind": "study_uid",
                    "mri_pelvis-reference": "1.2.840.01"}, "mri_pelvis-reference"),
    ("mri_pelvis", {"mri_pelvis-source_hospital": "S\x00"}, "mri_pelvis-source_hospital"),
    ("mri_pelvis", {"mri_pelvis-note": "n\x00"}, "mri_pelvis-note"),
    ("mri_pelvis/availability", {"mri_pelvis-availability-unit_id": str(2**31),
                                 "mri_pelvis-availability-status": "available"},
     "mri_pelvis-availability-unit_id"),
    ("mri_pelvis/availability", {"mri_pelvis-availability-unit_id": "{host}",
                                 "mri_pelvis-availability-status": "lost"},
     "mri_pelvis-availability-status"),
    ("mri_pelvis/availability", {"mri_pelvis-availability-unit_id": "{host}",
                                 "mri_pelvis-availability-status": "available",
                                 "mri_pelvis-availability-status_on": "2999-01-01"},
     "mri_pelvis-availability-status_on"),
    ("", {"new-kind": "ct", "new-label": ""}, "new-label"),
    ("", {"new-kind": "virus", "new-label": "X"}, "new-kind"),
    ("", {"new-kind": "ct", "new-label": "L\x00"}, "new-label"),
    ("", {"new-kind": "ct", "new-label": "X", "new-review_by": "surgeon"}, "new-review_by"),
]


@pytest.mark.parametrize(("path", "data", "field"), FORM_PROBES)
def test_bad_input_on_each_form_field_is_shown_at_it_and_saves_nothing(app, world, browser,
                                                                       path, data, field):
    with app.app_context():
        case_id = refer(world).id
        before = (_count(MaterialItem), _count(AuditEvent))
    data = {key: value.replace("{host}", str(world.nhv[0].id)) for key, value in data.items()}
    url = f"/cases/{case_id}/material" + (f"/{path}" if path else "")
    response = browser(world.people["referrer"]).post(url, data=data)
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), field)
    with app.app_context():
        items = _count(MaterialItem)
        reads = db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action != "case.read"))
        assert items == before[0]
        assert reads == db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action != "case.read", AuditEvent.id <= before[1] + 10**9)) \
            and not db.session.scalar(select(func.count(AuditEvent.id)).where(
                AuditEvent.action.like("material.%")))


def test_an_ended_case_shows_no_forms_and_refuses_a_post(app, world, browser):
    with app.app_context():
        case = refer(world)
        from mdk.cases import service as cases

        cases.move_case(world.actor("referrer"), world.principal("referrer"), case,
                        "withdraw", {"reason": "Ej aktuellt"})
        case_id = case.id
    client = browser(world.people["referrer"])
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "kan inte längre ändras" in page and "/material/mri_pelvis" not in page
    response = client.post(f"/cases/{case_id}/material/mri_pelvis",
                           data={"mri_pelvis-note": "sent"})
    assert response.status_code == 409
    with app.app_context():
        assert _count(MaterialItem) == 0


def test_someone_outside_the_case_cannot_change_it(app, world, browser):
    with app.app_context():
        case_id = refer(world).id
    assert browser(world.people["other_referrer"]).post(
        f"/cases/{case_id}/material/mri_pelvis", data={}).status_code == 404
    assert browser(world.people["member"]).post(
        f"/cases/{case_id}/material/mri_pelvis", data={}).status_code == 403
    unknown = browser(world.people["referrer"]).post(f"/cases/{case_id}/material/nope",
                                                      data={})
    assert unknown.status_code == 422 and "finns inte i ärendets" in unknown.get_data(
        as_text=True)


# --- uploads and downloads ------------------------------------------------------------------

def _multipart(field: str, content: bytes, name: str, kind: str) -> tuple[bytes, str]:
    """The body made here, not by the test client (which spools a large one to a temporary
    file it never closes)."""
    boundary = "materialtestboundary"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{name}"\r\nContent-Type: {kind}\r\n\r\n').encode()
    return head + content + f"\r\n--{boundary}--\r\n".encode(), \
        f"multipart/form-data; boundary={boundary}"


def _upload(client, case_id, content: bytes, name="remiss.pdf", kind="application/pdf",
            key="pad_p16"):
    body, content_type = _multipart(f"{key}-upload-file", content, name, kind)
    return client.post(f"/cases/{case_id}/material/{key}/files", data=body,
                       content_type=content_type)


def test_an_upload_lands_under_a_random_name_with_its_sha256_and_downloads_audited(
        app, world, browser):
    with app.app_context():
        case_id = refer(world).id
    client = browser(world.people["referrer"])
    name = "PAD-svar Åsa ../../etc.pdf"
    response = _upload(client, case_id, PDF, name=name)
    assert response.status_code == 302
    with app.app_context():
        found = db.session.scalars(select(MaterialFile)).one()
        stored = app.config["MDK"].instance_path / "uploads" / found.storage_name
        assert re.fullmatch(r"[0-9a-f]{64}", found.storage_name)
        assert stored.read_bytes() == PDF
        assert found.sha256 == hashlib.sha256(PDF).hexdigest() and found.size_bytes == len(PDF)
        assert found.content_type == "application/pdf" and found.original_name == "etc.pdf"
        assert not any(path.name.startswith(".incoming") for path in stored.parent.iterdir())
        assert service.readiness_of(found.case).by_key["pad_p16"].item.provided
        file_id = found.id
    url = f"/cases/{case_id}/files/{file_id}"
    assert browser(world.people["other_referrer"]).get(url).status_code == 404
    assert browser(world.people["crs_coordinator"]).get(url).status_code == 404
    response = browser(world.people["coordinator"]).get(url)
    assert response.status_code == 200 and response.data == PDF
    response.close()
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"] == 'attachment; filename=etc.pdf'
    # A member of another unit sees the clinical content, not what may name the patient.
    member = browser(world.people["member"])
    response = member.get(url)
    assert response.status_code == 200 and response.data == PDF
    response.close()
    with app.app_context():
        number = db.session.get(MaterialFile, file_id).case.number
    assert response.headers["Content-Disposition"] == \
        f"attachment; filename={number}-{file_id}.pdf"
    page = member.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f"{number}-{file_id}.pdf" in page and "etc.pdf" not in page
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "material.download").order_by(AuditEvent.id)).all()
        assert [event.actor_id for event in events] == [world.people["coordinator"].id,
                                                        world.people["member"].id]
        event = events[0]
        assert event.object_id == file_id and event.object_type == "material_file"
        assert event.patient_id == db.session.get(MaterialFile, file_id).case.patient_id


def test_a_download_name_that_is_not_ascii_uses_filename_star(app, world, browser):
    with app.app_context():
        case_id = refer(world).id
    client = browser(world.people["referrer"])
    assert _upload(client, case_id, png(), name="bild å.png", kind="image/png").status_code \
        == 302
    with app.app_context():
        found = db.session.scalars(select(MaterialFile)).one()
        assert found.content_type == "image/png"
    response = client.get(f"/cases/{case_id}/files/{found.id}")
    response.close()
    assert "filename*=UTF-8''bild%20%C3%A5.png" in response.headers["Content-Disposition"]


def test_the_api_download_is_documented_with_the_content_type_it_sends(app, world, browser):
    """The OpenAPI document said application/octet-stream; the download sends the type
    sniffed at upload (found by the contract test, tests/api_contract)."""
    with app.app_context():
        case = refer(world)
        found = service.attach_file(world.actor("referrer"), case, "mri_pelvis",
                                    io.BytesIO(png()), "bild.png")
        case_id, file_id = case.id, found.id
    client = browser(world.people["referrer"])
    spec = client.get("/api/openapi.json").json
    operation = spec["paths"]["/api/v1/cases/{case_id}/files/{file_id}"]["get"]
    documented = operation["responses"]["200"]["content"]
    assert set(documented) == {"application/pdf", "image/png", "image/jpeg", "image/tiff"}
    response = client.get(f"/api/v1/cases/{case_id}/files/{file_id}")
    response.close()
    assert response.status_code == 200 and response.mimetype == "image/png"


@pytest.mark.parametrize(("content", "name"), [
    (ELF, "rapport.pdf"), (MZ, "rapport.pdf"), (b"%PDF-1.4\nno end marker", "x.pdf"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "bild.png"), (b"", "tom.pdf")])
def test_a_file_that_is_not_what_it_claims_is_refused_at_the_field(app, world, browser,
                                                                   content, name):
    with app.app_context():
        case_id = refer(world).id
    response = _upload(browser(world.people["referrer"]), case_id, content, name=name)
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "pad_p16-upload-file")
    with app.app_context():
        assert _count(MaterialFile) == 0 and _count(MaterialItem) == 0
    assert not [path for path in (app.config["MDK"].instance_path / "uploads").iterdir()
                if path.name.startswith(".incoming")]


def test_an_upload_over_the_limit_is_refused_at_the_field(app, world, browser, monkeypatch):
    monkeypatch.setitem(app.config, "MDK", replace(app.config["MDK"], upload_max_mb=1))
    with app.app_context():
        case_id = refer(world).id
    big = PDF[:-6] + b" " * (1024 * 1024) + b"%%EOF\n"
    response = _upload(browser(world.people["referrer"]), case_id, big)
    assert response.status_code == 422
    assert "högst 1 MB" in field_error(response.get_data(as_text=True), "pad_p16-upload-file")
    with app.app_context():
        assert _count(MaterialFile) == 0


def test_a_request_over_the_request_limit_names_the_file_field(app, world, browser,
                                                               monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64 * 1024)
    with app.app_context():
        case_id = refer(world).id
        item_id = service.save_entry(world.actor("referrer"), refer(world, number_index=1),
                                     "pad_p16", {}).id
        other_case = db.session.get(MaterialItem, item_id).case_id
    client = browser(world.people["referrer"])
    response = _upload(client, case_id, PDF + b" " * (128 * 1024))
    assert response.status_code == 413
    assert field_error(response.get_data(as_text=True), "pad_p16-upload-file")
    body, content_type = _multipart("file", PDF + b" " * (128 * 1024), "a.pdf",
                                    "application/pdf")
    response = client.post(f"/api/v1/cases/{other_case}/material/{item_id}/files",
                           data=body, content_type=content_type)
    assert response.status_code == 413 and response.json["errors"]["files"]["file"]


# --- the API ----------------------------------------------------------------------------------

def test_the_api_lists_fills_changes_and_uploads(app, world, browser):
    with app.app_context():
        case = accept(world, refer(world))
        case_id = case.id
        # Accepting made the empty row of the entry the host's radiologist reviews.
        made = service.item_by_entry(case, "mri_pelvis").id
    client = browser(world.people["referrer"])
    listed = client.get(f"/api/v1/cases/{case_id}/material").json
    assert not listed["ready"] and listed["open"]
    assert {p["key"] for p in listed["problems"] if p["code"] == "missing"} >= {"mri_pelvis"}
    assert any(p["message"] == "Saknas: MR bäcken." for p in listed["problems"])
    created = client.post(f"/api/v1/cases/{case_id}/material", json={
        "checklist_key": "mri_pelvis", "examined_on": "2026-11-02",
        "reference_kind": "accession_number", "reference": "rad-1234"})
    assert created.status_code == 201, created.json
    item_id = created.json["id"]
    assert item_id == made  # that row, filled in
    assert created.json["reference"] == "RAD-1234" and created.json["review_by"] == "radiologist"
    again = client.post(f"/api/v1/cases/{case_id}/material", json={"checklist_key":
                                                                   "mri_pelvis"})
    assert again.status_code == 409 and "checklist_key" in again.json["errors"]["json"]
    changed = client.client.patch(f"/api/v1/cases/{case_id}/material/{item_id}",
                           json={"note": "Bilder skickade"})
    assert changed.status_code == 200 and changed.json["note"] == "Bilder skickade"
    placed = client.post(f"/api/v1/cases/{case_id}/material/{item_id}/availability",
                         json={"unit_id": world.nhv[0].id, "status": "available"})
    assert placed.status_code == 200 and placed.json["status"] == "available"
    uploaded = client.post(f"/api/v1/cases/{case_id}/material/{item_id}/files",
                           data={"file": (io.BytesIO(PDF), "svar.pdf", "text/plain")},
                           content_type="multipart/form-data")
    assert uploaded.status_code == 201 and uploaded.json["content_type"] == "application/pdf"
    downloaded = client.get(uploaded.json["download_url"])
    assert downloaded.status_code == 200 and downloaded.data == PDF
    downloaded.close()
    extra = client.post(f"/api/v1/cases/{case_id}/material",
                        json={"kind": "lab", "label": "Hb", "required": True})
    assert extra.status_code == 201 and extra.json["entry"] == f"item-{extra.json['id']}"


API_PROBES = [
    ("POST", "", {"checklist_key": "mri_pelvis", "examined_on": "2999-01-01"}, "examined_on"),
    ("POST", "", {"checklist_key": "mri_pelvis", "examined_on": "x\x00"}, "examined_on"),
    ("POST", "", {"checklist_key": "mri_pelvis", "reference_kind": "study_uid",
                  "reference": "1.02.3"}, "reference"),
    ("POST", "", {"checklist_key": "mri_pelvis", "note": "a\x00"}, "note"),
    ("POST", "", {"checklist_key": "mri_pelvis", "kind": "ct"}, "kind"),
    ("POST", "", {"checklist_key": "nope"}, "checklist_key"),
    ("POST", "", {"kind": "ct"}, "label"),
    ("POST", "", {"kind": "ct", "label": "x", "required": 1}, "required"),
    ("POST", "/{item}/availability", {"unit_id": 2**31, "status": "available"}, "unit_id"),
    ("POST", "/{item}/availability", {"unit_id": "{ref}", "status": "available"}, "unit_id"),
    ("POST", "/{item}/availability", {"unit_id": "{host}", "status": "gone"}, "status"),
    ("PATCH", "/{item}", {"source_hospital": "S\x00"}, "source_hospital"),
    ("PATCH", "/{item}", {"label": "not for a checklist entry"}, "label"),
]


@pytest.mark.parametrize(("method", "path", "body", "field"), API_PROBES)
def test_bad_input_on_each_api_field_is_a_problem_naming_it(app, world, browser, method,
                                                           path, body, field):
    with app.app_context():
        case = refer(world)
        item = service.save_entry(world.actor("referrer"), case, "pad_p16", {})
        case_id, item_id = case.id, item.id
        before = _count(MaterialItem)
    fill = {"{host}": world.nhv[0].id, "{ref}": world.referring.id}
    body = {key: fill.get(value, value) if isinstance(value, str) else value
            for key, value in body.items()}
    url = f"/api/v1/cases/{case_id}/material" + path.replace("{item}", str(item_id))
    response = browser(world.people["referrer"]).client.open(url, method=method, json=body)
    assert 400 <= response.status_code < 500 and response.mimetype == "application/problem+json"
    assert field in response.json["errors"]["json"]
    with app.app_context():
        assert _count(MaterialItem) == before
        assert db.session.get(MaterialItem, item_id).availability == []


def test_the_api_upload_refuses_an_executable_named_pdf(app, world, browser):
    with app.app_context():
        case = refer(world)
        item_id = service.save_entry(world.actor("referrer"), case, "pad_p16", {}).id
        case_id = case.id
    client = browser(world.people["referrer"])
    for content in (ELF, MZ):
        response = client.post(f"/api/v1/cases/{case_id}/material/{item_id}/files",
                               data={"file": (io.BytesIO(content), "x.pdf", "application/pdf")},
                               content_type="multipart/form-data")
        assert response.status_code == 422 and "file" in response.json["errors"]["files"]
    response = client.post(f"/api/v1/cases/{case_id}/material/{item_id}/files", data={},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "file" in response.json["errors"]["files"]
    assert client.post(f"/api/v1/cases/{case_id}/material/{2**31}/files").status_code == 404
    with app.app_context():
        assert _count(MaterialFile) == 0


def test_the_api_refuses_changes_to_an_ended_case(app, world, browser):
    with app.app_context():
        case = refer(world)
        item_id = service.save_entry(world.actor("referrer"), case, "pad_p16", {}).id
        from mdk.cases import service as cases

        cases.move_case(world.actor("referrer"), world.principal("referrer"), case,
                        "withdraw", {"reason": "Ej aktuellt"})
        case_id = case.id
    client = browser(world.people["referrer"])
    response = client.client.patch(f"/api/v1/cases/{case_id}/material/{item_id}",
                                   json={"note": "ny"})
    assert response.status_code == 409 and "state" in response.json["errors"]["json"]
    assert not client.get(f"/api/v1/cases/{case_id}/material").json["open"]


# --- the case list ------------------------------------------------------------------------------

def test_the_case_list_shows_readiness_in_a_constant_number_of_statements(
        app, world, browser, statement_counter):
    client = browser(world.people["coordinator"])

    def statements() -> tuple[int, str]:
        with statement_counter() as counted:
            response = client.get("/cases?area=analcancer")
            assert response.status_code == 200
        return counted.count, response.get_data(as_text=True)

    with app.app_context():
        placed = accept(world, refer(world))
        service.save_entry(world.actor("referrer"), placed, "mri_pelvis",
                           {"examined_on": world.conference.day - timedelta(days=10)})
        refer(world, number_index=1)  # not yet on a meeting: judged by the next one
    few, page = statements()
    assert "5 saknas" in page and "4 saknas · 1 inte hos värden" in page
    with app.app_context():
        for index in range(2, 8):
            case = accept(world, refer(world, number_index=index)) if index % 2 \
                else refer(world, number_index=index)
            item = service.save_entry(world.actor("referrer"), case, "pet_ct",
                                      {"reference_kind": "study_uid", "reference": "1.2.3"})
            service.set_availability(world.actor("referrer"), case, item,
                                     {"unit_id": world.nhv[0].id, "status": "available"})
            _upload(client, case.id, PDF, key="pad_p16")
    many, page = statements()
    assert many == few
