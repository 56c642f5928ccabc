"""The calendar in a real browser: a coordinator swaps two hosts with a reason, sees the change
in the month view, and finds the audit event in the log. Screenshots of the month view and the
rotation page are kept in test-artifacts/ for a human look."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS, log_in_as

pytestmark = pytest.mark.e2e

AREA = "analcancer"


def _month_ahead() -> str:
    """A month far enough ahead that its meetings are open for changes."""
    soon = date.today().replace(day=1) + timedelta(days=45)
    return f"{soon:%Y-%m}"


def _ensure_two_meetings(page: Page, month: str) -> None:
    """The demo holds a year of meetings; on a bare database add two through the form."""
    page.goto(f"/calendar/{AREA}/{month}")
    if page.locator("li.meeting.status-planned a").count() >= 2:
        return
    first = date.fromisoformat(f"{month}-01")
    for offset in (8, 15):
        page.goto(f"/calendar/{AREA}/new")
        page.locator('[name="day"]').fill((first + timedelta(days=offset)).isoformat())
        page.locator('[name="start"]').fill("08:00")
        page.locator('[name="reason"]').fill("Extra möte för webbläsartest")
        page.locator("main form [type=submit]").click()
        expect(page.locator(".flash")).to_contain_text("Mötet är tillagt.")
    page.goto(f"/calendar/{AREA}/{month}")


def _host_of_meeting_page(page: Page) -> str:
    return page.locator(".facts .host-chip abbr").first.inner_text().strip()


def test_coordinator_swaps_two_hosts_and_sees_the_change_and_its_audit_event(
        anonymous_page: Page):
    page = anonymous_page
    log_in_as(page, "coordinator")
    month = _month_ahead()
    _ensure_two_meetings(page, month)

    page.locator("li.meeting.status-planned a").first.click()
    meeting_path = urlsplit(page.url).path
    old_host = _host_of_meeting_page(page)

    swap = page.locator('select[name="swap-other_conference_id"]')
    labels = swap.locator("option:not([value=''])").all_inner_texts()
    other = next(label for label in labels if not label.endswith(f"· {old_host}"))
    new_host = other.rsplit("· ", 1)[1].strip()
    swap.select_option(label=other)
    page.locator('[name="swap-reason"]').fill("Byte på önskemål från värdenheterna")
    page.get_by_role("button", name="Byt värdar").click()

    expect(page.locator(".flash")).to_contain_text("Värdarna är bytta.")
    assert _host_of_meeting_page(page) == new_host

    page.goto(f"/calendar/{AREA}/{month}")
    swapped = page.locator(f'li.meeting a[href="{meeting_path}"]')
    expect(swapped.locator(".host")).to_have_text(new_host)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "calendar-month.png"), full_page=True)

    page.goto("/audit")
    expect(page.get_by_text("Bytte värdenhet mellan två möten").first).to_be_visible()

    page.goto(f"/rotation/{AREA}")
    expect(page.locator("h1")).to_contain_text(re.compile(r"Värdrotation \d{4}"))
    page.screenshot(path=str(ARTIFACTS / "rotation.png"), full_page=True)
