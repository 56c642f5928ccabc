"""Browser tests: a live server on its own database, and Debian's Chromium driven by Playwright.

The live server commits for real, so it never shares the session `app` and its rolled-back
transactions; every e2e test is marked `e2e`, which the rollback fixture leaves alone.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from email import policy as email_policy
from email.parser import BytesParser
from pathlib import Path

import flask_migrate
import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright
from sqlalchemy import select
from werkzeug.serving import WSGIRequestHandler, make_server

from mdk.conferences.models import Conference
from mdk.config import PROJECT_ROOT
from mdk.demo.service import DEMO_PASSWORD, load_demo
from mdk.extensions import db
from mdk.people.models import Person, PersonCompetence, RoleGrant
from tests.conftest import make_app
from tests.mail_guard import MailGuard
from tests.support import fresh_database

# The smallest PDF the upload's sniffing accepts: the magic bytes and an end marker.
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
CHROMIUM = Path("/usr/bin/chromium")
# The machine has no network: without these Chromium keeps retrying connections of its own.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"


class QuietRequestHandler(WSGIRequestHandler):
    """No access-log line per request: the test output stays readable."""

    def log_request(self, code="-", size="-") -> None:
        pass


# role -> e-mail of the demo person `mdk demo load` prints for that role.
DEMO_LOGINS: dict[str, str] = {}
# The live server's app, once started: tests reach its database and its mail folder.
LIVE: dict = {}
_MAIL_GUARD = MailGuard()


def _load_demo_data(app) -> None:
    """Seed the demo data, as `mdk demo load` does, and note one login per role."""
    with app.app_context():
        lines = load_demo()
        db.session.commit()
    for line in lines:
        match = re.match(r"(\w+): (\S+@\S+)\s+password:", line)
        if match:
            DEMO_LOGINS[match[1]] = match[2]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[str]:
    """The whole app on a free port of 127.0.0.1, migrated and seeded; yields its base URL."""
    with fresh_database(tmp_path_factory.mktemp("e2e-db")) as url:
        # Mail is written as .eml files under instance/mail/, as `make run` does.
        app = make_app(url, tmp_path_factory.mktemp("e2e-instance"), mail_backend="file")
        with app.app_context():
            flask_migrate.upgrade()
        _load_demo_data(app)
        LIVE["app"] = app
        server = make_server("127.0.0.1", 0, app, threaded=True,
                             request_handler=QuietRequestHandler)
        thread = threading.Thread(target=server.serve_forever, name="e2e-live-server",
                                  daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)
            LIVE.clear()
            with app.app_context():
                db.engine.dispose()  # before the PostgreSQL schema is dropped


@pytest.fixture(autouse=True)
def _no_patient_data_in_mail():
    """The patient-data guard (tests/conftest.py) on the live server's own database and
    mail folder: its mail is committed for real and delivered as files."""
    yield
    app = LIVE.get("app")
    if app is None:
        return
    with app.app_context():
        findings = _MAIL_GUARD.findings(db.session, app.config["MDK"].instance_path / "mail")
        db.session.remove()
    if findings:
        pytest.fail("patient data in mail:\n" + "\n".join(findings), pytrace=False)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    # A missing browser must fail the run (CI included), never skip the browser tests.
    if not CHROMIUM.exists():
        pytest.fail(f"browser tests need Debian's Chromium at {CHROMIUM}: "
                    "apt-get install chromium (or run `make browser`)", pytrace=False)
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                         args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture()
def anonymous_page(request, browser: Browser, live_server: str) -> Iterator[Page]:
    """A fresh Swedish browser context per test; a screenshot is kept when the test fails."""
    context = browser.new_context(base_url=live_server, locale="sv-SE",
                                  timezone_id="Europe/Stockholm")
    context.set_default_timeout(10_000)  # generous: CI machines run other suites too
    page = context.new_page()
    try:
        yield page
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{_file_name(request.node.name)}.png"),
                            full_page=True)
        context.close()


def log_in_as(page: Page, role: str) -> None:
    """Log in through the login form as the demo person of `role`."""
    log_in_with(page, DEMO_LOGINS[role])


def log_in_with(page: Page, email: str) -> None:
    """Log in through the login form as any demo person (they share the demo password)."""
    page.goto("/login")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    # The login form's own button, not the language switch's.
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)


@pytest.fixture()
def page(anonymous_page: Page) -> Page:
    """A page logged in as the demo administrator."""
    log_in_as(anonymous_page, "admin")
    return anonymous_page


def _file_name(test_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so the `page` fixture knows the outcome."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def refer_anal_cancer_case(page: Page, identity_number: str, family_name: str,
                           question: str) -> str:
    """As the logged-in referrer: refer and submit an anal-cancer case from the main menu,
    the way a referrer does; returns the case number the page shows."""
    menu = page.get_by_role("navigation", name="Huvudmeny")
    menu.get_by_role("link", name="Ärenden", exact=True).click()  # not "Mina ärenden"
    page.get_by_role("link", name="Anmäl ett nytt ärende").click()
    expect(page.locator("h1")).to_contain_text("Analcancer")
    page.get_by_label("Identitetsnummer", exact=True).fill(identity_number)
    page.get_by_label("Förnamn").fill("Testpatient")
    page.get_by_label("Efternamn").fill(family_name)
    page.get_by_label("Frågeställning till MDK").fill(question)
    page.get_by_label("Typ av frågeställning").select_option("primary")
    page.get_by_label("Patienten samtycker").check()
    page.get_by_label("Diagnosgrund").select_option("pad_verified")
    page.get_by_label("Histologi").select_option("squamous_cell")
    page.get_by_label("WHO funktionsstatus (0–4)").fill("1")
    page.get_by_role("button", name="Skicka till MDK").click()
    expect(page.locator(".flash")).to_contain_text("är anmält till MDK")
    return page.locator("h1").inner_text().split()[0]


@pytest.fixture()
def new_page(request, browser, live_server: str):
    """Makes a Swedish browser context per user, each recording every URL it asks for in
    `urls`; when the test fails, each page still open is kept as a screenshot."""
    pages: list[Page] = []

    def make(urls: list[str]) -> Page:
        context = browser.new_context(base_url=live_server, locale="sv-SE",
                                      timezone_id="Europe/Stockholm")
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.on("request", lambda found: urls.append(found.url))
        pages.append(page)
        return page

    yield make
    report = getattr(request.node, "report_call", None)
    for n, page in enumerate(pages):
        if page.is_closed():
            continue
        if report is not None and report.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{_file_name(request.node.name)}-{n}.png"),
                            full_page=True)
        page.context.close()


def fill_entry(page: Page, key: str, title: str, day: str, reference: tuple[str, str] | None,
               note: str = "") -> None:
    """Fill in one checklist entry through its form on the case page (in its <details>)."""
    page.locator("summary", has_text=f"Fyll i eller ändra: {title}").click()
    form = page.locator(f"form[action$='/material/{key}']")
    form.get_by_label("Undersöknings- eller provtagningsdatum").fill(day)
    if reference is not None:
        form.get_by_label("Typ av referens").select_option(reference[0])
        form.get_by_label("Referens", exact=True).fill(reference[1])
    if note:
        form.get_by_label("Anteckning").fill(note)
    form.get_by_role("button", name="Spara", exact=True).click()
    expect(page.locator(".flash").first).to_contain_text("Underlaget sparades")
    # Given now ("Finns"; images and slides may still have to reach the host unit).
    expect(page.locator(f"#material-{key} td").first).not_to_contain_text("Saknas")
    expect(page.locator(f"#material-{key} td").nth(1)).to_contain_text(day[:4])


def upload_pdf(page: Page, key: str, title: str) -> None:
    page.locator("summary", has_text=f"Fyll i eller ändra: {title}").click()
    form = page.locator(f"form[action$='/material/{key}/files']")
    form.get_by_label("Fil (PDF eller bild)").set_input_files(
        {"name": "mr-utlatande.pdf", "mimeType": "application/pdf", "buffer": PDF})
    form.get_by_role("button", name="Ladda upp").click()
    expect(page.locator(".flash").first).to_contain_text("Filen laddades upp")
    expect(page.locator(f"#material-{key}")).to_contain_text("mr-utlatande.pdf")


def meeting_with_host(page: Page) -> tuple[str, str]:
    """The accept form's first meeting with a free place and a host unit: its option's
    value and text (the demo calendar depends on today's date: take what is offered)."""
    offered = page.locator("#accept-conference_id option[value]:not([value='']):enabled")
    values = [offered.nth(n).get_attribute("value") for n in range(offered.count())]
    with LIVE["app"].app_context():
        hosted = {str(found) for found in db.session.scalars(
            select(Conference.id).where(Conference.id.in_([int(v) for v in values]),
                                        Conference.host_unit_id.is_not(None)))}
        db.session.remove()
    value = next(value for value in values if value in hosted)
    return value, page.locator(f"#accept-conference_id option[value='{value}']").inner_text()


def host_radiologist(conference_id: int) -> str:
    """The e-mail of the one radiologist with a reviewer grant in anal cancer at the host unit."""
    with LIVE["app"].app_context():
        host = db.session.get(Conference, conference_id).host_unit_id
        emails = list(db.session.scalars(
            select(Person.email).join(PersonCompetence, PersonCompetence.person_id == Person.id)
            .join(RoleGrant, RoleGrant.person_id == Person.id)
            .where(Person.unit_id == host, Person.active,
                   PersonCompetence.competence == "radiologist",
                   RoleGrant.role == "reviewer", RoleGrant.care_area == "analcancer",
                   RoleGrant.unit_id == host).distinct()))
        db.session.remove()
    assert len(emails) == 1, emails
    return emails[0]


def delivered_mail(app, address: str, subject_part: str) -> str:
    """The text part of the one .eml file delivered to `address` about `subject_part`."""
    folder = app.config["MDK"].instance_path / "mail"
    found = []
    for path in folder.glob("*.eml"):
        message = BytesParser(policy=email_policy.default).parsebytes(path.read_bytes())
        if address in str(message["To"]) and subject_part in str(message["Subject"]):
            found.append(message.get_body(preferencelist=("plain",)).get_content())
    assert len(found) == 1, f"{len(found)} mails to {address} about {subject_part}"
    return found[0]
