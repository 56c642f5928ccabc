"""SEQUENCE rises by one when a meeting's time, host or video link changes or it is
cancelled (once per change, however many columns it touches); ORGANIZER never follows the
host. On saved meetings, changed through the calendar service as coordinators do."""

from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest

from mdk.conferences import service as calendar
from mdk.conferences.models import Conference
from mdk.extensions import db
from mdk.invites import service
from tests.cases.factories import make_world


@pytest.fixture()
def world(app_ctx):
    return make_world()


def _event(conference: Conference, method: str | None = None):
    return icalendar.Calendar.from_ical(service.meeting_invite(conference, method)
                                        ).walk("VEVENT")[0]


def test_a_new_meeting_starts_at_sequence_0(world):
    assert world.conference.ical_sequence == 0
    assert int(_event(world.conference)["SEQUENCE"]) == 0


def test_a_meeting_whose_host_is_planned_after_it_was_made_stays_at_0(world):
    """As extend_calendars and add_conference do: add, flush for the id, plan the host."""
    starts = world.conference.starts_at + timedelta(days=2)
    conference = Conference(care_area="analcancer", series_key="national",
                            planned_day=starts.date(), starts_at=starts,
                            ends_at=starts + timedelta(minutes=90), capacity=9)
    db.session.add(conference)
    db.session.flush()
    conference.host_unit_id = world.nhv[1].id
    db.session.commit()
    assert conference.ical_sequence == 0
    conference.host_unit_id = world.nhv[2].id  # a later transaction: a change
    db.session.commit()
    assert conference.ical_sequence == 1


def test_moving_a_meeting_raises_sequence_by_one(world):
    conference = world.conference
    day = conference.day + timedelta(days=1)
    calendar.move_conference(world.actor("coordinator"), conference, day, "09:00",
                             "Helgdag flyttad")
    db.session.refresh(conference)
    assert conference.ical_sequence == 1  # start, end (and maybe host): one change
    event = _event(conference)
    assert int(event["SEQUENCE"]) == 1
    assert event["DTSTART"].dt.hour == 9


def test_a_new_host_raises_sequence_and_leaves_the_organizer(world):
    conference = world.conference
    before = _event(conference)
    calendar.override_host(world.actor("coordinator"), conference, world.nhv[1].id,
                           "KS har ingen radiolog")
    db.session.refresh(conference)
    after = _event(conference)
    assert (int(before["SEQUENCE"]), int(after["SEQUENCE"])) == (0, 1)
    assert str(after["ORGANIZER"]) == str(before["ORGANIZER"]) == \
        "mailto:nmdk-analcancer@mdk.example.se"
    assert after["ORGANIZER"].params["CN"] == "nMDK analcancer"
    assert f"(värd: {world.nhv[1].short_name})" in str(after["SUMMARY"])
    assert world.nhv[1].name in str(after["DESCRIPTION"])
    assert str(after["UID"]) == str(before["UID"])


def test_swapping_hosts_raises_both_meetings_by_one(world):
    a, b = world.conference, world.later_conference
    calendar.swap_hosts(world.actor("coordinator"), a, b, "Byte efter önskemål")
    db.session.refresh(a)
    db.session.refresh(b)
    assert (a.ical_sequence, b.ical_sequence) == (1, 1)
    assert str(_event(a)["ORGANIZER"]) == "mailto:nmdk-analcancer@mdk.example.se"


def test_a_new_video_link_raises_sequence_and_the_same_one_does_not(world):
    conference = world.conference
    actor = world.actor("coordinator")
    calendar.update_details(actor, conference, None, "https://video.example.se/a")
    calendar.update_details(actor, conference, None, "https://video.example.se/a")
    db.session.refresh(conference)
    assert conference.ical_sequence == 1
    calendar.update_details(actor, conference, None, "https://video.example.se/b")
    db.session.refresh(conference)
    assert conference.ical_sequence == 2
    assert str(_event(conference)["URL"]) == "https://video.example.se/b"


def test_a_new_chair_alone_does_not_raise_sequence(world):
    calendar.update_details(world.actor("coordinator"), world.conference,
                            world.people["host_member"].id, None)
    db.session.refresh(world.conference)
    assert world.conference.ical_sequence == 0


def test_cancelling_raises_sequence_and_the_invite_becomes_a_cancel(world):
    conference = world.conference
    uid = str(_event(conference)["UID"])
    promised = int(_event(conference, "cancel")["SEQUENCE"])
    calendar.cancel_conference(world.actor("coordinator"), conference, "Inställt: kongress")
    db.session.refresh(conference)
    assert conference.ical_sequence == promised == 1
    data = service.meeting_invite(conference)
    assert b"METHOD:CANCEL\r\n" in data
    event = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]
    assert (str(event["UID"]), int(event["SEQUENCE"]), str(event["STATUS"])) == (
        uid, 1, "CANCELLED")
    with pytest.raises(service.InviteError):
        service.meeting_invite(conference, "request")


def test_the_planner_moving_a_host_raises_sequence(world):
    conference = world.conference
    conference.host_unit_id = world.nhv[2].id  # as the planner does, without the services
    db.session.commit()
    assert conference.ical_sequence == 1
