"""/api/docs in a real Chromium: Swagger UI renders the operations under the strict
Content-Security-Policy (no inline script or style allowed), with nothing refused."""

from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect
from sqlalchemy import select

from mdk.extensions import db
from mdk.people.models import RoleGrant
from mdk.units.models import Unit
from tests.e2e.conftest import LIVE

pytestmark = pytest.mark.e2e


def _watch(page: Page) -> list[str]:
    """Console errors and CSP violations of the page, as they happen."""
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"console: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    # The document's own report of each refused script, style, image or connection.
    page.add_init_script("""
        document.addEventListener("securitypolicyviolation", (event) => {
          console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
        });
    """)
    return problems


def test_the_docs_page_renders_the_operations_without_csp_violations(page: Page):
    problems = _watch(page)
    response = page.goto("/api/docs")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.get_by_role("heading", level=1)).to_have_text("API-dokumentation")
    operation = page.locator(".opblock-summary-path", has_text="/api/v1/cases").first
    expect(operation).to_be_visible()
    # Open one and try it with the login session: the call reaches the API as this user.
    page.locator(".opblock-get", has=page.locator(
        ".opblock-summary-path[data-path='/api/v1/care-areas']")).first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    expect(page.locator(".live-responses-table tbody .response-col_status").first
           ).to_have_text("200")
    assert problems == []


def _referrer_token() -> str:
    """A token of the demo referrer's unit, made with the CLI on the live server's app."""
    app = LIVE["app"]
    with app.app_context():
        hsa_id = db.session.scalar(
            select(Unit.hsa_id).join(RoleGrant, RoleGrant.unit_id == Unit.id)
            .where(RoleGrant.role == "referrer").limit(1))
        db.session.remove()
    result = app.test_cli_runner().invoke(args=["api-tokens", "create", "--unit", hsa_id])
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def test_without_login_the_docs_page_calls_the_api_with_a_bearer_token(anonymous_page: Page):
    page = anonymous_page
    problems = _watch(page)
    page.goto("/api/docs")
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/cases").first).to_be_visible()
    page.locator(".auth-wrapper .authorize").click()
    bearer = page.locator(".auth-container", has_text="bearerAuth")
    bearer.locator("input").fill(_referrer_token())
    bearer.get_by_role("button", name="Authorize").click()
    page.get_by_role("button", name="Close").first.click()
    page.locator(".opblock-get", has=page.locator(
        ".opblock-summary-path[data-path='/api/v1/cases']")).first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    # No login session in this browser: the 200 is the token's doing.
    expect(page.locator(".live-responses-table tbody .response-col_status").first
           ).to_have_text("200")
    assert problems == []
