"""The meeting calendar over the database: generating, time, holidays, coordinators' changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from mdk.care_areas.service import care_areas
from mdk.conferences import service
from mdk.conferences.models import Conference
from mdk.extensions import db
from mdk.validation import FieldError
from tests.conferences.factories import (
    ACTOR,
    AREA_KEY,
    audit_actions,
    conferences,
    extend,
    hosts,
    make_area,
    staff_units,
    use_areas,
)

# Far enough ahead that nothing here is in the past (frozen) when the suite runs.
FUTURE = date(2035, 1, 1)


@pytest.fixture()
def area(app, app_ctx, monkeypatch):
    area = make_area()
    use_areas(app, monkeypatch, area)
    return area


@pytest.fixture()
def units(area):
    return staff_units()


def test_extend_creates_every_tuesday_to_the_horizon_and_is_idempotent(units):
    created = service.extend_calendars(today=FUTURE, horizon_months=3)
    rows = conferences()
    assert created == len(rows) == 13  # Tuesdays 2 Jan .. 27 Mar 2035
    assert all(row.starts_at.astimezone(service.local_zone()).isoweekday() == 2 for row in rows)
    assert service.extend_calendars(today=FUTURE, horizon_months=3) == 0
    assert len(conferences()) == 13


def test_extend_stores_capacity_from_duration_and_case_slots(units):
    rows = extend(FUTURE, months=1)
    assert {row.capacity for row in rows} == {9}  # 90 minutes / 10-minute slots


def test_a_meeting_at_eight_is_seven_utc_in_winter_and_six_in_summer(units):
    extend(date(2035, 3, 20), months=1)  # the clocks go forward on 25 March 2035
    db.session.expire_all()  # read back what the database holds
    by_day = {row.planned_day: row.starts_at for row in conferences()}
    assert by_day[date(2035, 3, 20)] == datetime(2035, 3, 20, 7, 0, tzinfo=UTC)
    assert by_day[date(2035, 3, 27)] == datetime(2035, 3, 27, 6, 0, tzinfo=UTC)
    assert {moment.astimezone(service.local_zone()).hour for moment in by_day.values()} == {8}


def test_week_53_of_2026_has_its_meeting(units):
    rows = extend(date(2026, 12, 1), months=1)
    week_53 = [row for row in rows if row.planned_day.isocalendar()[:2] == (2026, 53)]
    assert [row.planned_day for row in week_53] == [date(2026, 12, 29)]


def test_julafton_and_nyarsafton_move_to_the_next_working_day_when_the_series_says_so(
        app, app_ctx, monkeypatch):
    use_areas(app, monkeypatch, make_area(on_holiday="next_working_day"))
    staff_units()
    # 2041: julafton and nyårsafton are Tuesdays; 25, 26 Dec and 1 Jan are holidays.
    rows = {row.planned_day: row for row in extend(date(2041, 12, 15), months=1)}
    assert rows[date(2041, 12, 24)].day == date(2041, 12, 27)
    assert rows[date(2041, 12, 24)].moved_from == date(2041, 12, 24)
    assert "julafton" in rows[date(2041, 12, 24)].status_reason.lower()
    assert rows[date(2041, 12, 31)].day == date(2042, 1, 2)


def test_julafton_is_skipped_by_a_skip_series(units):
    planned = [row.planned_day for row in extend(date(2041, 12, 15), months=1)]
    assert date(2041, 12, 24) not in planned
    assert date(2041, 12, 31) not in planned
    assert date(2041, 12, 17) in planned


def test_midsommarafton_is_skipped_for_a_friday_series(app, app_ctx, monkeypatch):
    crs_hipec = care_areas()["crs_hipec"]
    use_areas(app, monkeypatch, crs_hipec)
    service.extend_calendars(today=date(2035, 6, 1), horizon_months=1)
    fridays = {row.planned_day for row in conferences("crs_hipec") if row.series_key == "su"}
    assert date(2035, 6, 22) not in fridays  # midsommarafton 2035
    assert {date(2035, 6, 15), date(2035, 6, 29)} <= fridays


def test_the_rotation_plan_names_a_skipped_holiday(units):
    extend(date(2041, 12, 1), months=2)
    skipped = [row for row in service.rotation_plan(AREA_KEY, 2041) if row.status == "skipped"]
    assert [(row.start.date(), row.note) for row in skipped] == [
        (date(2041, 12, 24), "Julafton"), (date(2041, 12, 31), "Nyårsafton")]


def test_a_closure_skips_its_days_at_the_next_extension(units):
    service.add_closure(ACTOR, date(2035, 7, 1), date(2035, 7, 31), "Sommaruppehåll")
    planned = [row.planned_day for row in extend(date(2035, 6, 20), months=2)]
    assert not [day for day in planned if day.month == 7]
    assert date(2035, 8, 7) in planned


def test_a_closure_cancels_the_meetings_already_planned_and_keeps_their_rows(units):
    extend(date(2035, 6, 20), months=2)
    service.add_closure(ACTOR, date(2035, 7, 1), date(2035, 7, 31), "Sommaruppehåll",
                        care_area=AREA_KEY)
    july = [row for row in conferences() if row.planned_day.month == 7]
    assert len(july) == 5
    assert {(row.status, row.status_reason) for row in july} == {
        ("cancelled", "Stängt: Sommaruppehåll")}


def test_list_conferences_loads_hosts_and_chairs_in_constant_statements(units,
                                                                        statement_counter):
    extend(FUTURE, months=14)

    def count(weeks: int) -> int:
        db.session.expire_all()
        with statement_counter() as counted:
            rows = service.list_conferences(AREA_KEY, FUTURE, FUTURE + timedelta(weeks=weeks))
            for row in rows:
                _ = (row.host_unit.short_name, row.chair.name)
        assert len(rows) >= min(weeks, 10) - 1
        return counted.count

    assert count(10) == count(60)


# --- coordinators' changes ------------------------------------------------------------------

def test_add_conference_plans_a_host_and_is_audited(units):
    extend(FUTURE, months=1)
    added = service.add_conference(ACTOR, AREA_KEY, "national", date(2035, 1, 11), "13:00",
                                   "Extra möte för kö")
    assert added.starts_at == datetime(2035, 1, 11, 12, 0, tzinfo=UTC)
    assert added.host_unit is not None
    assert added.status_reason == "Extra möte för kö"
    assert audit_actions(added.id) == ["conference.add"]


@pytest.mark.parametrize(("changes", "field"), [
    ({"reason": "  "}, "reason"),
    ({"day": date.today() - timedelta(days=1)}, "day"),
    ({"day": "2035-02-30"}, "day"),
    ({"start": "8.00"}, "start"),
    ({"series_key": "nope"}, "series_key"),
    ({"area_key": "nope"}, "care_area"),
    # Found by review: 02:30 on the spring clock-change day does not exist, and a meeting
    # from 23:30 would run into the next day.
    ({"day": date(2035, 3, 25), "start": "02:30"}, "start"),
    ({"start": "23:30"}, "start"),
])
def test_add_conference_with_bad_input_names_the_field(units, changes, field):
    arguments = {"area_key": AREA_KEY, "series_key": "national", "day": date(2035, 1, 11),
                 "start": "13:00", "reason": "Extra"}
    arguments.update(changes)
    with pytest.raises(FieldError) as error:
        service.add_conference(ACTOR, **arguments)
    assert error.value.field == field
    assert conferences() == []


def test_move_conference_keeps_where_it_came_from_and_is_audited(units):
    first = extend(FUTURE, months=1)[0]
    service.move_conference(ACTOR, first, date(2035, 1, 3), "09:00", "Krockar med utbildning")
    assert first.day == date(2035, 1, 3)
    assert first.moved_from == date(2035, 1, 2)
    assert first.starts_at == datetime(2035, 1, 3, 8, 0, tzinfo=UTC)
    assert audit_actions(first.id) == ["conference.move"]


def test_move_conference_into_the_past_names_the_day(units):
    first = extend(FUTURE, months=1)[0]
    with pytest.raises(FieldError) as error:
        service.move_conference(ACTOR, first, date.today() - timedelta(days=1), "08:00", "x")
    assert error.value.field == "day"
    assert first.day == date(2035, 1, 2)


def test_cancel_keeps_the_row_with_its_reason(units):
    first = extend(FUTURE, months=1)[0]
    service.cancel_conference(ACTOR, first, "Hög sjukfrånvaro")
    db.session.expire_all()
    row = db.session.get(Conference, first.id)
    assert (row.status, row.status_reason) == ("cancelled", "Hög sjukfrånvaro")
    assert audit_actions(first.id) == ["conference.cancel"]


def test_cancel_without_a_reason_names_the_reason(units):
    first = extend(FUTURE, months=1)[0]
    with pytest.raises(FieldError) as error:
        service.cancel_conference(ACTOR, first, "")
    assert error.value.field == "reason"
    assert first.status == "planned"


def test_a_reason_with_an_identity_number_is_refused(units):
    first = extend(FUTURE, months=1)[0]
    with pytest.raises(FieldError) as error:
        service.cancel_conference(ACTOR, first, "Patient 19121212-1212 sjuk")
    assert error.value.field == "reason"


def test_swap_hosts_exchanges_pins_both_and_is_audited(units):
    a, b = extend(FUTURE, months=1)[:2]
    host_a, host_b = a.host_unit_id, b.host_unit_id
    service.swap_hosts(ACTOR, a, b, "SU har utbildningsdag")
    assert (a.host_unit_id, b.host_unit_id) == (host_b, host_a)
    assert a.host_pinned and b.host_pinned
    assert "SU har utbildningsdag" in a.host_note
    assert audit_actions(a.id) == ["conference.swap_hosts"]


def test_a_pinned_host_survives_a_replan(units):
    a, b = extend(FUTURE, months=1)[:2]
    service.swap_hosts(ACTOR, a, b, "Byte")
    swapped = hosts([a, b])
    service.replan_hosts(AREA_KEY, FUTURE)
    assert hosts([a, b]) == swapped


def test_override_host_pins_the_unit_and_is_audited(units):
    first = extend(FUTURE, months=1)[0]
    target = units["SE2321000024-CT04"]
    service.override_host(ACTOR, first, target.id, "AS har flest ärenden")
    assert (first.host_unit_id, first.host_pinned) == (target.id, True)
    assert first.chair.unit_id == target.id
    assert audit_actions(first.id) == ["conference.override_host"]


def test_override_host_with_an_unknown_unit_names_the_unit(units):
    first = extend(FUTURE, months=1)[0]
    host = first.host_unit_id
    with pytest.raises(FieldError) as error:
        service.override_host(ACTOR, first, 999_999, "x")
    assert error.value.field == "unit_id"
    assert (first.host_unit_id, first.host_pinned) == (host, False)


def test_update_details_with_a_plain_http_link_names_the_link(units):
    first = extend(FUTURE, months=1)[0]
    with pytest.raises(FieldError) as error:
        service.update_details(ACTOR, first, None, "http://video.example/room")
    assert error.value.field == "video_link"


def test_update_details_sets_chair_and_link_and_is_audited(units):
    first = extend(FUTURE, months=1)[0]
    chair = units["SE2321000131-CT02"].people[0]
    service.update_details(ACTOR, first, chair.id, "https://video.example/mdk")
    assert (first.chair_person_id, first.video_link) == (chair.id, "https://video.example/mdk")
    assert audit_actions(first.id) == ["conference.update_details"]


def test_unavailability_ending_before_it_starts_names_the_last_day(units):
    with pytest.raises(FieldError) as error:
        service.add_unavailability(ACTOR, units[next(iter(units))].id, date(2035, 2, 10),
                                   date(2035, 2, 1), "Flytt")
    assert error.value.field == "last_day"


def test_unavailability_of_an_unknown_unit_names_the_unit(units):
    with pytest.raises(FieldError) as error:
        service.add_unavailability(ACTOR, 999_999, date(2035, 2, 1), date(2035, 2, 10), "x")
    assert error.value.field == "unit_id"


def test_a_meeting_across_the_autumn_clock_change_lasts_its_length(units):
    # 26 Oct 2036: clocks go back at 03:00 CEST. A 90-minute meeting from 02:00 CEST
    # lasts 90 minutes of real time.
    extend(FUTURE, months=1)
    added = service.add_conference(ACTOR, AREA_KEY, "national", date(2036, 10, 26), "01:30",
                                   "Nattmöte")
    assert added.ends_at - added.starts_at == timedelta(minutes=90)
