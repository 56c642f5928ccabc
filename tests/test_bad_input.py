"""Edge input found by review: huge ids, far dates, long searches answer 4xx, never 500;
a failed statement's values stay out of the logs."""

from __future__ import annotations

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
