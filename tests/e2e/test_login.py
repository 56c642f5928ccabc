"""Logging in as a person would: each demo role, and a wrong password."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DEMO_LOGINS, log_in_as

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("role", ["admin", "coordinator", "member", "reviewer", "referrer"])
def test_each_demo_role_logs_in_and_sees_the_swedish_start_page(anonymous_page: Page, role):
    log_in_as(anonymous_page, role)
    expect(anonymous_page.locator("html")).to_have_attribute("lang", "sv")
    expect(anonymous_page.get_by_role("heading", level=1)).to_have_text(
        "Samordning av nationell MDK")
    expect(anonymous_page.get_by_role("button", name="Logga ut")).to_be_visible()
    assert role in DEMO_LOGINS


def test_a_wrong_password_shows_a_clear_error(anonymous_page: Page):
    anonymous_page.goto("/units")
    expect(anonymous_page).to_have_url(re.compile(r"/login\?next="))
    anonymous_page.get_by_label("E-postadress").fill(DEMO_LOGINS["coordinator"])
    anonymous_page.get_by_label("Lösenord").fill("inte-rätt-lösenord")
    anonymous_page.locator("main form [type=submit]").click()
    expect(anonymous_page.get_by_role("alert")).to_contain_text("Fel e-postadress eller lösenord.")
    expect(anonymous_page.get_by_label("E-postadress")).to_have_value(DEMO_LOGINS["coordinator"])


def test_logging_out_leads_back_to_the_login_page(page: Page):
    page.get_by_role("button", name="Logga ut").click()
    expect(page.get_by_role("status")).to_contain_text("Du är utloggad.")
    page.goto("/people")
    expect(page).to_have_url(re.compile(r"/login"))
