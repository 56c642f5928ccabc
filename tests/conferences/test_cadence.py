from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from mdk.calendar.closures import Closure
from mdk.care_areas.domain import HostPolicy, Label, MeetingSeriesConfig
from mdk.conferences.cadence import occurrences

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _series(weekday=2, on_holiday="skip"):
    return MeetingSeriesConfig(
        key="national", name=Label("Nationell MDK", "National MDK"), weekday=weekday,
        start="08:00", duration_minutes=90, case_slot_minutes=10, cutoff_days=2,
        cutoff_time="12:00", host_policy=HostPolicy(kind="rotating", rotation="per_meeting"),
        on_holiday=on_holiday,
    )


def test_weekly_tuesdays_at_eight_local_across_the_spring_clock_change():
    found = occurrences(_series(), date(2027, 3, 20), date(2027, 4, 3), STOCKHOLM)
    assert [o.day for o in found] == [date(2027, 3, 23), date(2027, 3, 30)]
    # CET (UTC+1) before 28 March 2027, CEST (UTC+2) after: 08:00 local both times.
    assert found[0].start == datetime(2027, 3, 23, 7, 0, tzinfo=UTC)
    assert found[1].start == datetime(2027, 3, 30, 6, 0, tzinfo=UTC)
    assert all(o.start.astimezone(STOCKHOLM).hour == 8 for o in found)
    assert found[0].end == datetime(2027, 3, 23, 8, 30, tzinfo=UTC)


def test_eight_local_across_the_autumn_clock_change():
    found = occurrences(_series(), date(2026, 10, 20), date(2026, 11, 3), STOCKHOLM)
    assert [o.start for o in found] == [datetime(2026, 10, 20, 6, 0, tzinfo=UTC),
                                        datetime(2026, 10, 27, 7, 0, tzinfo=UTC),
                                        datetime(2026, 11, 3, 7, 0, tzinfo=UTC)]


def test_a_meeting_on_a_holiday_is_skipped_with_the_reason():
    # Thursday series; Thu 24 Dec 2026 is julafton, Thu 31 Dec nyårsafton.
    found = occurrences(_series(weekday=4), date(2026, 12, 17), date(2026, 12, 31), STOCKHOLM)
    assert [(o.day, o.skipped_reason) for o in found] == [
        (date(2026, 12, 17), None),
        (date(2026, 12, 24), "Julafton"),
        (date(2026, 12, 31), "Nyårsafton"),
    ]
    assert found[1].start is None


def test_a_meeting_on_a_holiday_can_move_to_the_next_working_day():
    # Thu 14 May 2026 is Kristi himmelsfärdsdag -> Friday 15 May.
    found = occurrences(_series(weekday=4, on_holiday="next_working_day"),
                        date(2026, 5, 14), date(2026, 5, 14), STOCKHOLM)
    assert found[0].day == date(2026, 5, 15)
    assert found[0].moved_reason == "Kristi himmelsfärdsdag"
    assert found[0].start.astimezone(STOCKHOLM).hour == 8


def test_a_move_never_runs_into_the_next_cadence_week():
    summer = Closure(date(2027, 7, 5), date(2027, 8, 6), "Sommaruppehåll")
    found = occurrences(_series(on_holiday="next_working_day"), date(2027, 7, 6),
                        date(2027, 7, 13), STOCKHOLM, [summer])
    assert all(o.skipped_reason == "Sommaruppehåll" for o in found)


def test_week_53_meeting_exists_and_carries_its_iso_week():
    found = occurrences(_series(), date(2026, 12, 28), date(2027, 1, 5), STOCKHOLM)
    assert [(o.day, o.day.isocalendar().week) for o in found] == [
        (date(2026, 12, 29), 53), (date(2027, 1, 5), 1)]
