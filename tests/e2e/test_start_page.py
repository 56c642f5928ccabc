"""The start page, the language switch, keyboard access and error pages in a real browser."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from mdk.i18n import format_day
from tests.e2e.conftest import log_in_as

pytestmark = pytest.mark.e2e


def _today_in_swedish() -> str:
    return format_day(datetime.now(ZoneInfo("Europe/Stockholm")).date(), "sv")


def test_start_page_shows_swedish_with_the_date_and_week(page: Page):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("link", name="Nationell MDK")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Samordning av nationell MDK")
    expect(page.locator(".lead")).to_have_text(f"I dag är det {_today_in_swedish()}.")
    expect(page.locator(".lead")).to_have_text(re.compile(r"I dag är det .+ · v\. \d{1,2}\."))


def test_language_button_switches_to_english_and_back(page: Page):
    page.goto("/")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("National MDK coordination")
    expect(page.locator(".lead")).to_contain_text(" · wk ")

    page.get_by_role("button", name="Svenska").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", level=1)).to_have_text("Samordning av nationell MDK")


def test_language_switch_stays_on_the_same_page(page: Page):
    page.goto("/finns-inte")
    page.get_by_role("button", name="English").click()
    expect(page).to_have_url(re.compile(r"/finns-inte$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Error 404")


def test_first_tab_reaches_the_skip_link_which_moves_focus_to_main(page: Page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Hoppa till innehållet")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_unknown_page_shows_a_swedish_404(page: Page):
    response = page.goto("/finns-inte")
    assert response is not None and response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", level=1)).to_have_text("Fel 404")
    expect(page.get_by_text("Sidan finns inte, eller så får du inte se den.")).to_be_visible()
    expect(page.get_by_role("link", name="Tillbaka till startsidan")).to_be_visible()


def test_referrer_on_a_phone_refers_from_the_start_page_and_reads_the_case_list(
        anonymous_page: Page):
    page = anonymous_page
    page.set_viewport_size({"width": 390, "height": 844})
    log_in_as(page, "referrer")
    page.goto("/")
    page.get_by_role("link", name="Anmäl ett nytt ärende").first.click()
    expect(page).to_have_url(re.compile(r"/cases/new"))
    page.goto("/cases")
    expect(page.locator("table")).to_be_visible()
    # The wide table scrolls by itself; the page does not grow wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
