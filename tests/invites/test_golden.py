"""Golden files: an invite, an update, a cancel, a slot invite and its cancel, and the
VTIMEZONE, byte for byte (DTSTAMP frozen; icalendar writes properties in a fixed order).

After a deliberate change: MDK_UPDATE_GOLDEN=1 pytest tests/invites/test_golden.py, then
read the diff of tests/invites/golden/ before committing it.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

from mdk.invites import service
from mdk.invites.ical import VTIMEZONE_FILE
from tests.invites.helpers import ATTENDEES, FROZEN, SU, case, meeting

GOLDEN = Path(__file__).with_name("golden")


def _check(name: str, produced: bytes) -> None:
    path = GOLDEN / name
    if os.environ.get("MDK_UPDATE_GOLDEN"):
        path.write_bytes(produced)
    assert produced == path.read_bytes(), f"{name} differs from its golden file"


def _vtimezone(calendar: bytes) -> bytes:
    start = calendar.index(b"BEGIN:VTIMEZONE\r\n")
    end = calendar.index(b"END:VTIMEZONE\r\n") + len(b"END:VTIMEZONE\r\n")
    return calendar[start:end]


@pytest.fixture()
def frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


def test_a_new_meeting_invite_matches_its_golden_file(app_ctx, frozen):
    _check("invite.ics", service.meeting_invite(meeting(), "request", attendees=ATTENDEES))


def test_an_update_matches_its_golden_file(app_ctx, frozen):
    """Moved a day and hosted by another unit: SEQUENCE 1, the same UID and ORGANIZER."""
    moved = meeting(datetime(2026, 12, 9, 7, 0, tzinfo=UTC), host=SU, sequence=1)
    _check("update.ics", service.meeting_invite(moved, "request", attendees=ATTENDEES))


def test_a_cancel_matches_its_golden_file(app_ctx, frozen):
    cancelled = meeting(datetime(2026, 12, 9, 7, 0, tzinfo=UTC), host=SU, sequence=2,
                        status="cancelled")
    _check("cancel.ics", service.meeting_invite(cancelled, attendees=ATTENDEES))


def test_a_slot_invite_matches_its_golden_file(app_ctx, frozen):
    conference = meeting()
    slot = service.slot_invite(case(conference), conference, "request",
                               starts_at=datetime(2026, 12, 8, 7, 20, tzinfo=UTC),
                               ends_at=datetime(2026, 12, 8, 7, 30, tzinfo=UTC))
    _check("slot_invite.ics", slot)


def test_a_slot_cancel_matches_its_golden_file(app_ctx, frozen):
    conference = meeting()
    slot = service.slot_invite(case(conference), conference, "cancel",
                               starts_at=datetime(2026, 12, 8, 7, 20, tzinfo=UTC),
                               ends_at=datetime(2026, 12, 8, 7, 30, tzinfo=UTC))
    _check("slot_cancel.ics", slot)


def test_every_object_carries_the_golden_vtimezone(app_ctx, frozen):
    golden = (GOLDEN / "vtimezone.ics").read_bytes()
    conference = meeting()
    for calendar in (service.meeting_invite(conference, attendees=ATTENDEES),
                     service.meeting_invite(conference, "cancel", attendees=ATTENDEES),
                     service.slot_invite(case(conference), conference)):
        assert _vtimezone(calendar) == golden
        assert calendar.count(b"BEGIN:VTIMEZONE") == 1


def test_the_vtimezone_is_the_shipped_file_with_one_yearly_rule_each():
    golden = (GOLDEN / "vtimezone.ics").read_bytes()
    assert golden == VTIMEZONE_FILE.read_bytes().replace(b"\n", b"\r\n")
    text = golden.decode()
    assert "RDATE" not in text
    assert text.count("RRULE:") == 2
    assert ("BEGIN:DAYLIGHT\r\nDTSTART:19810329T020000\r\nTZOFFSETFROM:+0100\r\n"
            "TZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nTZNAME:CEST\r\n") in text
    assert ("BEGIN:STANDARD\r\nDTSTART:19961027T030000\r\nTZOFFSETFROM:+0200\r\n"
            "TZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nTZNAME:CET\r\n") in text


def test_the_same_meeting_gives_the_same_bytes(app_ctx, frozen):
    first = service.meeting_invite(meeting(), attendees=ATTENDEES)
    assert service.meeting_invite(meeting(), attendees=ATTENDEES) == first
