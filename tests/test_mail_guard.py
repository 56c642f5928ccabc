"""The patient-data guard itself (tests/mail_guard.py, run after every test by
tests/conftest.py): it finds identity numbers in every accepted form and spacing, and the
names of the database's patients, in outbox rows and delivered files."""

from __future__ import annotations

import base64

import pytest

from mdk.extensions import db
from mdk.outbox.models import OutboxMessage
from mdk.patients.models import Patient
from mdk.patients.service import fictitious_identity_numbers
from tests.mail_guard import KnownPatients, MailGuard, identity_numbers_in, outbox_findings

NUMBER = fictitious_identity_numbers(1, seed=20261201)[0]  # 12 digits, valid, fictitious
SHORT = NUMBER[2:]
NOBODY = KnownPatients(names=(), numbers=())


@pytest.mark.parametrize("written", [
    NUMBER, f"{NUMBER[:8]}-{NUMBER[8:]}", SHORT, f"{SHORT[:6]}-{SHORT[6:]}",
    f"{SHORT[:6]}+{SHORT[6:]}", f"{NUMBER[:8]} {NUMBER[8:]}", f"{SHORT[:6]} {SHORT[6:]}",
    f"{NUMBER[:4]} {NUMBER[4:8]} {NUMBER[8:]}", f"{SHORT[:2]}-{SHORT[2:4]}-{SHORT[4:]}",
])
def test_every_written_form_of_an_identity_number_is_found(written):
    assert identity_numbers_in(f"Ärende AC-2026-0001 gäller {written}.") != []


@pytest.mark.parametrize("text", [
    "Möte tis 8 dec 2026 · v. 50 08:00", "2026-12-08 08:00", "Telefon 08-123 456 78",
    "AC-2026-0142", "http://localhost/cases/12345", "Organisationsnummer 556000-0003",
])
def test_dates_phone_numbers_and_case_numbers_are_not_identity_numbers(text):
    assert identity_numbers_in(text) == []


def test_a_reservnummer_in_a_regions_format_is_found():
    assert identity_numbers_in("Reservnummer 19800517-R123") != []


def _row(**fields) -> OutboxMessage:
    values = {"message_id": f"<{id(fields)}@test>", "idempotency_key": "guard-test",
              "kind": "test", "recipient_email": "someone@region.example",
              "subject": "Ärende AC-2026-0001", "body_text": "Inget här.",
              "body_html": "<p>Inget här.</p>", **fields}
    message = OutboxMessage(**values)
    db.session.add(message)
    db.session.flush()
    return message


def _patient() -> Patient:
    patient = Patient(identity_kind="personnummer", identity_value=NUMBER,
                      given_name="Testpatient", family_name="Vaktsson", fictitious=True)
    db.session.add(patient)
    db.session.flush()
    return patient


def test_the_guard_reports_a_patients_name_in_an_outbox_row(app_ctx):
    _patient()
    row = _row(body_html="<p>Gäller VAKTSSON, se ärendet.</p>")
    findings = outbox_findings(db.session)
    assert findings == [f"outbox row {row.id} body_html: the patient name 'Vaktsson'"]
    db.session.rollback()  # the row must not fail this test itself


def test_the_guard_reports_numbers_in_subjects_calendars_and_attachments(app_ctx):
    _patient()
    _row(subject=f"Ärende {SHORT[:6]}-{SHORT[6:]}",
         calendar=f"BEGIN:VCALENDAR\r\nSUMMARY:{NUMBER}\r\nEND:VCALENDAR",
         attachments=[{"filename": "report.txt", "content_type": "text/plain",
                       "data": base64.b64encode(f"Patient {NUMBER[:8]} {NUMBER[8:]}"
                                                .encode()).decode()}])
    fields = {finding.split(":")[0].split(" ", 3)[3] for finding in outbox_findings(db.session)}
    assert fields == {"subject", "calendar", "attachment 0"}
    db.session.rollback()


def test_the_guard_finds_nothing_in_clean_rows_and_reads_no_patients_without_rows(
        app_ctx, statement_counter):
    with statement_counter() as counted:
        assert outbox_findings(db.session) == []
    assert counted.count == 1  # the outbox query only
    _patient()
    _row()
    assert outbox_findings(db.session) == []
    db.session.rollback()


def test_a_name_that_is_a_word_of_the_service_is_sought_as_the_full_name(app_ctx):
    patient = _patient()
    # As the demo's "Testpatient Ett": words every mail has ("ett ärende").
    patient.given_name, patient.family_name = "Ärende", "Ett"
    _row(body_text="Du får ett mejl om ärende AC-2026-0001.")
    assert outbox_findings(db.session) == []
    row = _row(message_id="<two@test>", idempotency_key="two", body_text="Gäller ärende\nETT.")
    assert outbox_findings(db.session) == [
        f"outbox row {row.id} body_text: the patient name 'Ärende Ett'"]
    db.session.rollback()


def test_the_guard_reads_delivered_eml_files_once(app_ctx, tmp_path):
    _patient()
    (tmp_path / "one.eml").write_bytes(
        b"Subject: =?utf-8?q?=C3=84rende?=\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        b"Hej Testpatient\r\n")
    guard = MailGuard()
    findings = guard.findings(db.session, tmp_path)
    assert findings == ["one.eml text/plain: the patient name 'Testpatient'"]
    assert guard.findings(db.session, tmp_path) == []  # already read
    db.session.rollback()


def test_the_guard_reads_what_a_test_smtp_server_received(app_ctx, tmp_path):
    from email.message import EmailMessage

    message = EmailMessage()
    message["Subject"], message["Message-ID"] = f"Ärende {NUMBER[:8]}-{NUMBER[8:]}", "<m@t>"
    message.set_content("Inget här.")
    assert MailGuard().findings(db.session, tmp_path, [message]) == [
        f"SMTP message <m@t> subject: identity number {NUMBER}"]
