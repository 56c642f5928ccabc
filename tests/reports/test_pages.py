"""The report as its readers meet it: the referrer opens it from the case page, reads the
recommendation and the care plan with the patient's identity, copies the journal text,
downloads the FHIR bundle and acknowledges it; the coordinator sees that it was opened and
acknowledged; another unit's referrer does not get in; every form of it is audited."""

from __future__ import annotations

import json
from html import unescape

from sqlalchemy import select

from mdk.audit.models import AuditEvent
from mdk.extensions import db
from mdk.protocols import service as protocols
from mdk.reports import service
from tests.reports.factories import issued


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _url(case_id: int, tail: str = "") -> str:
    return f"/cases/{case_id}/report{tail}"


def _forms_read(case_id: int) -> list[str]:
    return [event.details["form"] for event in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "report.read",
                                 AuditEvent.object_id == case_id).order_by(AuditEvent.id))]


def test_the_referrer_opens_reads_and_acknowledges_the_report(app, chaired, case_on_meeting,
                                                               browser):
    case_id = case_on_meeting.id
    with app.app_context():
        issued(chaired, case_on_meeting)
        patient = case_on_meeting.patient
        name, identity = patient.family_name, patient.display_identity
    referrer = browser(chaired.people["referrer"])
    case_page = _text(referrer.get(f"/cases/{case_id}"))
    assert f'href="{_url(case_id)}"' in case_page and "inte öppnad än" in case_page
    page = _text(referrer.get(_url(case_id)))
    assert "Rapport från nationell MDK – Analcancer" in page
    assert "Kurativt syftande kemoradioterapi." in page and "Tarmterapeut" in page
    assert name in page and identity in page  # the referring unit sees its patient
    assert "Bekräfta som mottagen" in page and "Inte bekräftad" in page
    journal_text = page.split('id="report-text"', 1)[1].split("</textarea>", 1)[0]
    assert "Kemoradioterapi 58 Gy" in journal_text and identity not in journal_text
    text = referrer.get(_url(case_id, ".txt"))
    assert text.mimetype == "text/plain" and "MDK-PROTOKOLL" in _text(text)
    fhir = referrer.get(_url(case_id, ".fhir.json"))
    assert fhir.mimetype == "application/fhir+json"
    bundle = json.loads(fhir.get_data(as_text=True))
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "document"
    assert 'name="revision" value="1"' in page  # the form names the version shown
    acknowledged = referrer.post(_url(case_id, "/acknowledge"), data={"revision": "1"})
    assert acknowledged.status_code == 303
    page = _text(referrer.get(_url(case_id)))
    assert "Tack: rapporten är bekräftad som mottagen." in page
    assert "Bekräfta som mottagen" not in page
    with app.app_context():
        report = service.current_report(db.session.merge(case_on_meeting))
        assert report.acknowledged_by == chaired.people["referrer"].id
        assert report.first_opened_by == chaired.people["referrer"].id
        assert _forms_read(case_id) == ["page", "text", "fhir", "page"]
    coordinator_page = _text(browser(chaired.people["coordinator"]).get(_url(case_id)))
    assert "Bekräftad" in coordinator_page and chaired.people["referrer"].name in \
        coordinator_page
    assert "Bekräfta som mottagen" not in coordinator_page


def test_a_version_issued_after_the_page_was_opened_is_not_acknowledged_unread(
        app, chaired, case_on_meeting, browser):
    """The referrer opens version 1; an addendum issues version 2 before they click: their
    click names version 1, so version 2 stays unacknowledged and the page says why."""
    case_id = case_on_meeting.id
    with app.app_context():
        first = issued(chaired, case_on_meeting)
    referrer = browser(chaired.people["referrer"])
    assert 'name="revision" value="1"' in _text(referrer.get(_url(case_id)))
    with app.app_context():
        protocols.add_addendum(chaired.actor("host_member"), chaired.principal("host_member"),
                               case_on_meeting, db.session.merge(first).protocol,
                               "Även PET-DT efter 12 veckor.", "Tillägg efter mötet.")
    answer = referrer.post(_url(case_id, "/acknowledge"), data={"revision": "1"})
    assert answer.status_code == 303
    page = _text(referrer.get(_url(case_id)))
    assert "Version 1 är inte den aktuella rapporten" in page
    assert 'name="revision" value="2"' in page
    missing = referrer.post(_url(case_id, "/acknowledge"))  # no version named
    assert missing.status_code == 303
    with app.app_context():
        current = service.current_report(db.session.merge(case_on_meeting))
        assert current.revision == 2 and current.acknowledged_at is None


def test_the_coordinator_cannot_acknowledge_and_another_unit_does_not_get_in(
        app, chaired, case_on_meeting, browser):
    case_id = case_on_meeting.id
    with app.app_context():
        issued(chaired, case_on_meeting)
    coordinator = browser(chaired.people["coordinator"])
    assert coordinator.post(_url(case_id, "/acknowledge"),
                            data={"revision": "1"}).status_code == 403
    other = browser(chaired.people["other_referrer"])
    for tail in ("", ".pdf", ".txt", ".fhir.json"):
        assert other.get(_url(case_id, tail)).status_code == 404
    assert other.post(_url(case_id, "/acknowledge"), data={"revision": "1"}).status_code == 404
    with app.app_context():
        assert service.current_report(db.session.merge(case_on_meeting)).acknowledged_at \
            is None


def test_before_the_report_the_page_says_so_and_downloads_lead_to_it(
        app, chaired, case_on_meeting, browser):
    case_id = case_on_meeting.id
    referrer = browser(chaired.people["referrer"])
    page = referrer.get(_url(case_id))
    assert page.status_code == 200 and "Det finns ingen rapport än" in _text(page)
    download = referrer.get(_url(case_id, ".txt"))
    assert download.status_code == 303 and download.location.endswith(_url(case_id))


def _pdf_text(data: bytes) -> tuple[str, object]:
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages), reader


def test_the_pdf_holds_the_recommendation_and_the_care_plan_in_swedish(
        app, chaired, case_on_meeting, browser):
    case_id = case_on_meeting.id
    with app.app_context():
        issued(chaired, case_on_meeting)
        number = case_on_meeting.number
        identity = case_on_meeting.patient.display_identity
    response = browser(chaired.people["referrer"]).get(_url(case_id, ".pdf"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert f"mdk-rapport-{number}-v1.pdf" in response.headers["Content-Disposition"]
    text, reader = _pdf_text(response.data)
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    assert reader.metadata.title == f"MDK-rapport {number}"
    for expected in ("Rapport från nationell MDK – Analcancer", f"Ärende {number}",
                     "Kurativt syftande kemoradioterapi.", "Behandlingsrekommendation",
                     "Individuell vårdplan (Min vårdplan), version 1", "Tarmterapeut",
                     "Uroterapeut", "Anna Testsköterska", "Sida 1 av"):
        assert expected in text, expected
    assert identity in text  # the identity inside the document only
    with app.app_context():
        assert _forms_read(case_id) == ["pdf"]


def test_mdk_reports_pdf_writes_the_report(app, chaired, case_on_meeting, tmp_path):
    from mdk.reports.cli import reports_cli

    with app.app_context():
        issued(chaired, case_on_meeting)
        number = case_on_meeting.number
    runner = app.test_cli_runner()
    target = tmp_path / "rapport.pdf"
    result = runner.invoke(reports_cli, ["pdf", number, "-o", str(target)])
    assert result.exit_code == 0, result.output
    text, _reader = _pdf_text(target.read_bytes())
    assert "Kurativt syftande kemoradioterapi." in text and number in text
    missing = runner.invoke(reports_cli, ["pdf", "AC-1999-9999", "-o", str(target)])
    assert missing.exit_code != 0 and "no case with the number" in missing.output
    with app.app_context():
        assert _forms_read(case_on_meeting.id) == ["pdf-cli"]


def test_the_conference_view_shows_how_far_each_cases_documents_have_come(
        app, chaired, case_on_meeting, browser):
    case_id, conference_id = case_on_meeting.id, case_on_meeting.conference_id
    coordinator = browser(chaired.people["coordinator"])
    view = f"/conferences/{conference_id}/conference"
    page = _text(coordinator.get(view))
    assert f'id="protocol-state-{case_id}">Inte påbörjat' in page
    assert f"care-plan-state-{case_id}" not in page
    with app.app_context():
        issued(chaired, case_on_meeting)
    page = _text(coordinator.get(view))
    assert f'id="protocol-state-{case_id}">Signerat' in page
    assert f'id="care-plan-state-{case_id}">Fastställd' in page
    assert f'id="report-state-{case_id}">Skickad, inte bekräftad' in page
