"""Who a meeting invites, the export of an area's meetings (recurring-ical-events finds
exactly the planned ones), and no patient identity in any object. On saved rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import icalendar
import pytest
import recurring_ical_events

from mdk.conferences.models import Conference
from mdk.extensions import db
from mdk.invites import service
from mdk.people import service as people
from tests.cases.factories import NUMBERS, accept, make_world, refer
from tests.invites.helpers import DST_STARTS, saved_nhv_units
from tests.units.factories import make_person


@pytest.fixture()
def world(app_ctx):
    return make_world()


def _attendees(conference: Conference) -> dict[str, dict]:
    event = icalendar.Calendar.from_ical(service.meeting_invite(conference)).walk("VEVENT")[0]
    found = event.get("ATTENDEE", [])
    found = found if isinstance(found, list) else [found]
    return {str(item).removeprefix("mailto:"): dict(item.params) for item in found}


def test_the_invite_goes_to_the_mdt_of_every_nhv_unit_with_the_chair_first(world):
    ks, su, sus, _as = world.nhv
    chair = make_person(ks, name="Anna Ordförande", email="anna.ordforande@ks.example.se",
                        competences=["oncologist"])
    radiologist = make_person(su, name="Bo Radiolog", email="bo.radiolog@su.example.se",
                              competences=["radiologist"])
    away = make_person(sus, name="Cecilia Borta", email="cecilia.borta@sus.example.se",
                       competences=["surgeon"])
    people.add_absence(away, world.conference.day, world.conference.day, "Semester")
    make_person(sus, name="Dan Fysioterapeut", email="dan.fysio@sus.example.se",
                competences=["physiotherapist"])  # not in the MDT of the meeting
    make_person(world.referring, name="Eva Remittent", email="eva.remittent@vc.example.se",
                competences=["oncologist"])  # a referring unit's oncologist
    inactive = make_person(su, name="Fia Slutat", email="fia.slutat@su.example.se",
                           competences=["pathologist"])
    people.update_person(inactive, {"active": False})
    world.conference.chair_person_id = chair.id
    db.session.commit()

    attendees = _attendees(world.conference)
    assert list(attendees) == [chair.email, radiologist.email]
    assert attendees[chair.email] == {"CN": "Anna Ordförande", "CUTYPE": "INDIVIDUAL",
                                      "ROLE": "CHAIR", "PARTSTAT": "NEEDS-ACTION",
                                      "RSVP": "TRUE"}
    assert attendees[radiologist.email]["ROLE"] == "REQ-PARTICIPANT"


def test_a_units_own_mdk_invites_only_its_host(app_ctx):
    from mdk.care_areas.service import care_area

    area = care_area("crs_hipec")
    units = saved_nhv_units(area.key)
    host_surgeon = make_person(units[0], name="Gustav Kirurg", email="gustav@crs.example.se",
                               competences=["colorectal_surgeon"])
    make_person(units[1], name="Hanna Kirurg", email="hanna@crs.example.se",
                competences=["colorectal_surgeon"])
    starts = datetime(2027, 2, 1, 13, 0, tzinfo=UTC)
    conference = Conference(care_area=area.key, series_key=area.series[0].key,
                            planned_day=starts.date(), starts_at=starts,
                            ends_at=starts + timedelta(hours=1), host_unit_id=units[0].id,
                            capacity=6, status="planned")
    db.session.add(conference)
    db.session.commit()
    assert list(_attendees(conference)) == [host_surgeon.email]
    assert b"ORGANIZER;CN=\"MDK CRS/HIPEC\":mailto:mdk-crs-hipec@mdk.example.se" in \
        service.meeting_invite(conference)


def _meeting(world, starts_at: datetime, status: str = "planned", series: str = "national"
             ) -> Conference:
    """Two meetings of one series cannot share a day: the change days' edges get a series
    each."""
    conference = Conference(care_area="analcancer", series_key=series,
                            planned_day=starts_at.date(), starts_at=starts_at,
                            ends_at=starts_at + timedelta(minutes=90),
                            host_unit_id=world.nhv[0].id, capacity=9, status=status)
    db.session.add(conference)
    db.session.commit()
    return conference


def test_the_export_holds_exactly_the_planned_meetings_of_the_window(app_ctx):
    world = SimpleNamespace(nhv=saved_nhv_units())  # no other meetings than these
    planned = [_meeting(world, moment, series=f"dst{i}")
               for i, moment in enumerate(DST_STARTS.values())]
    cancelled = _meeting(world, datetime(2026, 6, 2, 6, 0, tzinfo=UTC), status="cancelled")
    _meeting(world, datetime(2027, 1, 5, 7, 0, tzinfo=UTC))  # after the window
    data = service.export_calendar("analcancer", date(2026, 1, 1), date(2026, 12, 31))
    assert b"METHOD:" not in data
    calendar = icalendar.Calendar.from_ical(data)
    events = recurring_ical_events.of(calendar).between(datetime(2026, 1, 1, tzinfo=UTC),
                                                        datetime(2027, 1, 1, tzinfo=UTC))
    confirmed = sorted((str(e["UID"]), e["DTSTART"].dt.astimezone(UTC)) for e in events
                       if str(e["STATUS"]) == "CONFIRMED")
    assert confirmed == sorted((service.meeting_uid(c), c.starts_at) for c in planned)
    assert [str(e["UID"]) for e in events if str(e["STATUS"]) == "CANCELLED"] == [
        service.meeting_uid(cancelled)]
    assert data.count(b"BEGIN:VTIMEZONE") == 1 and b"RDATE" not in data
    assert calendar["X-WR-CALNAME"] == "nMDK analcancer"


def test_the_export_reads_as_many_statements_for_20_meetings_as_for_2(app_ctx,
                                                                     statement_counter):
    world = SimpleNamespace(nhv=saved_nhv_units())
    for index, unit in enumerate(world.nhv):
        make_person(unit, name=f"MDT {index}", competences=["oncologist", "radiologist"])
    first = datetime(2031, 1, 7, 7, 0, tzinfo=UTC)
    counts = []
    for many in (2, 20):
        for week in range(many):
            _meeting(world, first + timedelta(weeks=week), series=f"bulk{many}")
        with statement_counter() as counted:
            data = service.export_calendar("analcancer", first.date(),
                                           (first + timedelta(weeks=many - 1)).date())
        # the first round's two meetings lie in the second window too
        assert data.count(b"BEGIN:VEVENT") == many + (2 if many == 20 else 0)
        counts.append(len(counted.statements))
    assert counts[0] == counts[1]


def test_no_patient_identity_in_any_object(world):
    case = refer(world, given_name="Testpatient", family_name="Hemligsson")
    accept(world, case)
    db.session.refresh(case)
    case.contact_person_id = world.people["referrer"].id
    world.conference.video_link = "https://video.example.se/m"
    db.session.commit()
    number = NUMBERS[0]
    forbidden = [number, number[2:], f"{number[:8]}-{number[8:]}", f"{number[2:8]}-{number[8:]}",
                 "Hemligsson", "Testpatient"]
    conference = world.conference
    day = conference.day
    objects = [service.meeting_invite(conference), service.meeting_invite(conference, "cancel"),
               service.slot_invite(case), service.slot_invite(case, method="cancel"),
               service.export_calendar("analcancer", day, day)]
    for data in objects:
        text = data.decode("utf-8")
        unfolded = text.replace("\r\n ", "")
        for word in forbidden:
            assert word not in unfolded
    slot = icalendar.Calendar.from_ical(objects[2]).walk("VEVENT")[0]
    assert str(slot["SUMMARY"]) == f"nMDK analcancer – ärende {case.number}"
    assert str(slot["UID"]) == f"mdk-case-{case.id}-conference-{conference.id}@localhost"
    assert str(slot["ATTENDEE"]) == f"mailto:{world.people['referrer'].email}"
    assert str(slot["URL"]) == "https://video.example.se/m"


def test_a_slot_outside_its_meeting_is_refused(world):
    case = refer(world)
    accept(world, case)
    with pytest.raises(service.InviteError):
        service.slot_invite(case, starts_at=world.conference.ends_at)
