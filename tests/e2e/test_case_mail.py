"""A case's mail in a real browser: a coordinator returns a referral; one delivery run of
the file backend writes the referrer's .eml under instance/mail/; its link opens the case
page, which after login shows the coordinator's message (the mail itself does not)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from mdk.access.policy import principal_for
from mdk.audit.service import actor_for
from mdk.cases import service as cases
from mdk.demo.service import DEMO_PASSWORD
from mdk.extensions import db
from mdk.outbox.delivery import deliver_due
from mdk.patients.service import fictitious_identity_numbers
from mdk.people.service import person_by_email
from tests.e2e.conftest import DEMO_LOGINS, LIVE, delivered_mail, log_in_as

pytestmark = pytest.mark.e2e

NUMBER = fictitious_identity_numbers(1, seed=20261201)[0]
MESSAGE = "PAD-svar och MR bäcken saknas, bifoga dem och skicka in igen."


def _submitted_case(app) -> tuple[int, str, str]:
    """A referral the demo referrer submitted, in an area the demo coordinator triages."""
    with app.app_context():
        referrer = person_by_email(DEMO_LOGINS["referrer"])
        coordinator = principal_for(person_by_email(DEMO_LOGINS["coordinator"]))
        principal = principal_for(referrer)
        area = sorted(principal.areas("referrer") & coordinator.areas("coordinator"))[0]
        unit = min(principal.units("referrer", area))
        answers = {"diagnosis_basis": "pad_verified", "histology": "squamous_cell"} \
            if area == "analcancer" else {}
        case = cases.register_case(actor_for(referrer), principal, {
            "care_area": area, "referring_unit_id": unit, "identity_kind": "national",
            "identity_number": NUMBER, "given_name": "Testpatient", "family_name": "Brevsson",
            "question": "Kurativ behandling?", "case_type": "primary", "priority": "normal",
            "consent_recorded": True, "answers": answers, "submit": True})
        found = (case.id, case.number, referrer.email)
        db.session.remove()
    return found


def test_the_referrers_mail_of_a_return_links_to_the_case_page_with_the_message(
        anonymous_page: Page, browser, live_server: str):
    app = LIVE["app"]
    case_id, number, referrer_email = _submitted_case(app)

    coordinator = anonymous_page
    log_in_as(coordinator, "coordinator")
    coordinator.goto(f"/cases/{case_id}")
    coordinator.locator("#return-reason").fill(MESSAGE)
    coordinator.get_by_role("button", name="Återsänd för komplettering").last.click()
    expect(coordinator.locator(".flash").first).to_contain_text(number)

    with app.app_context():
        result = deliver_due()
        db.session.remove()
    assert result.sent >= 1 and result.dead == 0
    mail = delivered_mail(app, referrer_email, f"{number} återsänt")
    assert MESSAGE not in mail and NUMBER[:8] not in mail and "Brevsson" not in mail
    links = re.findall(r"https?://\S+/cases/\d+", mail)
    assert links == [f"http://localhost/cases/{case_id}"]  # MDK_BASE_URL of the tests

    # The link, opened on the live server by the referrer: the login first, then the page.
    referrer = browser.new_context(base_url=live_server, locale="sv-SE",
                                   timezone_id="Europe/Stockholm").new_page()
    path = links[0].removeprefix("http://localhost")
    referrer.goto(path)
    assert "/login" in referrer.url
    referrer.get_by_label("E-postadress").fill(referrer_email)
    referrer.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    referrer.locator("main form [type=submit]").click()
    referrer.wait_for_url(re.compile(rf"/cases/{case_id}$"))
    expect(referrer.locator("main")).to_contain_text(MESSAGE)
    expect(referrer.locator(".badge").first).to_have_text("Återsänt för komplettering")
    referrer.context.close()
