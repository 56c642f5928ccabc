"""Logging in with SITHS as a person would: through the OpenID provider's own login page
(oidc-provider, tests/auth/oidc_provider.mjs) to the Swedish start page, and out of both."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from mdk.config import with_overrides
from mdk.extensions import db
from mdk.people.models import Person
from tests.auth.oidc import hsa_claims, running_provider
from tests.e2e.conftest import DEMO_LOGINS, LIVE

pytestmark = pytest.mark.e2e

COORDINATOR_HSA_ID = "SE9898989893-KAEK01"


@pytest.fixture()
def siths_login(live_server: str):
    """The live server with MDK_LOGIN=both through a local provider, whose user `karin` is
    the demo coordinator (her HSA-id given for the test, her unit's HSA-ids in the claims)."""
    app = LIVE["app"]
    with app.app_context():
        person = db.session.scalar(select(Person).where(
            Person.email == DEMO_LOGINS["coordinator"]))
        person.hsa_id = COORDINATOR_HSA_ID
        claims = hsa_claims(COORDINATOR_HSA_ID, person.unit.hsa_id,
                            person.unit.provider.hsa_id or "", name=person.name)
        db.session.commit()
        db.session.remove()
    original = app.config["MDK"]
    try:
        with running_provider(live_server, {"karin": claims}) as provider:
            app.config["MDK"] = with_overrides(original, base_url=live_server,
                                               **provider.settings())
            yield provider
    finally:
        app.config["MDK"] = original
        with app.app_context():
            person = db.session.scalar(select(Person).where(
                Person.hsa_id == COORDINATOR_HSA_ID))
            person.hsa_id = None
            db.session.commit()
            db.session.remove()


def test_siths_login_through_the_provider_lands_on_the_swedish_start_page(
        anonymous_page: Page, siths_login, live_server: str):
    page = anonymous_page
    page.goto("/login")
    page.get_by_role("link", name="Logga in med SITHS").click()
    # The provider's own login page (its development page: any password).
    expect(page).to_have_url(re.compile(re.escape(siths_login.issuer)))
    page.locator("input[name=login]").fill("karin")
    page.locator("input[name=password]").fill("valfritt")
    page.get_by_role("button", name="Sign-in").click()
    page.wait_for_url(f"{live_server}/")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", level=1)).to_have_text("Samordning av nationell MDK")

    page.get_by_role("button", name="Logga ut").click()
    page.get_by_role("button", name="Yes, sign me out").click()  # at the provider
    page.wait_for_url(re.compile(re.escape(f"{live_server}/login")))
    expect(page.get_by_role("status")).to_contain_text("Du är utloggad.")
    # Both sessions are over: the service asks for a login, and so does the provider.
    page.goto("/units")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_role("link", name="Logga in med SITHS").click()
    expect(page.locator("input[name=login]")).to_be_visible()
