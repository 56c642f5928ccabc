"""/api/docs: Swagger UI from the pinned swagger-ui-bundle package, served by the app itself
(no CDN), open without login like /api/openapi.json, under the unchanged strict CSP."""

from __future__ import annotations

import re

import pytest
from swagger_ui_bundle import swagger_ui_path

from mdk.core.security import CONTENT_SECURITY_POLICY


def _script_and_style_urls(page: str) -> list[str]:
    return re.findall(r'<script src="([^"]+)"', page) + \
        re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)


@pytest.mark.parametrize("who", ["anonymous_client", "client"])
def test_the_docs_page_answers_with_the_strict_csp(request, who):
    response = request.getfixturevalue(who).get("/api/docs")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    page = response.get_data(as_text=True)
    assert 'data-spec-url="/api/openapi.json"' in page
    assert "API-dokumentation" in page


def test_the_page_has_no_inline_script_and_loads_nothing_from_elsewhere(anonymous_client):
    page = anonymous_client.get("/api/docs").get_data(as_text=True)
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []
    assert " style=" not in page and "<style" not in page
    urls = _script_and_style_urls(page)
    assert "/api/docs/assets/swagger-ui-bundle.js" in urls
    assert "/api/docs/assets/swagger-ui.css" in urls
    assert "/static/js/api-docs.js" in urls
    assert all(url.startswith("/") and not url.startswith("//") for url in urls)


def test_the_assets_are_the_packages_files_served_by_the_app(anonymous_client):
    page = anonymous_client.get("/api/docs").get_data(as_text=True)
    for url in _script_and_style_urls(page):
        response = anonymous_client.get(url)
        assert response.status_code == 200, url
        assert response.mimetype in ("text/javascript", "text/css"), url
        if url.startswith("/api/docs/assets/"):
            assert response.data == (swagger_ui_path / url.rsplit("/", 1)[1]).read_bytes()
        response.close()
    initializer = anonymous_client.get("/static/js/api-docs.js")
    assert b"SwaggerUIBundle" in initializer.data and b"validatorUrl: null" in initializer.data
    initializer.close()


@pytest.mark.parametrize("name", ["index.html", "oauth2-redirect.html", "swagger-ui.js.map",
                                  "..%2F__init__.py", "nosuch.js"])
def test_only_the_files_the_page_loads_are_served(anonymous_client, name):
    # No such route for a path with a slash: the login check's 401 (as any unknown /api/ URL).
    assert anonymous_client.get(f"/api/docs/assets/{name}").status_code in (401, 404)


def test_the_page_is_in_english_too(anonymous_client):
    anonymous_client.set_cookie("mdk_lang", "en")
    page = anonymous_client.get("/api/docs").get_data(as_text=True)
    assert "<h1>API documentation</h1>" in page
