"""A case's way in a real browser: the referring physician refers it in Swedish, with the
area's own questions, and sees the patient; the coordinator puts it on a meeting. The
personnummer never reaches a URL. Screenshots are kept in test-artifacts/ for a human look."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from mdk.patients.service import fictitious_identity_numbers
from tests.e2e.conftest import ARTIFACTS, log_in_as, refer_anal_cancer_case

pytestmark = pytest.mark.e2e

NUMBER, OTHER_NUMBER = fictitious_identity_numbers(2, seed=20261125)
PNR = f"{NUMBER[:8]}-{NUMBER[8:]}"


def _refer(page: Page) -> str:
    return refer_anal_cancer_case(page, PNR, "Webbläsare", "Kurativ kemoradioterapi? MR gjord.")


def test_a_referrer_refers_and_the_coordinator_accepts(anonymous_page: Page, browser,
                                                       live_server: str):
    page = anonymous_page
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    log_in_as(page, "referrer")
    number = _refer(page)
    assert re.fullmatch(r"AC-\d{4}-\d{4}", number)
    expect(page.locator(".facts").first).to_contain_text(PNR)
    expect(page.locator(".badge").first).to_have_text("Inskickat")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "case-referrer.png"), full_page=True)

    coordinator = browser.new_context(base_url=live_server, locale="sv-SE",
                                      timezone_id="Europe/Stockholm").new_page()
    coordinator.on("request", lambda request: urls.append(request.url))
    log_in_as(coordinator, "coordinator")
    coordinator.goto("/cases?state=submitted")
    coordinator.get_by_role("link", name=number).click()
    expect(coordinator.locator(".facts").first).to_contain_text(PNR)
    # The first meeting with a free place (a full one is offered but cannot be chosen).
    offered = coordinator.locator("#accept-conference_id option[value]:not([value='']):enabled")
    meeting = offered.first.inner_text()
    assert "platser bokade" in meeting and "anmälan senast" in meeting
    coordinator.locator("#accept-conference_id").select_option(
        value=offered.first.get_attribute("value"))
    coordinator.locator("#accept-treating_unit_id").select_option(index=1)
    coordinator.get_by_role("button", name="Ta upp på ett möte").last.click()
    expect(coordinator.locator(".flash")).to_contain_text("Accepterat")
    expect(coordinator.locator("main")).to_contain_text(meeting.split(" · ")[0])
    coordinator.screenshot(path=str(ARTIFACTS / "case-coordinator.png"), full_page=True)
    coordinator.context.close()

    assert not [url for url in urls if NUMBER in url or NUMBER[2:] in url or PNR in url]


def test_a_referral_without_consent_names_the_field_and_keeps_what_was_typed(
        anonymous_page: Page):
    page = anonymous_page
    log_in_as(page, "referrer")
    page.goto("/cases/new")
    # A patient of their own (the other test's patient has another name)
    page.get_by_label("Identitetsnummer", exact=True).fill(OTHER_NUMBER)
    page.get_by_label("Förnamn").fill("Testpatient")
    page.get_by_label("Efternamn").fill("Samtycke")
    page.get_by_label("Frågeställning till MDK").fill("Bedömning?")
    page.get_by_role("button", name="Skicka till MDK").click()
    expect(page.locator("#consent_recorded-error")).to_contain_text("samtycke")
    expect(page.get_by_label("Frågeställning till MDK")).to_have_value("Bedömning?")
