"""Every calendar object read back by three independent parsers: icalendar (which wrote it),
the `ical` package and vobject (which builds its time zone from our VTIMEZONE, through
dateutil). Each must find the meeting's UTC instants on both 2026 change days and an
ordinary day, including the hour that occurs twice in October."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import vobject
from dateutil import tz as dateutil_tz
from ical.calendar_stream import IcsCalendarStream

from mdk.invites import service
from mdk.invites.ical import ZONE, vtimezone
from tests.invites.helpers import ATTENDEES, DST_STARTS, case, meeting

SLOT = timedelta(minutes=10)


def _objects(starts_at: datetime) -> dict[str, tuple[bytes, datetime, datetime]]:
    """name -> (calendar, expected start, expected end) for a meeting starting then."""
    conference = meeting(starts_at)
    moved = meeting(starts_at, sequence=1)
    cancelled = meeting(starts_at, sequence=2, status="cancelled")
    the_case = case(conference)
    end = starts_at + timedelta(minutes=90)
    return {
        "invite": (service.meeting_invite(conference, attendees=ATTENDEES), starts_at, end),
        "update": (service.meeting_invite(moved, attendees=ATTENDEES), starts_at, end),
        "cancel": (service.meeting_invite(cancelled, attendees=ATTENDEES), starts_at, end),
        "slot invite": (service.slot_invite(the_case, conference), starts_at, starts_at + SLOT),
        "slot cancel": (service.slot_invite(the_case, conference, "cancel"), starts_at,
                        starts_at + SLOT),
    }


def _read_icalendar(data: bytes) -> tuple[datetime, datetime, str, int]:
    event = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]
    return (event["DTSTART"].dt.astimezone(UTC), event["DTEND"].dt.astimezone(UTC),
            str(event["UID"]), int(event["SEQUENCE"]))


def _read_ical(data: bytes) -> tuple[datetime, datetime, str, int]:
    event = IcsCalendarStream.calendar_from_ics(data.decode("utf-8")).events[0]
    return (event.dtstart.astimezone(UTC), event.dtend.astimezone(UTC), event.uid,
            event.sequence)


def _read_vobject(data: bytes) -> tuple[datetime, datetime, str, int]:
    event = vobject.readOne(data.decode("utf-8")).vevent
    return (event.dtstart.value.astimezone(UTC), event.dtend.value.astimezone(UTC),
            event.uid.value, int(event.sequence.value))


PARSERS = {"icalendar": _read_icalendar, "ical": _read_ical, "vobject": _read_vobject}


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize("moment", DST_STARTS)
def test_every_parser_reads_the_right_instants(app_ctx, parser, moment):
    starts_at = DST_STARTS[moment]
    for name, (data, start, end) in _objects(starts_at).items():
        got_start, got_end, uid, sequence = PARSERS[parser](data)
        assert (got_start, got_end) == (start, end), f"{name} read by {parser}"
        assert uid.endswith("@localhost") and sequence >= 0


def test_vobject_takes_the_zone_from_our_vtimezone(app_ctx):
    """vobject builds the zone from the VTIMEZONE sent: with the winter offset changed to
    +0300 the same local 08:00 is read two hours earlier, so its instants above came from
    our rules, not from a tz database."""
    data = service.meeting_invite(meeting(DST_STARTS["ordinary Tuesday 08:00 CET"]),
                                  attendees=ATTENDEES)
    # vobject keeps the zones it has read by TZID for the process: a new name for the copy.
    tampered = data.replace(b"TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100",
                            b"TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0300"
                            ).replace(b"Europe/Stockholm", b"Test/Tampered")
    assert tampered != data
    start = _read_vobject(data)[0]
    assert _read_vobject(tampered)[0] == start - timedelta(hours=2)


def test_the_second_occurrence_of_an_ambiguous_hour_goes_out_in_utc(app_ctx):
    data = service.meeting_invite(meeting(DST_STARTS["fall-back second 02:30 (CET)"]),
                                  attendees=ATTENDEES)
    assert b"DTSTART:20261025T013000Z" in data
    data = service.meeting_invite(meeting(DST_STARTS["fall-back first 02:30 (CEST)"]),
                                  attendees=ATTENDEES)
    assert b"DTSTART;TZID=Europe/Stockholm:20261025T023000" in data


def _instants_to_check():
    """Every half hour around each change, 2026-2040, and every day at noon UTC."""
    for year in range(2026, 2041):
        for month in (3, 10):
            last_sunday = max(datetime(year, month, day, tzinfo=UTC) for day in range(25, 32)
                              if datetime(year, month, day).weekday() == 6)
            for step in range(-48, 49):
                yield last_sunday + timedelta(minutes=30 * step)
        day = datetime(year, 1, 1, 12, tzinfo=UTC)
        while day.year == year:
            yield day
            day += timedelta(days=1)


def test_the_vtimezone_rules_agree_with_the_tz_database_2026_to_2040():
    """Read by dateutil (not zoneinfo) and by icalendar, our VTIMEZONE gives the offset the
    tz database gives, at every instant checked."""
    by_dateutil = dateutil_tz.tzical(io.StringIO(vtimezone().decode())).get()
    by_icalendar = icalendar.Timezone.from_ical(vtimezone()).to_tz()
    for instant in _instants_to_check():
        expected = instant.astimezone(ZONE).utcoffset()
        assert instant.astimezone(by_dateutil).utcoffset() == expected, instant
        assert instant.astimezone(by_icalendar).utcoffset() == expected, instant
