"""The care-area pages (Swedish first) and the REST API."""

from __future__ import annotations

from mdk.i18n import LANG_COOKIE


def test_list_page_shows_both_areas_in_swedish(client):
    page = client.get("/care-areas").get_data(as_text=True)
    assert '<html lang="sv">' in page
    assert ">Analcancer</a>" in page
    assert ">CRS/HIPEC</a>" in page
    assert "En nationell MDK" in page and "En MDK per enhet" in page


def test_list_page_is_linked_in_the_navigation(client):
    page = client.get("/").get_data(as_text=True)
    assert '<a href="/care-areas"' in page
    assert "Vårdområden" in page


def test_anal_cancer_page_describes_the_series_in_words(client):
    page = client.get("/care-areas/analcancer").get_data(as_text=True)
    assert ("Varje tisdag 08:00–09:30, värdskap roterar per möte mellan de fyra enheterna"
            in page)
    assert "Anmälan senast kl. 12:00, 2 arbetsdagar före mötet" in page
    assert "minst 80 % av patienterna inom 17 dagar" in page


def test_area_page_keeps_licence_staffing_apart_from_the_quorum(client):
    page = client.get("/care-areas/analcancer").get_data(as_text=True)
    licence = page.index("Bemanning enligt tillståndet")
    quorum = page.index("Obligatoriska mötesdeltagare (kvorum)")
    assert "Undersköterska" in page[licence:quorum]
    assert "Undersköterska" not in page[quorum:]
    assert "Nuklearmedicinare" in page[quorum:page.index("Mötesserier")]


def test_area_page_shows_unit_colour_chips_without_style_attributes(client):
    page = client.get("/care-areas/analcancer").get_data(as_text=True)
    assert 'fill="#1f4e79"' in page
    assert '<abbr title="Karolinska Universitetssjukhuset, Tema Cancer">KS</abbr>' in page
    assert "style=" not in page and "<script" not in page


def test_crs_hipec_page_shows_fixed_hosts_and_freshness(client):
    page = client.get("/care-areas/crs_hipec").get_data(as_text=True)
    assert "Varje måndag 14:00–15:00, fast värd: Akademiska sjukhuset, Kolorektalkirurgi" in page
    assert "högst 60 dagar gammal" in page
    assert "högst 365 dagar gammal" in page
    assert "Inget ledtidsmål är satt." in page


def test_area_page_speaks_english_when_chosen(client):
    client.set_cookie(LANG_COOKIE, "en")
    page = client.get("/care-areas/analcancer").get_data(as_text=True)
    assert "<h1>Anal cancer</h1>" in page
    assert "Every Tuesday 08:00–09:30, hosting rotates per meeting among the four units" in page
    assert "Nuclear medicine physician" in page


def test_unknown_area_page_is_a_swedish_404(client):
    response = client.get("/care-areas/finns-inte")
    assert response.status_code == 404
    assert "Sidan finns inte" in response.get_data(as_text=True)


def test_api_lists_both_areas(client):
    response = client.get("/api/v1/care-areas")
    assert response.status_code == 200
    assert [area["key"] for area in response.json] == ["analcancer", "crs_hipec"]
    assert response.json[0]["name"] == {"sv": "Analcancer", "en": "Anal cancer"}


def test_api_returns_one_area_with_labelled_quorum(client):
    body = client.get("/api/v1/care-areas/analcancer").json
    assert body["quorum"]["when_needed"] == [
        {"key": "pathologist", "label": {"sv": "Patolog", "en": "Pathologist"}}
    ]
    assert body["series"][0]["host_policy"]["rotation"] == "per_meeting"
    assert body["lead_time_targets"][0]["max_days"] == 17
    assert {"key": "patient_declined", "label": {
        "sv": "Patienten avböjde rekommenderad behandling",
        "en": "The patient declined the recommended treatment"}} in body["deviation_reasons"]


def test_api_unknown_area_is_a_404_problem(client):
    response = client.get("/api/v1/care-areas/finns-inte")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert "finns-inte" in response.json["detail"]


def test_api_is_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").json["paths"]
    assert "/api/v1/care-areas" in paths
    assert "/api/v1/care-areas/{key}" in paths
