"""The new-unit form in a real browser: a bad HSA-id is shown at its field, a good one saves.

"""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


def _fill_unit_form(page: Page, name: str, hsa_id: str) -> None:
    page.locator('[name="name"]').fill(name)
    page.locator('[name="short_name"]').fill("E2E")
    page.get_by_label("HSA-id").fill(hsa_id)
    provider = page.locator('select[name="provider_id"]')
    first_provider = provider.locator("option:not([value=''])").first.get_attribute("value")
    provider.select_option(first_provider)
    page.locator('[name="mailbox"]').fill("mdk.e2e@example.se")
    page.locator('[name="phone"]').fill("08-123 456 78")


def _hsa_field(page: Page):
    return page.locator(".field", has=page.locator('[name="hsa_id"]'))


def test_create_unit_shows_a_bad_hsa_id_at_its_field_then_saves_a_good_one(page: Page):
    name = f"E2E-enheten {uuid.uuid4().hex[:6]}"
    page.goto("/units/new")
    expect(page.locator("html")).to_have_attribute("lang", "sv")

    _fill_unit_form(page, name, "se123-x")
    page.locator("main form [type=submit]").first.click()

    expect(_hsa_field(page).locator(".field-error")).to_contain_text("HSA-id")
    expect(page.get_by_label("HSA-id")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("HSA-id")).to_have_value("se123-x")
    expect(page.locator('[name="name"]')).to_have_value(name)
    expect(page.locator('[name="mailbox"]')).to_have_value("mdk.e2e@example.se")

    good_hsa_id = f"SE2321000016-E2E{uuid.uuid4().hex[:6].upper()}"
    page.get_by_label("HSA-id").fill(good_hsa_id)
    page.locator("main form [type=submit]").first.click()

    expect(page.locator(".field-error")).to_have_count(0)
    page.get_by_role("navigation").get_by_role("link", name="Enheter").click()
    expect(page.get_by_text(name)).to_be_visible()
