import re

from mdk.config import PROJECT_ROOT
from tests.support import TABLE_SCROLL, log_in


def test_factory_builds_a_testing_app(app):
    assert app.config["TESTING"]
    assert app.config["MDK"].env == "test"


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["database"] == "ok"
    assert response.json["database_engine"] in ("sqlite", "postgresql")


def test_start_page_speaks_swedish_by_default(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="sv">' in page
    assert "Nationell MDK" in page


def test_language_switch_sets_english_and_returns_to_the_page(app, admin_user):
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        client = app.test_client()
        log_in(client, admin_user)
        response = client.post("/language", data={"language": "en", "next": "/healthz"})
        assert response.status_code == 302
        assert response.headers["Location"] == "/healthz"
        page = client.get("/").get_data(as_text=True)
        assert '<html lang="en">' in page
        assert "National MDK" in page
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


def test_language_switch_refuses_an_offsite_redirect(app):
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        response = app.test_client().post(
            "/language", data={"language": "en", "next": "//evil.example/x"}
        )
        assert response.headers["Location"] == "/"
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


def test_language_switch_without_csrf_token_is_refused(client):
    response = client.post("/language", data={"language": "en", "next": "/"})
    assert response.status_code == 400
    assert "mdk_lang" not in response.headers.get("Set-Cookie", "")


def test_unknown_page_is_a_swedish_404(client):
    response = client.get("/finns-inte")
    assert response.status_code == 404
    assert "Sidan finns inte" in response.get_data(as_text=True)


def test_unknown_api_path_is_a_json_problem(client):
    response = client.get("/api/v1/finns-inte")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 404


def test_no_stylesheet_or_script_comes_from_another_host(client):
    page = client.get("/").get_data(as_text=True)
    assert "https://" not in page and "http://" not in page.replace("http://localhost", "")
    assert (PROJECT_ROOT / "mdk" / "static" / "css" / "mdk.css").exists()


def test_every_response_carries_the_security_headers(client):
    for path in ("/", "/healthz", "/finns-inte", "/api/openapi.json"):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp
        assert "'unsafe-inline'" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"


def test_templates_have_no_inline_style_or_script():
    for template in (PROJECT_ROOT / "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"\sstyle=|<style|<script(?![^>]*\bsrc=)", text), template


def test_navigation_marks_its_section_on_the_pages_under_it(client, app):
    from mdk.care_areas.service import care_areas

    with app.app_context():
        area = next(iter(care_areas()))
    page = client.get(f"/care-areas/{area}").get_data(as_text=True)
    current = re.findall(r'<a href="([^"]+)"\s+aria-current="page"', page)
    assert current == ["/care-areas"]


def test_favicon_is_linked_from_every_page_and_served_locally(client, anonymous_client):
    page = client.get("/").get_data(as_text=True)
    assert '<link rel="icon" type="image/svg+xml" href="/static/favicon.svg">' in page
    icon = anonymous_client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"


def test_favicon_ico_answers_with_the_icon_without_login(anonymous_client):
    # Browsers ask for /favicon.ico on their own: answered, not a 404 (or a login page).
    response = anonymous_client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.get_data().startswith(b"<svg")


def test_wide_tables_scroll_inside_a_wrapper_on_a_narrow_screen(client):
    css = (PROJECT_ROOT / "mdk" / "static" / "css" / "mdk.css").read_text(encoding="utf-8")
    assert ".table-scroll { overflow-x: auto;" in css
    # Tables a page has not wrapped yet scroll by themselves on a phone.
    assert ("table:not(.table-scroll > table):not(.month-grid) "
            "{ display: block; overflow-x: auto;") in css
    page = client.get("/people").get_data(as_text=True)
    # Focusable and named, so a keyboard user can scroll it too (axe: scrollable-region).
    assert TABLE_SCROLL.search(page)


def test_the_clock_set_back_reads_that_time_moves_on_and_comes_back(app):
    from datetime import UTC, datetime, timedelta

    from mdk.conferences.service import local_today
    from mdk.db import clock_set_to, utcnow

    then = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with app.app_context(), clock_set_to(then):
        first, second = utcnow(), utcnow()
        assert then <= first <= second < then + timedelta(seconds=5)
        assert local_today().isoformat() == "2026-03-02"
    assert abs(utcnow() - datetime.now(UTC)) < timedelta(seconds=1)
