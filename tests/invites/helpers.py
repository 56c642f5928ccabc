"""Meetings and cases for the invite tests.

The golden files need the same bytes on every engine and in any test order, so those tests
build unsaved (transient) meetings and cases with fixed ids: the builders read only their
attributes. The tests of who is invited and of SEQUENCE use saved rows (tests.cases.factories).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mdk.cases.models import Case
from mdk.conferences.models import Conference
from mdk.invites.ical import Attendee
from mdk.people.models import Person
from mdk.units.models import Unit

AREA = "analcancer"
MEETING_ID = 4242
CASE_ID = 142
CASE_NUMBER = "AC-2026-0142"
VIDEO = "https://video.example.se/meet/nmdk-analcancer"
FROZEN = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # DTSTAMP of every golden file

KS = Unit(id=1, hsa_id="SE2321000016-AC01", name="Karolinska Universitetssjukhuset, Tema Cancer",
          short_name="KS")
SU = Unit(id=2, hsa_id="SE2321000131-AC02", name="Sahlgrenska Universitetssjukhuset, Onkologi",
          short_name="SU")
ATTENDEES = (
    Attendee("karin.ekstrom@ks.example.se", "Karin Ekström", chair=True),
    Attendee("johan.wallin@su.example.se", "Johan Wallin"),
    Attendee("maria.holmgren@sus.example.se", "Maria Holmgren", partstat="ACCEPTED"),
)

# Both 2026 change days (29 March: 02:00 → 03:00; 25 October: 03:00 → 02:00) and an
# ordinary day, as UTC instants of a meeting's start.
DST_STARTS = {
    "spring-forward 08:00 CEST": datetime(2026, 3, 29, 6, 0, tzinfo=UTC),
    "spring-forward 01:30 CET, before the gap": datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
    "spring-forward 03:30 CEST, after the gap": datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
    "fall-back 08:00 CET": datetime(2026, 10, 25, 7, 0, tzinfo=UTC),
    "fall-back first 02:30 (CEST)": datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
    "fall-back second 02:30 (CET)": datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
    "ordinary Tuesday 08:00 CET": datetime(2026, 12, 8, 7, 0, tzinfo=UTC),
}


def saved_nhv_units(area_key: str = AREA) -> list[Unit]:
    """The area's NHV units as saved rows (found or made), without the rest of a world."""
    from mdk.care_areas.service import care_area
    from tests.cases.factories import _nhv_unit

    return [_nhv_unit(unit.hsa_id, unit.name, unit.short_name)
            for unit in care_area(area_key).nhv_units]


def meeting(starts_at: datetime = datetime(2026, 12, 8, 7, 0, tzinfo=UTC), *,
            host: Unit = KS, sequence: int = 0, status: str = "planned",
            video_link: str | None = VIDEO, meeting_id: int = MEETING_ID,
            minutes: int = 90) -> Conference:
    """An unsaved meeting of the anal cancer series (never added to a session)."""
    conference = Conference(id=meeting_id, care_area=AREA, series_key="national",
                            planned_day=starts_at.date(), starts_at=starts_at,
                            ends_at=starts_at + timedelta(minutes=minutes), capacity=9,
                            status=status, video_link=video_link, ical_sequence=sequence)
    conference.host_unit = host
    conference.host_unit_id = host.id
    return conference


def case(conference: Conference, *, contact: Person | None = None) -> Case:
    """An unsaved case on the meeting, its contact a referring physician."""
    contact = contact or Person(id=77, name="Erik Remissson", email="erik.remissson@vc.example.se")
    return Case(id=CASE_ID, number=CASE_NUMBER, care_area=AREA, conference=conference,
                conference_id=conference.id, contact_person=contact, state="accepted")
