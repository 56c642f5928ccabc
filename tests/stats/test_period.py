"""The statistics' period: presets, the UTC bounds of local days across a DST change, and
bad input named at its field (422, never 500)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from mdk.stats.period import Period, period_from, preset
from mdk.validation import FieldError

STOCKHOLM = ZoneInfo("Europe/Stockholm")
TODAY = date(2026, 8, 14)


@pytest.mark.parametrize(("name", "first", "last"), [
    ("year", date(2026, 1, 1), date(2026, 12, 31)),
    ("half_year", date(2026, 7, 1), date(2026, 12, 31)),
    ("quarter", date(2026, 7, 1), date(2026, 9, 30)),
    ("month", date(2026, 8, 1), date(2026, 8, 31)),
])
def test_presets_hold_today(name, first, last):
    assert preset(name, TODAY) == Period(first, last)


def test_december_month_ends_with_the_year():
    assert preset("month", date(2026, 12, 2)) == Period(date(2026, 12, 1), date(2026, 12, 31))


def test_default_is_this_year():
    assert period_from({}, TODAY) == Period(date(2026, 1, 1), date(2026, 12, 31))


def test_bounds_follow_the_clock_changes():
    # 2026-03-29 (summer time from 02:00) to 2026-10-25 (winter time from 03:00).
    start, end = Period(date(2026, 3, 30), date(2026, 10, 25)).utc_bounds(STOCKHOLM)
    assert start == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)  # +02:00
    assert end == datetime(2026, 10, 25, 23, 0, tzinfo=UTC)  # 10-26 00:00 at +01:00


@pytest.mark.parametrize(("args", "field"), [
    ({"from": "2026-02-30"}, "from"), ({"to": "x\x00"}, "to"),
    ({"from": "2026-05-01", "to": "2026-04-01"}, "to"), ({"preset": "decade"}, "preset"),
    ({"from": "2000-01-01", "to": "2020-01-01"}, "to"),
])
def test_bad_period_names_its_field(args, field):
    with pytest.raises(FieldError) as error:
        period_from(args, TODAY)
    assert error.value.field == field


def test_bad_period_on_the_page_and_the_csv_is_422(browser, dataset):
    client = browser(dataset.world.people["coordinator"])
    page = client.get("/stats?area=analcancer&from=2026-02-30")
    assert page.status_code == 422 and 'id="from-error"' in page.get_data(as_text=True)
    assert client.get("/stats/hosting.csv?area=analcancer&to=nope").status_code == 422
    assert client.get("/stats/nothing.csv?area=analcancer").status_code == 404
    assert client.get("/stats?area=nowhere").status_code == 404


def test_preset_link_shows_its_period(browser, dataset):
    page = browser(dataset.world.people["member"]).get("/stats?area=analcancer&preset=year")
    assert page.status_code == 200
    assert 'id="stats-view"' in page.get_data(as_text=True)


@pytest.mark.parametrize(("args", "field"), [
    ({"from": "2026-03-02", "to": "2026-03-31"}, "from"),
    ({"from": "2026-03-01", "to": "2026-03-30"}, "to"),
    ({"from": "2026-01-01", "to": "2026-02-27"}, "to"),
])
def test_outside_the_coordinators_view_a_period_is_whole_months(args, field):
    assert period_from(args, TODAY) == Period(date.fromisoformat(args["from"]),
                                              date.fromisoformat(args["to"]))
    with pytest.raises(FieldError) as error:
        period_from(args, TODAY, whole_months=True)
    assert error.value.field == field


def test_whole_months_and_presets_are_accepted_for_a_member(browser, dataset):
    assert period_from({"from": "2024-02-01", "to": "2024-02-29"}, TODAY,
                       whole_months=True) == Period(date(2024, 2, 1), date(2024, 2, 29))
    member = browser(dataset.world.people["member"])
    coordinator = browser(dataset.world.people["coordinator"])
    days = "area=analcancer&from=2026-03-30&to=2026-06-30"
    page = member.get(f"/stats?{days}")
    assert page.status_code == 422 and 'id="from-error"' in page.get_data(as_text=True)
    assert member.get(f"/stats/hosting.csv?{days}").get_data(as_text=True).startswith(
        "from:")
    assert member.get("/stats/hosting.csv?area=analcancer&from=2026-04-01&to=2026-06-29") \
        .status_code == 422
    assert member.get("/stats?area=analcancer&from=2026-04-01&to=2026-06-30") \
        .status_code == 200
    assert member.get("/stats?area=analcancer&preset=month").status_code == 200
    assert coordinator.get(f"/stats?{days}").status_code == 200  # any days
