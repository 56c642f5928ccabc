"""A remiss registered on the referring unit's behalf (mdk.cases.on_behalf): a coordinator
registers the referral with the unit, its contact, how the remiss came and its PDF; the case
says so, keeps the PDF as material, is audited, and the unit's mailbox and the contact get a
receipt with the case number and no patient data."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.exceptions import Forbidden, NotFound

from mdk.audit.models import AuditEvent
from mdk.cases import on_behalf, service
from mdk.cases.models import Case
from mdk.db import utcnow
from mdk.extensions import db
from mdk.i18n import to_local
from mdk.material.models import MaterialFile, MaterialItem
from mdk.outbox.delivery import deliver_due
from mdk.outbox.models import OutboxMessage
from mdk.patients.models import Patient
from mdk.people import service as people
from tests.cases.factories import NUMBERS, referral
from tests.mail_guard import findings_in, known_patients
from tests.material.factories import ELF, PDF, png
from tests.units.factories import field_error, make_person, make_unit

PATIENT = "Nummer9"


def _pnr(number: str) -> str:
    return f"{number[:8]}-{number[8:]}"


def _today():
    return to_local(utcnow()).date()


def _form(world, number_index: int = 9, **overrides) -> dict:
    """The coordinator's referral form, filled in as from a letter."""
    form = {
        "referring_unit_id": str(world.referring.id), "identity_kind": "national",
        "identity_number": _pnr(NUMBERS[number_index]), "given_name": "Testpatient",
        "family_name": PATIENT, "case_type": "primary", "priority": "normal",
        "question": "Kurativ kemoradioterapi? Remiss med brev.", "consent_recorded": "y",
        "answer_diagnosis_basis": "pad_verified", "answer_histology": "squamous_cell",
        "answer_who_performance_status": "1", "submit_now": "1",
        "on_behalf": "y", "contact_person_id": str(world.people["referrer"].id),
        "remiss_source": "letter", "remiss_received_on": (_today() - timedelta(days=2))
        .isoformat(), "remiss_reference": "Rem-2026/118",
    }
    form.update(overrides)
    return form


def _multipart(fields: dict, file: tuple[bytes, str, str] | None) -> tuple[bytes, str]:
    """The body made here, as the material tests do (the test client's own spools files)."""
    boundary = "onbehalftestboundary"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}'
             f"\r\n".encode() for name, value in fields.items()]
    if file is not None:
        content, name, kind = file
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="remiss_file"; '
                     f'filename="{name}"\r\nContent-Type: {kind}\r\n\r\n'.encode()
                     + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), \
        f"multipart/form-data; boundary={boundary}"


def _post(client, form: dict, file=(PDF, "remiss brev.pdf", "application/pdf")):
    body, content_type = _multipart(form, file)
    return client.post("/cases/new?area=analcancer", data=body, content_type=content_type)


def _counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Case, Patient, MaterialItem, MaterialFile, OutboxMessage))


def _stored_files(app) -> set[str]:
    folder = app.config["MDK"].instance_path / "uploads"
    return {path.name for path in folder.iterdir()} if folder.exists() else set()


def _register(world, number_index: int = 9, remiss=PDF, **overrides) -> Case:
    data = {**referral(number_index, submit=True, referring_unit_id=world.referring.id),
            "contact_person_id": world.people["referrer"].id, "remiss_source": "letter",
            "remiss_received_on": _today().isoformat(), **overrides}
    return on_behalf.register_on_behalf(world.actor("coordinator"),
                                        world.principal("coordinator"), data,
                                        io.BytesIO(remiss), "remiss.pdf")


def _mails(case: Case, kind: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.case_id == case.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


# --- the form ----------------------------------------------------------------------------------

def test_the_coordinators_form_offers_the_remiss_with_the_units_referrers(app, world, browser):
    page = browser(world.people["coordinator"]).get("/cases/new?area=analcancer"
                                                    ).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'name="remiss_file"' in page
    assert 'accept="application/pdf"' in page
    for source in ("Journalsystem (elektronisk remiss)", "Brev", "Fax", "Övrigt"):
        assert f">{source}</option>" in page
    # The contacts are offered under the unit they refer from.
    group = page.index(f'<optgroup label="{world.referring.name}">')
    assert page.index(world.people["referrer"].name, group) > group
    assert '<input checked id="on_behalf" name="on_behalf" type="checkbox"' in page


def test_a_coordinator_registers_a_remiss_with_unit_contact_source_and_pdf(app, world,
                                                                           browser):
    client = browser(world.people["coordinator"])
    response = _post(client, _form(world))
    assert response.status_code == 302, field_error(response.get_data(as_text=True),
                                                    "remiss_file")
    with app.app_context():
        case = db.session.scalars(select(Case).order_by(Case.id.desc())).first()
        coordinator = world.people["coordinator"]
        assert case.state == "submitted" and case.submitted_at is not None
        assert case.referring_unit_id == world.referring.id
        assert case.contact_person_id == world.people["referrer"].id
        assert case.created_by == coordinator.id
        assert case.registered_on_behalf_by_id == coordinator.id
        assert (case.remiss_source, case.remiss_received_on, case.remiss_reference) == (
            "letter", _today() - timedelta(days=2), "Rem-2026/118")
        item = db.session.scalars(select(MaterialItem).where(
            MaterialItem.case_id == case.id)).one()
        assert (item.kind, item.label, item.required, item.checklist_key) == (
            "other", "Remiss", False, None)
        found = db.session.scalars(select(MaterialFile).where(
            MaterialFile.case_id == case.id)).one()
        assert found.item_id == item.id and found.content_type == "application/pdf"
        assert found.original_name == "remiss brev.pdf" and found.uploaded_by == coordinator.id
        stored = app.config["MDK"].instance_path / "uploads" / found.storage_name
        assert stored.read_bytes() == PDF
        actions = {event.action: event for event in db.session.scalars(
            select(AuditEvent).where(AuditEvent.patient_id == case.patient_id))}
        event = actions["case.register_on_behalf"]
        assert event.object_id == case.id and event.actor_id == coordinator.id
        assert event.details["remiss_source"] == "letter"
        assert event.details["contact_person_id"] == world.people["referrer"].id
        assert event.details["material_file_id"] == found.id
        assert {"case.create", "case.submit", "material.create", "material.upload"} <= set(
            actions)
        case_id, number = case.id, case.number
    page = client.get(response.location).get_data(as_text=True)
    assert f"Registrerad för remittentens räkning av {coordinator.name}" in page
    assert "från en remiss som kom med brev, mottagen" in page
    assert "Avsändarens referens: Rem-2026/118." in page
    assert "Remiss" in page and "remiss brev.pdf" in page  # the material item and its file
    assert str(case_id) in response.location and NUMBERS[9][:8] not in response.location
    assert number in page


def test_the_case_api_reads_the_on_behalf_fields(app, world, browser):
    with app.app_context():
        case = _register(world, remiss_reference="R-77")
        plain = service.register_case(world.actor("referrer"), world.principal("referrer"),
                                      referral(3, submit=True))
        ids = case.id, plain.id
    client = browser(world.people["coordinator"])
    read = client.get(f"/api/v1/cases/{ids[0]}").get_json()
    assert read["registered_on_behalf"] == {
        "registered_by_id": world.people["coordinator"].id,
        "registered_by_name": world.people["coordinator"].name, "source": "letter",
        "received_on": _today().isoformat(), "reference": "R-77"}
    assert client.get(f"/api/v1/cases/{ids[1]}").get_json()["registered_on_behalf"] is None
    # The referring unit reads it too.
    own = browser(world.people["referrer"]).get(f"/api/v1/cases/{ids[0]}").get_json()
    assert own["registered_on_behalf"]["source"] == "letter"


def test_the_referrer_is_not_offered_the_remiss_and_cannot_post_it(app, world, browser):
    client = browser(world.people["referrer"])
    page = client.get("/cases/new?area=analcancer").get_data(as_text=True)
    assert "remiss_file" not in page and "contact_person_id" not in page
    assert 'enctype="multipart/form-data"' not in page
    with app.app_context():
        other = make_person(unit=world.referring)
        people.grant_role(other, "referrer", "analcancer", world.referring.id)
        db.session.commit()
        other_id = other.id
    response = _post(client, _form(world, contact_person_id=str(other_id)))
    assert response.status_code == 302
    with app.app_context():
        case = db.session.scalars(select(Case).order_by(Case.id.desc())).first()
        assert case.contact_person_id == world.people["referrer"].id  # themselves, as ever
        assert not case.registered_on_behalf and case.registered_on_behalf_by_id is None
        assert case.remiss_received_on is None and case.remiss_reference is None
        assert db.session.scalar(select(func.count(MaterialFile.id)).where(
            MaterialFile.case_id == case.id)) == 0
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "case.register_on_behalf")) == 0
        assert _mails(case, "case.registered_on_behalf") == []


def test_the_service_refuses_a_referrer_and_another_areas_coordinator(app_ctx, world):
    data = {**referral(9, submit=True, referring_unit_id=world.referring.id),
            "remiss_source": "letter", "remiss_received_on": _today().isoformat()}
    with pytest.raises(Forbidden):
        on_behalf.register_on_behalf(world.actor("referrer"), world.principal("referrer"),
                                     data, io.BytesIO(PDF), "remiss.pdf")
    with pytest.raises(NotFound):
        on_behalf.register_on_behalf(world.actor("crs_coordinator"),
                                     world.principal("crs_coordinator"), data,
                                     io.BytesIO(PDF), "remiss.pdf")
    assert db.session.scalar(select(func.count(Case.id))) == 0


def test_a_coordinator_without_the_remiss_box_refers_as_before(app, world, browser):
    form = _form(world)
    for name in ("on_behalf", "contact_person_id", "remiss_source", "remiss_received_on",
                 "remiss_reference"):
        form.pop(name)
    response = _post(browser(world.people["coordinator"]), form, file=None)
    assert response.status_code == 302
    with app.app_context():
        case = db.session.scalars(select(Case).order_by(Case.id.desc())).first()
        assert not case.registered_on_behalf
        assert case.contact_person_id == world.people["coordinator"].id


# --- bad input: named at its field, nothing saved, no file left --------------------------------

def _unknown_contact(world):
    return {"contact_person_id": str(world.people["other_referrer"].id)}


BAD = {
    "no_pdf": ("remiss_file", lambda world: {}, None),
    "png": ("remiss_file", lambda world: {}, (png(), "remiss.png", "image/png")),
    "executable_named_pdf": ("remiss_file", lambda world: {},
                             (ELF, "remiss.pdf", "application/pdf")),
    "pdf_without_end": ("remiss_file", lambda world: {},
                        (b"%PDF-1.4\nno end", "remiss.pdf", "application/pdf")),
    "unknown_unit": ("referring_unit_id", lambda world: {"referring_unit_id": "2147483647"},
                     ...),
    "contact_of_another_unit": ("contact_person_id", _unknown_contact, ...),
    "no_contact_when_the_unit_has_referrers": ("contact_person_id",
                                               lambda world: {"contact_person_id": ""}, ...),
    "unknown_contact": ("contact_person_id", lambda world: {"contact_person_id": "99999999"},
                        ...),
    "no_source": ("remiss_source", lambda world: {"remiss_source": ""}, ...),
    "unknown_source": ("remiss_source", lambda world: {"remiss_source": "duva"}, ...),
    "no_day": ("remiss_received_on", lambda world: {"remiss_received_on": ""}, ...),
    "day_after_today": ("remiss_received_on", lambda world: {
        "remiss_received_on": (_today() + timedelta(days=1)).isoformat()}, ...),
    "not_a_day": ("remiss_received_on", lambda world: {"remiss_received_on": "30/11"}, ...),
    "reference_with_nul": ("remiss_reference", lambda world: {"remiss_reference": "R\x00"},
                           ...),
    "reference_too_long": ("remiss_reference", lambda world: {"remiss_reference": "R" * 101},
                           ...),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_named_at_its_field_and_saves_nothing(app, world, browser, case):
    field, overrides, file = BAD[case]
    with app.app_context():
        before, files = _counts(), _stored_files(app)
    kwargs = {} if file is ... else {"file": file}
    response = _post(browser(world.people["coordinator"]), _form(world, **overrides(world)),
                     **kwargs)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, field), page[page.find("form-summary"):][:400]
    assert "Testpatient" in page and PATIENT in page  # what was typed stays
    with app.app_context():
        assert _counts() == before
    assert _stored_files(app) == files  # no file stored, nor a half-written one


def test_a_remiss_over_the_upload_limit_is_refused_at_its_field(app, world, browser,
                                                                monkeypatch):
    monkeypatch.setitem(app.config, "MDK", replace(app.config["MDK"], upload_max_mb=1))
    with app.app_context():
        before, files = _counts(), _stored_files(app)
    big = PDF[:-6] + b" " * (1024 * 1024) + b"%%EOF\n"
    response = _post(browser(world.people["coordinator"]), _form(world),
                     file=(big, "remiss.pdf", "application/pdf"))
    assert response.status_code == 422
    assert "högst 1 MB" in field_error(response.get_data(as_text=True), "remiss_file")
    with app.app_context():
        assert _counts() == before
    assert _stored_files(app) == files


def test_every_problem_of_the_referral_and_the_remiss_is_shown_in_one_round(app, world,
                                                                           browser):
    form = _form(world, consent_recorded="", remiss_source="", remiss_received_on="")
    response = _post(browser(world.people["coordinator"]), form, file=None)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for field in ("consent_recorded", "remiss_source", "remiss_received_on", "remiss_file"):
        assert field_error(page, field), field


def test_a_unit_without_referrers_needs_no_contact_and_its_mailbox_alone_is_told(
        app, world, browser):
    with app.app_context():
        unit = make_unit()
        db.session.commit()
        unit_id, mailbox = unit.id, unit.mailbox
    response = _post(browser(world.people["coordinator"]), _form(
        world, referring_unit_id=str(unit_id), contact_person_id=""))
    assert response.status_code == 302
    with app.app_context():
        case = db.session.scalars(select(Case).order_by(Case.id.desc())).first()
        assert case.referring_unit_id == unit_id and case.contact_person_id is None
        assert {mail.recipient_email for mail in _mails(case, "case.registered_on_behalf")
                } == {mailbox}


# --- the receipt ---------------------------------------------------------------------------

def test_the_mailbox_and_the_contact_get_a_receipt_without_patient_data(app_ctx, world):
    case = _register(world)
    receipts = _mails(case, "case.registered_on_behalf")
    assert {mail.recipient_email for mail in receipts} == {
        world.referring.mailbox, world.people["referrer"].email}
    assert _mails(case, "case.submitted") == []  # this receipt instead of the usual one
    assert {mail.recipient_email for mail in _mails(case, "case.triage")} == {
        world.people["coordinator"].email, world.people["other_coordinator"].email}
    known = known_patients(db.session)
    for mail in receipts:
        assert mail.subject == f"Ärende {case.number}: er remiss är registrerad hos MDK"
        assert case.number in mail.body_text and case.number in mail.body_html
        assert f"http://localhost/cases/{case.id}" in mail.body_text
        assert "med brev" in mail.body_text and world.referring.name in mail.body_text
        assert world.people["coordinator"].name in mail.body_text
        for text in (mail.subject, mail.body_text, mail.body_html):
            assert findings_in(text, known) == []
            assert "Testpatient" not in text and PATIENT not in text
            assert NUMBERS[9][:8] not in text and case.question not in text


def test_a_contact_whose_address_is_the_units_mailbox_gets_one_receipt(app_ctx, world):
    world.referring.mailbox = world.people["referrer"].email
    db.session.commit()
    case = _register(world)
    assert [mail.recipient_email for mail in _mails(case, "case.registered_on_behalf")] == [
        world.people["referrer"].email]


def test_the_contact_gets_it_in_english_even_with_information_mail_off(app_ctx, world):
    contact = world.people["referrer"]
    contact.locale, contact.informational_mail = "en", False
    db.session.commit()
    case = _register(world, remiss_source="fax")
    by_address = {mail.recipient_email: mail
                  for mail in _mails(case, "case.registered_on_behalf")}
    assert by_address[contact.email].subject == (
        f"Case {case.number}: your remiss is registered with the MDK")
    assert "by fax" in by_address[contact.email].body_text
    assert "med fax" in by_address[world.referring.mailbox].body_text  # a mailbox: Swedish


def test_a_draft_on_behalf_gives_the_receipt_when_submitted_and_a_resubmission_the_usual(
        app_ctx, world):
    case = _register(world, submit=False)
    assert case.state == "draft" and _mails(case) == []
    coordinator = (world.actor("coordinator"), world.principal("coordinator"))
    service.move_case(*coordinator, case, "submit", {})
    assert len(_mails(case, "case.registered_on_behalf")) == 2
    service.move_case(*coordinator, case, "return", {"reason": "Komplettera PAD."})
    service.move_case(world.actor("referrer"), world.principal("referrer"), case, "submit", {})
    assert len(_mails(case, "case.registered_on_behalf")) == 2
    assert {mail.recipient_email for mail in _mails(case, "case.submitted")} == {
        world.referring.mailbox, world.people["referrer"].email}


def test_the_receipt_is_delivered_over_smtp(delivering, mail_server, world):
    with delivering.app_context():
        case = _register(world)
        number, mailbox = case.number, world.referring.mailbox
        result = deliver_due()
        assert result.dead == 0 and result.sent >= 3
    delivered = [message for message in mail_server.messages
                 if mailbox in str(message["To"]) and number in str(message["Subject"])]
    assert len(delivered) == 1
    text = delivered[0].get_body(preferencelist=("plain",)).get_content()
    assert number in text and "med brev" in text
    assert "Testpatient" not in text and NUMBERS[9][:8] not in text
