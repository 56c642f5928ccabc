"""The calendar pages: Swedish month grid with ISO weeks, holidays and closures, host colours,
cancelled and moved meetings, the list view, the rotation page, and who may edit."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from mdk.conferences.models import CalendarClosure
from mdk.extensions import db
from tests.conferences.page_factories import make_conference, make_member, unit_ids
from tests.support import log_in
from tests.units.factories import field_error


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _cell(page: str, day: date) -> str:
    """The HTML of one day cell of the month grid."""
    start = page.index(f'<time datetime="{day.isoformat()}">')
    end = page.find('<td class="day', start)
    return page[start:end if end != -1 else None]


@pytest.fixture()
def units(app):
    with app.app_context():
        return unit_ids()


def test_open_calendar_redirects_to_this_month(client):
    response = client.get("/calendar", follow_redirects=True)
    assert response.status_code == 200
    assert re.fullmatch(r"/calendar/analcancer/\d{4}-\d{2}", response.request.path)


def test_month_view_shows_swedish_grid_with_week_numbers(client):
    page = _page(client, "/calendar/analcancer/2026-12")
    assert "December 2026" in page
    headers = re.findall(r'<th scope="col">([^<]+)</th>', page)
    assert headers[:7] == ["mån", "tis", "ons", "tors", "fre", "lör", "sön"]
    for week in (49, 50, 51, 52):
        assert f'<th scope="row" class="week-col">v. {week}</th>' in page


def test_month_view_of_december_2026_shows_week_53(client):
    page = _page(client, "/calendar/analcancer/2026-12")
    assert '<th scope="row" class="week-col">v. 53</th>' in page
    assert "v. 1</th>" not in page  # 28 Dec 2026 - 3 Jan 2027 is week 53, no week 1


def test_month_view_shows_holiday_and_eve_names(client):
    page = _page(client, "/calendar/analcancer/2026-12")
    assert "Julafton" in _cell(page, date(2026, 12, 24))
    assert "Juldagen" in _cell(page, date(2026, 12, 25))
    assert "Nyårsafton" in _cell(page, date(2026, 12, 31))


def test_month_view_shows_a_closure_with_its_reason(app, client):
    with app.app_context():
        db.session.add(CalendarClosure(care_area="analcancer", first_day=date(2027, 7, 5),
                                       last_day=date(2027, 7, 9), reason="Sommaruppehåll"))
        db.session.commit()
    page = _page(client, "/calendar/analcancer/2027-07")
    assert "Sommaruppehåll" in _cell(page, date(2027, 7, 7))
    assert "Sommaruppehåll" not in _cell(page, date(2027, 7, 12))


def test_month_view_shows_time_host_and_colour_class(app, client, units):
    with app.app_context():
        make_conference(units["SUS"], date(2026, 12, 8))
    cell = _cell(_page(client, "/calendar/analcancer/2026-12"), date(2026, 12, 8))
    assert "08:00</time>" in cell
    assert ">SUS</abbr>" in cell
    assert 'class="meeting status-planned unit-SE2321000255-AC03"' in cell


def test_unit_colour_stylesheet_gives_each_unit_its_colour(client):
    response = client.get("/calendar/unit-colours.css")
    assert response.mimetype == "text/css"
    css = response.get_data(as_text=True)
    assert ".unit-SE2321000016-AC01 { --unit-colour: #1f4e79; }" in css


def test_month_view_has_no_inline_style_or_script(app, client, units):
    with app.app_context():
        make_conference(units["KS"], date(2026, 12, 8))
    page = _page(client, "/calendar/analcancer/2026-12")
    assert "style=" not in page and "<script" not in page


def test_month_view_keeps_0800_local_across_the_march_clock_change(app, client, units):
    with app.app_context():
        before = make_conference(units["KS"], date(2027, 3, 23))
        after = make_conference(units["SU"], date(2027, 3, 30))
        assert (before.starts_at.hour, after.starts_at.hour) == (7, 6)  # UTC: the clocks moved
    page = _page(client, "/calendar/analcancer/2027-03")
    assert "08:00</time>" in _cell(page, date(2027, 3, 23))
    assert "08:00</time>" in _cell(page, date(2027, 3, 30))


def test_month_view_keeps_0800_local_across_the_october_clock_change(app, client, units):
    with app.app_context():
        make_conference(units["KS"], date(2027, 10, 26))
        make_conference(units["SU"], date(2027, 10, 19))
    page = _page(client, "/calendar/analcancer/2027-10")
    assert "08:00</time>" in _cell(page, date(2027, 10, 19))
    assert "08:00</time>" in _cell(page, date(2027, 10, 26))


def test_cancelled_meeting_is_struck_through_and_says_cancelled(app, client, units):
    with app.app_context():
        make_conference(units["AS"], date(2026, 12, 15), status="cancelled",
                        status_reason="Inga anmälda fall")
    cell = _cell(_page(client, "/calendar/analcancer/2026-12"), date(2026, 12, 15))
    assert re.search(r"<del>.*08:00.*AS\s*</del>", cell, re.S)
    assert "inställt" in cell


def test_moved_meeting_is_marked_with_its_original_day(app, client, units):
    with app.app_context():
        make_conference(units["KS"], date(2026, 12, 28), planned_day=date(2026, 12, 29),
                        moved_from=date(2026, 12, 29))
    cell = _cell(_page(client, "/calendar/analcancer/2026-12"), date(2026, 12, 28))
    assert "flyttat från 29 dec" in cell


def test_month_view_links_previous_and_next_month(client):
    page = _page(client, "/calendar/analcancer/2027-01")
    assert 'href="/calendar/analcancer/2026-12" rel="prev"' in page
    assert 'href="/calendar/analcancer/2027-02" rel="next"' in page


def test_month_view_switches_area_and_keeps_the_month(client):
    page = _page(client, "/calendar/analcancer/2027-01")
    assert 'href="/calendar/crs_hipec/2027-01"' in page


@pytest.mark.parametrize("url", ["/calendar/nosuch/2026-12", "/calendar/analcancer/2026-13",
                                 "/calendar/analcancer/december"])
def test_month_view_of_unknown_area_or_month_is_not_found(client, url):
    assert client.get(url).status_code == 404


def _fill_month(units, first: date, count: int) -> None:
    hosts = list(units.values())
    for number in range(count):
        make_conference(hosts[number % len(hosts)], first + timedelta(days=number))


def _count_statements(client, statement_counter, url: str) -> int:
    with statement_counter() as counted:
        assert client.get(url).status_code == 200
    return counted.count


def test_month_view_runs_the_same_statements_for_5_or_25_meetings(app, client, units,
                                                                   statement_counter):
    with app.app_context():
        _fill_month(units, date(2027, 1, 4), 5)
        _fill_month(units, date(2027, 3, 1), 25)
    few = _count_statements(client, statement_counter, "/calendar/analcancer/2027-01")
    many = _count_statements(client, statement_counter, "/calendar/analcancer/2027-03")
    assert client.get("/calendar/analcancer/2027-03").get_data(as_text=True).count(
        'class="meeting status-planned') == 25
    assert many == few


def test_list_view_shows_day_time_series_host_and_status(app, client, units):
    with app.app_context():
        make_conference(units["SU"], date(2026, 12, 1), host_note="KS: ingen radiolog v. 49")
    page = _page(client, "/calendar/analcancer/list?from=2026-12-01&to=2026-12-31")
    assert "tis 1 dec 2026 · v. 49" in page
    assert "08:00</time>–09:30" in page
    assert "Nationell MDK analcancer" in page
    assert ">SU</abbr>" in page and "Planerat" in page
    assert "KS: ingen radiolog v. 49" in page


def test_list_view_with_a_bad_date_names_the_field(client):
    response = client.get("/calendar/analcancer/list?from=2026-02-30")
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "from") == \
        "Ange ett datum som finns, som ÅÅÅÅ-MM-DD."


def test_rotation_page_counts_hosted_meetings_per_unit(app, client, units):
    with app.app_context():
        for week, host in enumerate(["KS", "SU", "SUS", "AS", "KS"]):
            make_conference(units[host], date(2027, 1, 5) + timedelta(weeks=week))
    page = _page(client, "/rotation/analcancer?year=2027")
    row = page[page.index(">KS</abbr>"):]
    row = row[:row.index("</tr>")]
    assert re.findall(r'<td class="num">(\d+)</td>', row)[0] == "2"
    assert "unit-SE2321000016-AC01" in page


def test_rotation_page_warns_when_the_host_cannot_staff_a_coming_meeting(app, client, units):
    # The units have no staff registered: the coming meeting's host has no radiologist.
    with app.app_context():
        make_conference(units["SUS"], date.today() + timedelta(days=14))
    page = _page(client, "/rotation/analcancer")
    warnings = page[page.index('class="warnings"'):]
    assert "SUS: ingen" in warnings and "radiolog" in warnings


def test_coordinator_sees_the_edit_forms_on_the_meeting_page(app, client, units):
    with app.app_context():
        conference_id = make_conference(units["KS"], date.today() + timedelta(days=14)).id
    page = _page(client, f"/conferences/{conference_id}")
    assert "Byt värd med ett annat möte" in page and "Ställ in mötet" in page


def test_member_reads_the_meeting_page_without_edit_forms(app, units):
    with app.app_context():
        conference_id = make_conference(units["KS"], date.today() + timedelta(days=14)).id
        member = make_member()
    browser = app.test_client()
    log_in(browser, member)
    page = _page(browser, f"/conferences/{conference_id}")
    assert "Karolinska" in page
    assert "<form class=\"panel stacked\"" not in page


def test_member_cannot_cancel_a_meeting(app, units):
    with app.app_context():
        conference_id = make_conference(units["KS"], date.today() + timedelta(days=14)).id
        member = make_member()
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        browser = app.test_client()
        log_in(browser, member)
        response = browser.post(f"/conferences/{conference_id}/cancel",
                                data={"cancel-reason": "Inga fall"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
    assert response.status_code == 403
    with app.app_context():
        from mdk.conferences.service import get_conference
        assert get_conference(conference_id).status == "planned"


def test_navigation_links_the_calendar_and_the_rotation(client):
    page = _page(client, "/")
    assert '<a href="/calendar"' in page and ">Kalender</a>" in page
    assert '<a href="/rotation"' in page and ">Rotation</a>" in page


# --- only the care areas of one's roles (issue 9, item 11) -------------------------------------

OTHER_AREA_PAGES = ("/calendar/crs_hipec", "/calendar/crs_hipec/2026-12",
                    "/calendar/crs_hipec/list", "/calendar/crs_hipec/new",
                    "/rotation/crs_hipec", "/rotation/crs_hipec/unavailability")


def _one_area_client(app, role: str):
    """A client logged in as a person whose only role is `role` in anal cancer."""
    with app.app_context():
        person = make_member("analcancer", role)
    client = app.test_client()
    log_in(client, person)
    return client


@pytest.mark.parametrize("role", ["admin", "coordinator", "member", "reviewer", "referrer"])
def test_calendar_of_another_care_area_is_not_found_for_each_role(app, role):
    client = _one_area_client(app, role)
    for url in OTHER_AREA_PAGES:
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("role", ["admin", "coordinator", "member", "reviewer", "referrer"])
def test_area_switcher_offers_only_the_care_areas_of_ones_roles(app, role):
    client = _one_area_client(app, role)
    for url in ("/calendar/analcancer/2026-12", "/calendar/analcancer/list",
                "/rotation/analcancer", "/rotation/analcancer/unavailability"):
        page = _page(client, url)
        assert "/calendar/analcancer" in page or "/rotation/analcancer" in page
        assert "crs_hipec" not in page, url
    assert client.get("/calendar", follow_redirects=True).request.path.startswith(
        "/calendar/analcancer/")
    assert client.get("/rotation", follow_redirects=True).request.path == "/rotation/analcancer"
