"""WCAG 2.1 AA with axe-core on every main page: any serious or critical violation fails."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.axe import blocking_violations, describe, ensure_axe, serve_axe
from tests.e2e.conftest import log_in_as

pytestmark = pytest.mark.e2e

# (role, path): {unit}, {person} and {area} are filled in from the live demo data. Pages only
# an administrator may open are checked as the administrator, the rest as a coordinator.
PAGES = [
    ("coordinator", "/"),
    ("coordinator", "/care-areas"),
    ("coordinator", "/care-areas/{area}"),
    ("coordinator", "/units"),
    ("coordinator", "/units/{unit}"),
    ("coordinator", "/providers"),
    ("coordinator", "/people"),
    ("coordinator", "/people/new"),
    ("coordinator", "/people/{person}"),
    ("coordinator", "/people/{person}/edit"),
    ("coordinator", "/competence-register"),
    ("coordinator", "/calendar/{area}/2026-12"),
    ("coordinator", "/calendar/{area}/list"),
    ("coordinator", "/calendar/{area}/new"),
    ("coordinator", "/conferences/{conference}"),
    ("coordinator", "/conferences/{conference}/agenda"),
    ("member", "/conferences/{conference}/agenda"),
    ("coordinator", "/rotation/{area}"),
    ("coordinator", "/rotation/{area}/unavailability"),
    ("member", "/calendar/{area}/2026-12"),
    ("coordinator", "/patients"),
    ("coordinator", "/patients/new"),
    ("coordinator", "/patients/{patient}"),
    ("coordinator", "/cases"),
    ("coordinator", "/cases/{case}"),
    ("member", "/cases/{case}"),
    ("referrer", "/cases"),
    ("referrer", "/cases/new"),
    ("referrer", "/cases/{draft}"),
    ("referrer", "/cases/{draft}/edit"),
    ("coordinator", "/stats"),
    ("member", "/stats"),
    ("coordinator", "/exports"),
    ("coordinator", "/exports/research"),
    ("registrar", "/exports/register"),
    ("coordinator", "/treatment/waiting"),
    ("coordinator", "/cases/{reported}/treatment"),
    ("coordinator", "/proms/due"),
    ("coordinator", "/cases/{reported}/proms"),
    ("coordinator", "/audit"),
    ("coordinator", "/audit/sample"),
    ("coordinator", "/no-such-page"),
    ("coordinator", "/units/{unit}/edit"),  # the 403 page
    ("admin", "/units/new"),
    ("admin", "/units/{unit}/edit"),
    ("admin", "/providers/new"),
    ("admin", "/admin/api-tokens"),
    (None, "/api/docs"),
    (None, "/login"),
]


# Parts of a page that are not ours: Swagger UI's own markup on /api/docs (from the pinned
# swagger-ui-bundle; it nests buttons and has low-contrast method badges). The page around
# it is checked.
NOT_OURS = {"/api/docs": ("#swagger-ui",)}


@pytest.fixture(scope="session")
def axe_file():
    return ensure_axe()


@pytest.fixture()
def axe_page(browser: Browser, live_server: str, axe_file) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server, locale="sv-SE",
                                  timezone_id="Europe/Stockholm")
    context.set_default_timeout(10_000)
    page = context.new_page()
    serve_axe(page, axe_file)
    try:
        yield page
    finally:
        context.close()


def _ids(page: Page, path: str) -> dict[str, object]:
    """Ids the path needs, as the logged-in user finds them: a person they may see and that
    person's unit, a coming meeting, a patient, a case, a draft (read off the pages that link
    to them)."""
    ids: dict[str, object] = {"area": "analcancer"}
    if "{unit}" in path or "{person}" in path:
        person = page.request.get("/api/v1/people").json()[0]
        ids.update(unit=person["unit_id"], person=person["id"])
    links = {"conference": ("/calendar/analcancer/list", "/conferences/"),
             "patient": ("/patients", "/patients/"), "case": ("/cases", "/cases/"),
             "draft": ("/cases?state=draft", "/cases/"),
             "reported": ("/cases?state=reported", "/cases/")}
    for name, (listing, prefix) in links.items():
        if f"{{{name}}}" in path:
            ids[name] = _first_link_id(page, listing, prefix)
            assert ids[name] is not None, f"no {name} linked from {listing}"
    return ids


def _first_link_id(page: Page, listing: str, prefix: str) -> int | None:
    html = page.request.get(listing).text()
    match = re.search(re.escape(prefix) + r"(\d+)", html)
    return int(match[1]) if match else None


@pytest.mark.parametrize(("role", "path"), PAGES, ids=[f"{r}:{p}" for r, p in PAGES])
def test_page_has_no_serious_accessibility_violations(axe_page: Page, role, path):
    if role:
        log_in_as(axe_page, role)
    ids = _ids(axe_page, path) if "{" in path else {}
    axe_page.goto(path.format(**ids))
    violations = blocking_violations(axe_page, exclude=NOT_OURS.get(path, ()))
    assert not violations, f"{path} as {role or 'anonymous'}:\n{describe(violations)}"
