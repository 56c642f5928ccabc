"""Edge input found by review: huge ids, far dates, long searches answer 4xx, never 500;
a failed statement's values stay out of the logs."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from mdk.extensions import db

HUGE = "99999999999999999999"


@pytest.mark.parametrize("path", [
    f"/patients/{HUGE}", f"/people/{HUGE}", f"/units/{HUGE}", f"/conferences/{HUGE}",
    f"/api/v1/units/{HUGE}", f"/api/v1/people/{HUGE}",
    f"/audit/patients/{HUGE}/extract.csv",
])
def test_an_id_beyond_64_bits_is_a_404(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", [
    "/calendar/analcancer/9999-12", "/calendar/analcancer/0001-01",
    "/rotation/analcancer?year=1", "/rotation/analcancer?year=9999",
    "/calendar/analcancer/list?from=9999-01-01&to=9999-12-31",
    "/audit?date_from=0001-01-01", "/audit?date_to=9999-12-31",
    "/audit/sample?date_to=9999-12-31&seed=1", "/audit/export.csv?date_to=9999-12-31",
    "/competence-register?area=analcancer&week=9999-W52",
    "/people?q=" + "a" * 100_000, "/units?q=" + "a" * 100_000,
    "/api/v1/people?unit_id=" + HUGE,
])
def test_far_dates_and_long_searches_never_answer_500(client, path):
    response = client.get(path)
    assert response.status_code < 500, path
    response.close()


def test_a_huge_id_in_a_json_body_names_the_field(client, app):
    response = client.patch("/api/v1/people/1", json={"unit_id": int(HUGE)})
    assert response.status_code in (404, 422)
    if response.status_code == 422:
        assert "unit_id" in str(response.json["errors"])


def test_a_far_date_in_a_form_is_a_field_error(app):
    from mdk.validation import FieldError, parse_day

    with pytest.raises(FieldError) as caught:
        parse_day("9999-12-31", "day")
    assert caught.value.field == "day"


def test_a_failed_statement_keeps_its_values_out_of_the_error_and_the_log(app, caplog):
    caplog.set_level(logging.DEBUG)
    with app.app_context(), pytest.raises(DBAPIError) as caught:
        db.session.execute(text("INSERT INTO no_such_table VALUES (:number, :name)"),
                           {"number": "191212121212", "name": "Tolvan Tolvansson"})
    assert "191212121212" not in str(caught.value)
    assert "Tolvan" not in str(caught.value)
    assert "191212121212" not in caplog.text


@pytest.mark.parametrize("path", ["/api/v1/units", "/api/v1/cases", "/api/v1/people"])
def test_json_nested_too_deeply_is_a_400_problem(client, path):
    body = "[" * 100_000 + "]" * 100_000
    response = client.post(path, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert "nested too deeply" in response.json["detail"]


# --- issue 9: control characters, big integers, body size, the OpenAPI document ------------

@pytest.mark.parametrize("path", ["/cases?q=%00", "/units?q=a%00b", "/people?q=%00"])
def test_a_nul_in_a_search_box_is_a_400_page_saying_why(client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert "styrtecknet" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/api/v1/units?q=%00", "/api/v1/people?q=%00",
                                  "/api/v1/cases?q=%00"])
def test_a_nul_in_an_api_search_is_a_422_problem_naming_q(client, path):
    response = client.get(path)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert "q" in response.json["errors"]["query"]


def test_the_text_rule_refuses_control_characters_naming_the_field(app):
    from mdk.validation import FieldError, clean_text

    for value in ("a\x00b", "a\x1bb", "a\nb", "a\ud800b"):
        with app.test_request_context(), pytest.raises(FieldError) as caught:
            clean_text(value, "name", max_length=50)
        assert caught.value.field == "name"
    assert clean_text("Rad ett\r\nrad\ttvå", "question", max_length=50,
                      multiline=True) == "Rad ett\r\nrad\ttvå"
    with pytest.raises(FieldError):
        clean_text("a\x00b", "question", max_length=50, multiline=True)


def test_a_nul_in_a_json_body_is_a_422_problem_naming_the_field(client):
    response = client.post("/api/v1/providers", json={"name": "Region\x00", "is_private": False,
                                                      "organisation_number": "232100-0016"})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert "name" in response.json["errors"]["json"]


@pytest.mark.parametrize("path", ["/api/v1/units", "/api/v1/cases", "/api/v1/people"])
def test_a_json_integer_of_5000_digits_is_a_400_problem(client, path):
    response = client.post(path, data='{"unit_id": ' + "9" * 5000 + "}",
                           content_type="application/json")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert "too many digits" in response.json["detail"]


def test_malformed_json_is_a_400_problem(client):
    response = client.post("/api/v1/units", data='{"name": ', content_type="application/json")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


def test_an_id_beyond_32_bits_in_a_json_body_is_a_422_naming_the_field(client):
    response = client.post("/api/v1/people", json={"name": "A", "email": "a@region.example",
                                                   "unit_id": 2**31})
    assert response.status_code == 422
    assert "unit_id" in response.json["errors"]["json"]


def test_the_body_limit_is_the_setting(app):
    from mdk.config import load_settings

    assert app.config["MAX_CONTENT_LENGTH"] == 30 * 1024 * 1024
    assert load_settings(environ={"MDK_MAX_REQUEST_MB": "5"}).max_request_bytes == 5 * 2**20


def test_a_body_over_the_limit_is_a_413_problem_or_page(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    body = '{"name": "' + "a" * 4096 + '"}'
    response = client.post("/api/v1/units", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    page = client.post("/units/new", data={"name": "a" * 4096})
    assert page.status_code == 413
    assert "för stort" in page.get_data(as_text=True)


def test_the_openapi_document_is_valid_and_true_to_the_api(client):
    from openapi_spec_validator import validate

    document = client.get("/api/openapi.json").json
    validate(document)
    components = document["components"]
    problem = components["responses"]["UNPROCESSABLE_ENTITY"]["content"]
    assert list(problem) == ["application/problem+json"]
    assert problem["application/problem+json"]["schema"]["$ref"].endswith("/Problem")
    assert set(components["schemas"]["Problem"]["properties"]) >= {
        "type", "title", "status", "detail", "errors"}
    assert components["headers"]["PAGINATION"]["schema"]["type"] == "string"
    response = client.get("/api/v1/cases")
    assert isinstance(json.loads(response.headers["X-Pagination"]), dict)
    assert {"name", "short_name", "hsa_id", "provider_id", "mailbox", "phone"} <= set(
        components["schemas"]["Unit"]["required"])
    assert "required" not in components["schemas"]["UnitPatch"]
    assert {"care_area", "identity_number", "case_type"} <= set(
        components["schemas"]["CaseCreate"]["required"])
    unit_id = components["schemas"]["Person"]["properties"]["unit_id"]
    assert (unit_id["minimum"], unit_id["maximum"]) == (1, 2**31 - 1)
    assert components["schemas"]["Unit"]["properties"]["short_name"]["maxLength"] == 40


def test_every_api_error_is_sent_as_the_problem_it_is_documented_as(client):
    for response in (client.get("/api/v1/units/2147483647"),
                     client.get("/api/v1/cases?conference_id=0"),
                     client.post("/api/v1/units", json={})):
        assert response.status_code in (404, 422)
        assert response.mimetype == "application/problem+json"
        assert {"title", "status"} <= set(response.json)


def test_a_nul_in_a_complete_referral_is_a_422_naming_each_text(app):
    from mdk.people.models import Person
    from tests.cases.factories import make_world, referral
    from tests.support import log_in

    with app.app_context():
        referrer_id = make_world().people["referrer"].id
    with app.app_context():
        referrer = db.session.get(Person, referrer_id)
    client = app.test_client()
    log_in(client, referrer)
    body = referral(question="Rad ett\nrad två\x00",
                    answers={"diagnosis_basis": "pad_verified", "histology": "squamous_cell",
                             "clinical_tnm": "T2\x00N0M0"})
    response = client.post("/api/v1/cases", json=body)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert "question" in response.json["errors"]["json"]
    response = client.post("/api/v1/cases", json={**body, "question": "Rad ett\nrad två"})
    assert response.status_code == 422
    assert "answers.clinical_tnm" in response.json["errors"]["json"]
    response = client.post("/api/v1/cases", json={**body, "question": "Rad ett\r\nrad två",
                                                  "answers": referral()["answers"]})
    assert response.status_code == 201
    assert response.json["question"] == "Rad ett\r\nrad två"


@pytest.mark.parametrize("headers", [{}, {"Content-Type": "application/json"},
                                     {"Content-Type": "text/plain"}])
def test_a_patch_without_its_json_body_is_refused_as_a_problem(client, headers):
    response = client.patch("/api/v1/units/1", headers=headers)
    assert response.status_code in (400, 415)
    assert response.mimetype == "application/problem+json"


def test_a_method_not_allowed_names_the_allowed_ones(client):
    response = client.delete("/api/v1/units")
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    page = client.delete("/units")
    assert page.status_code == 405 and "GET" in page.headers["Allow"]


def test_an_unknown_care_area_is_a_422_and_the_document_lists_the_known(client):
    response = client.get("/api/v1/cases?area=nosuch")
    assert response.status_code == 422
    assert "area" in response.json["errors"]["query"]
    document = client.get("/api/openapi.json").json
    create = document["components"]["schemas"]["CaseCreate"]["properties"]
    assert {"analcancer", "crs_hipec"} <= set(create["care_area"]["enum"])


def test_a_flag_is_a_json_boolean_as_documented(client):
    response = client.post("/api/v1/people", json={"name": "A", "email": "a@region.example",
                                                   "unit_id": 1, "active": 0})
    assert response.status_code == 422
    assert "active" in response.json["errors"]["json"]
