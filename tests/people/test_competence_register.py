"""The competence register: who of the quorum (and secondary review) is there that week."""

from __future__ import annotations

from sqlalchemy import func, select

from mdk.extensions import db
from mdk.people import service
from mdk.people.models import Person
from mdk.units.models import Unit
from tests.units.factories import NHV_A, NHV_B, TEST_AREA_KEY, field_error, make_person, make_unit

# ISO week 49 of 2026: Monday 30 Nov ... Sunday 6 Dec; the test area meets on Tuesdays (1 Dec).


def _nhv_units():
    return make_unit(name="Testenheten A", hsa_id=NHV_A), make_unit(name="Testenheten B",
                                                                     hsa_id=NHV_B)


def _cell(rows, hsa_id: str, key: str):
    row = next(row for row in rows if row.nhv_unit.hsa_id == hsa_id)
    return next(cell for cell in row.cells if cell.competence.key == key)


def test_register_lists_quorum_then_secondary_review_competences(app_ctx, with_test_area):
    _nhv_units()
    rows = service.competence_register(with_test_area, 2026, 49)
    assert [(c.competence.key, c.kind) for c in rows[0].cells] == [
        ("oncologist", "quorum"), ("radiologist", "quorum"), ("surgeon", "quorum"),
        ("pathologist", "secondary_review")]


def test_register_marks_a_held_competence_staffed_with_the_names(app_ctx, with_test_area):
    unit_a, _unit_b = _nhv_units()
    make_person(unit_a, name="Rut Röntgen", competences=["radiologist"])
    cell = _cell(service.competence_register(with_test_area, 2026, 49), NHV_A, "radiologist")
    assert cell.staffed and cell.available == ("Rut Röntgen",)


def test_register_marks_a_competence_nobody_holds_missing(app_ctx, with_test_area):
    _nhv_units()
    assert not _cell(service.competence_register(with_test_area, 2026, 49), NHV_B,
                     "surgeon").staffed


def test_register_counts_someone_absent_on_the_meeting_day_as_missing(app_ctx,
                                                                     with_test_area):
    unit_a, _unit_b = _nhv_units()
    person = make_person(unit_a, name="Rut Röntgen", competences=["radiologist"])
    service.add_absence(person, "2026-12-01", "2026-12-01")  # the Tuesday meeting
    cell = _cell(service.competence_register(with_test_area, 2026, 49), NHV_A, "radiologist")
    assert not cell.staffed and cell.absent == ("Rut Röntgen",)


def test_register_ignores_an_absence_on_another_day_of_the_week(app_ctx, with_test_area):
    unit_a, _unit_b = _nhv_units()
    person = make_person(unit_a, competences=["radiologist"])
    service.add_absence(person, "2026-12-02", "2026-12-04")
    assert _cell(service.competence_register(with_test_area, 2026, 49), NHV_A,
                 "radiologist").staffed


def test_register_without_series_counts_someone_there_any_working_day(app, app_ctx,
                                                                      monkeypatch):
    from mdk.care_areas.service import EXTENSION_KEY
    from tests.units.factories import make_test_area

    area = make_test_area(weekday=None)
    monkeypatch.setitem(app.extensions, EXTENSION_KEY, {TEST_AREA_KEY: area})
    unit_a, _unit_b = _nhv_units()
    away_all_week = make_person(unit_a, competences=["oncologist"])
    service.add_absence(away_all_week, "2026-11-30", "2026-12-04")
    there_friday = make_person(unit_a, name="Fredrika", competences=["surgeon"])
    service.add_absence(there_friday, "2026-11-30", "2026-12-03")
    rows = service.competence_register(area, 2026, 49)
    assert not _cell(rows, NHV_A, "oncologist").staffed
    assert _cell(rows, NHV_A, "surgeon").available == ("Fredrika",)


def test_register_leaves_out_inactive_people(app_ctx, with_test_area):
    unit_a, _unit_b = _nhv_units()
    make_person(unit_a, competences=["oncologist"], active=False)
    assert not _cell(service.competence_register(with_test_area, 2026, 49), NHV_A,
                     "oncologist").staffed


def test_register_runs_the_same_number_of_statements_for_10_and_100_people(
        app, statement_counter, with_test_area):
    def count_for(total: int) -> int:
        with app.app_context():
            if db.session.scalar(select(func.count(Unit.id))) == 0:
                _nhv_units()
            units = list(db.session.scalars(select(Unit).order_by(Unit.id)))
            while (n := db.session.scalar(select(func.count(Person.id)))) < total:
                person = make_person(units[n % 2], competences=["oncologist", "radiologist"])
                service.add_absence(person, "2026-12-01", "2026-12-01")
            with statement_counter() as counted:
                service.competence_register(with_test_area, 2026, 49)
            return counted.count

    assert count_for(10) == count_for(100)


# --- the page -------------------------------------------------------------------------------

def test_register_page_marks_missing_cells_in_text_and_shows_the_meeting_day(
        app, client, with_test_area):
    with app.app_context():
        unit_a, _unit_b = _nhv_units()
        make_person(unit_a, name="Olle Onkolog", competences=["oncologist"])
    page = client.get(f"/competence-register?area={TEST_AREA_KEY}&week=2026-W49")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Olle Onkolog" in text and "Bemannad (1)" in text
    assert "SAKNAS" in text
    assert "tis 1 dec 2026 · v. 49" in text


def test_register_page_defaults_to_the_current_week(app, client, with_test_area):
    from datetime import datetime

    today = datetime.now(app.config["MDK"].tz).date()
    year, week, _day = today.isocalendar()
    page = client.get(f"/competence-register?area={TEST_AREA_KEY}").get_data(as_text=True)
    assert f'value="{year:04d}-W{week:02d}"' in page


def test_register_page_with_bad_week_shows_error_next_to_the_week(client, with_test_area):
    response = client.get(f"/competence-register?area={TEST_AREA_KEY}&week=2026-W54")
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "week") == \
        "Ange en vecka som finns som ÅÅÅÅ-Wnn, t.ex. 2026-W49."


def test_register_page_with_unknown_area_shows_error_next_to_the_area(client, with_test_area):
    response = client.get("/competence-register?area=nowhere&week=2026-W49")
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "area") == "Okänt vårdområde: nowhere."
