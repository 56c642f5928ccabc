"""A remiss registered on the referring unit's behalf, in a real browser, in Swedish: the
demo's anal-cancer coordinator registers a remiss that came by letter for the demo
referrer's unit, with the referrer as the contact and the remiss as a PDF; the case page
says how it was registered and lists the PDF in its material; one delivery run writes the
receipt to the unit's mailbox (and the contact's), with the case number and a link, and
no patient data. No personnummer reaches a URL. The form and the case page are kept in
test-artifacts/ for a human look."""

from __future__ import annotations

import re
from datetime import timedelta
from email import policy
from email.parser import BytesParser

import pytest
from playwright.sync_api import Page, expect

from mdk.db import utcnow
from mdk.documents.pdf import html_to_pdf
from mdk.extensions import db
from mdk.i18n import to_local
from mdk.outbox.delivery import deliver_due
from mdk.patients.service import fictitious_identity_numbers
from mdk.people.service import person_by_email
from tests.e2e.conftest import ARTIFACTS, DEMO_LOGINS, LIVE, log_in_as

pytestmark = pytest.mark.e2e

# A seed of its own: neither the demo's patients nor the other browser tests' numbers.
NUMBER = fictitious_identity_numbers(1, seed=20261130)[0]
PNR = f"{NUMBER[:8]}-{NUMBER[8:]}"
FAMILY_NAME = "Remissdotter"


def _remiss_pdf() -> bytes:
    """A one-page remiss as a clinic would print it (no patient data: the form has it)."""
    return html_to_pdf("<h1>Remiss till nationell MDK, analcancer</h1>",
                       title="Remiss till nationell MDK")


def _referrer_and_unit(app) -> tuple[str, str, str, str]:
    """The demo referrer's name and e-mail, and their unit's name and mailbox."""
    with app.app_context():
        referrer = person_by_email(DEMO_LOGINS["referrer"])
        found = referrer.name, referrer.email, referrer.unit.name, referrer.unit.mailbox
        db.session.remove()
    return found


def _delivered(app, address: str, subject_part: str) -> str:
    """The text part of the one .eml file delivered to `address` about `subject_part`."""
    found = []
    for path in (app.config["MDK"].instance_path / "mail").glob("*.eml"):
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        if address in str(message["To"]) and subject_part in str(message["Subject"]):
            found.append(message.get_body(preferencelist=("plain",)).get_content())
    assert len(found) == 1, f"{len(found)} mails to {address} about {subject_part}"
    return found[0]


def test_a_coordinator_registers_a_remiss_for_the_unit_and_its_mailbox_gets_the_receipt(
        anonymous_page: Page):
    app, page = LIVE["app"], anonymous_page
    contact, contact_email, unit, mailbox = _referrer_and_unit(app)
    urls: list[str] = []
    page.on("request", lambda found: urls.append(found.url))
    with app.app_context():
        received = (to_local(utcnow()).date() - timedelta(days=1)).isoformat()

    log_in_as(page, "coordinator")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Ärenden", exact=True).click()
    page.get_by_role("link", name="Anmäl ett nytt ärende").click()
    if page.get_by_role("link", name="Analcancer").count():  # a coordinator of several areas
        page.get_by_role("link", name="Analcancer").click()
    expect(page.locator("h1")).to_contain_text("Analcancer")
    page.get_by_label("Remitterande enhet", exact=True).select_option(label=unit)
    expect(page.get_by_label("Jag registrerar en remiss")).to_be_checked()
    page.get_by_label("Kontaktperson på remitterande enhet").select_option(label=contact)
    page.get_by_label("Remissen kom", exact=True).select_option(label="Brev")
    page.get_by_label("Dag då remissen kom in").fill(received)
    page.get_by_label("Avsändarens referens (frivilligt)").fill("LiÖ-2026/4471")
    page.get_by_label("Remissen (PDF)", exact=True).set_input_files(
        {"name": "remiss-brev.pdf", "mimeType": "application/pdf", "buffer": _remiss_pdf()})
    page.get_by_label("Identitetsnummer", exact=True).fill(PNR)
    page.get_by_label("Förnamn").fill("Testpatient")
    page.get_by_label("Efternamn").fill(FAMILY_NAME)
    page.get_by_label("Frågeställning till MDK").fill("Kurativ kemoradioterapi? Remiss med brev.")
    page.get_by_label("Typ av frågeställning").select_option("primary")
    page.get_by_label("Patienten samtycker").check()
    page.get_by_label("Diagnosgrund").select_option("pad_verified")
    page.get_by_label("Histologi").select_option("squamous_cell")
    page.get_by_label("WHO funktionsstatus (0–4)").fill("1")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "on-behalf-form.png"), full_page=True)
    page.get_by_role("button", name="Skicka till MDK").click()

    expect(page.locator(".flash").first).to_contain_text("är anmält till MDK")
    number = page.locator("h1").inner_text().split()[0]
    assert re.fullmatch(r"AC-\d{4}-\d{4}", number)
    note = page.locator(".notice", has_text="för remittentens räkning")
    expect(note).to_contain_text("Registrerad för remittentens räkning av Karin Ekström")
    expect(note).to_contain_text("från en remiss som kom med brev, mottagen")
    expect(note).to_contain_text("Avsändarens referens: LiÖ-2026/4471.")
    expect(page.locator("dl.facts").first).to_contain_text(FAMILY_NAME)  # the coordinator
    expect(page.locator("body")).to_contain_text(contact)
    expect(page.get_by_role("link", name="remiss-brev.pdf")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "on-behalf-case.png"), full_page=True)

    with app.app_context():
        result = deliver_due()
        db.session.remove()
    assert result.sent >= 2 and result.dead == 0
    for address in (mailbox, contact_email):
        mail = _delivered(app, address, f"Ärende {number}: er remiss är registrerad")
        assert number in mail and "med brev" in mail and unit in mail
        assert re.search(r"https?://\S+/cases/\d+", mail)
        assert FAMILY_NAME not in mail and NUMBER[:8] not in mail and "LiÖ-2026" not in mail
    assert not [url for url in urls if NUMBER[:8] in url or NUMBER[2:8] in url]
