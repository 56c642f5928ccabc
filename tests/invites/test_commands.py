"""`mdk invites show` prints exactly what would be mailed; `mdk calendar export` writes the
area's meetings as one VCALENDAR."""

from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest
import time_machine

from mdk.db import utcnow
from mdk.extensions import db
from mdk.invites import service
from tests.cases.factories import accept, make_world, refer


@pytest.fixture()
def world(app_ctx):
    return make_world()


def test_show_prints_the_invite_that_would_be_mailed(world, runner):
    conference = world.conference
    with time_machine.travel(utcnow().replace(microsecond=0), tick=False):
        result = runner.invoke(args=["invites", "show", str(conference.id)])
        expected = service.meeting_invite(conference)
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == expected
    assert b"METHOD:REQUEST\r\n" in expected


def test_show_cancel_and_a_cases_slot(world, runner):
    case = refer(world)
    accept(world, case)
    conference = world.conference
    with time_machine.travel(utcnow().replace(microsecond=0), tick=False):
        cancel = runner.invoke(args=["invites", "show", str(conference.id), "--method",
                                     "cancel"])
        slot = runner.invoke(args=["invites", "show", str(conference.id), "--case",
                                   case.number.lower()])
        assert cancel.stdout_bytes == service.meeting_invite(conference, "cancel")
        assert slot.stdout_bytes == service.slot_invite(case, conference)
    event = icalendar.Calendar.from_ical(slot.stdout_bytes).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == f"nMDK analcancer – ärende {case.number}"


@pytest.mark.parametrize(("args", "message"), [
    (["invites", "show", "999999"], "no meeting with the id 999999"),
    (["invites", "show", "{id}", "--case", "AC-1999-0001"], "no case with the number"),
    (["invites", "show", "{id}", "--method", "later"], "Invalid value for '--method'"),
    (["invites", "show", "0"], "Invalid value for 'MEETING_ID'"),
])
def test_show_refuses_what_it_cannot_show(world, runner, args, message):
    args = [arg.replace("{id}", str(world.conference.id)) for arg in args]
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert message in result.output


def test_show_a_request_for_a_cancelled_meeting_is_refused(world, runner):
    world.conference.status = "cancelled"
    db.session.commit()
    result = runner.invoke(args=["invites", "show", str(world.conference.id), "--method",
                                 "request"])
    assert result.exit_code == 1
    assert "the meeting is cancelled" in result.output


def test_export_writes_the_areas_meetings_to_a_file(world, runner, tmp_path):
    first = world.conference.day
    last = world.later_conference.day
    world.later_conference.status = "cancelled"
    db.session.commit()
    out = tmp_path / "analcancer.ics"
    result = runner.invoke(args=["calendar", "export", "--area", "analcancer", "--from",
                                 first.isoformat(), "--to", last.isoformat(), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "wrote 2 meeting(s)" in result.output
    events = icalendar.Calendar.from_ical(out.read_bytes()).walk("VEVENT")
    assert [(str(e["UID"]), str(e["STATUS"])) for e in events] == [
        (service.meeting_uid(world.conference), "CONFIRMED"),
        (service.meeting_uid(world.later_conference), "CANCELLED")]
    assert b"METHOD:" not in out.read_bytes()


def test_export_to_standard_output_holds_only_the_range(world, runner):
    day = world.conference.day
    result = runner.invoke(args=["calendar", "export", "--area", "analcancer", "--from",
                                 day.isoformat(), "--to", day.isoformat()])
    assert result.exit_code == 0
    assert result.stdout_bytes.count(b"BEGIN:VEVENT") == 1
    assert service.meeting_uid(world.conference).encode() in result.stdout_bytes


@pytest.mark.parametrize(("args", "message"), [
    (["--area", "nosuch", "--from", "2026-01-01", "--to", "2026-01-31"], "no care area"),
    (["--area", "analcancer", "--from", "2026-02-01", "--to", "2026-01-31"],
     "must not be before --from"),
    (["--area", "analcancer", "--from", "2026-02-30", "--to", "2026-03-01"],
     "Invalid value for '--from'"),
])
def test_export_refuses_bad_options(app_ctx, runner, args, message):
    result = runner.invoke(args=["calendar", "export", *args])
    assert result.exit_code == 2
    assert message in result.output


def test_export_of_an_empty_range_is_an_empty_calendar(app_ctx, runner):
    day = (utcnow() + timedelta(days=3000)).date()
    result = runner.invoke(args=["calendar", "export", "--area", "analcancer", "--from",
                                 day.isoformat(), "--to", day.isoformat()])
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(b"BEGIN:VCALENDAR\r\n")
    assert b"BEGIN:VEVENT" not in result.stdout_bytes
