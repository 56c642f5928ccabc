"""The invites mailed through the outbox (iTIP over iMIP): the job send-invites, what it
sends to whom and when, and the mails as a real SMTP server receives them."""

from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest
from sqlalchemy import select

from mdk.agenda import service as agenda
from mdk.cases import service as cases
from mdk.conferences.models import Conference
from mdk.config import with_overrides
from mdk.extensions import db
from mdk.invites import sending
from mdk.invites.models import InviteSent
from mdk.outbox.delivery import deliver_due
from mdk.outbox.models import OutboxMessage
from mdk.people import service as people
from tests.cases.factories import NUMBERS, accept, make_world, refer
from tests.units.factories import make_person

ORGANIZER = "mailto:nmdk-analcancer@mdk.example.se"


@pytest.fixture()
def world(app_ctx, app, monkeypatch):
    _window(app, monkeypatch, 1)
    world = make_world()
    ks, su = world.nhv[0], world.nhv[1]
    world.mdt = [
        make_person(ks, name="Anna Onkolog", email="anna.onkolog@ks.example.se",
                    competences=["oncologist"]),
        make_person(su, name="Bo Radiolog", email="bo.radiolog@su.example.se",
                    competences=["radiologist"]),
    ]
    # A window of one week: only the first meeting is in it (keeps the counts small); the
    # later one, a week after it, joins it when a test widens it.
    db.session.commit()
    return world


def _window(app, monkeypatch, weeks: int) -> None:
    monkeypatch.setitem(app.config, "MDK", with_overrides(app.config["MDK"],
                                                          invite_window_weeks=weeks))


def _invites(**where) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.kind.in_(("invite_meeting",
                                                                "invite_slot")))
    for name, value in where.items():
        query = query.where(getattr(OutboxMessage, name) == value)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def _event(message: OutboxMessage) -> icalendar.Event:
    return icalendar.Calendar.from_ical(message.calendar).walk("VEVENT")[0]


def _booked_case(world, index: int = 0):
    case = refer(world, identity_number=NUMBERS[index], family_name=f"Nummer{index}")
    return accept(world, case)


def test_a_meeting_in_the_window_sends_one_request_per_attendee(world):
    result = sending.send_invites()

    mails = _invites(kind="invite_meeting")
    assert sorted(mail.recipient_email for mail in mails) == sorted(
        person.email for person in world.mdt)
    assert result.requests == len(mails) and result.cancels == 0
    for mail in mails:
        event = _event(mail)
        assert mail.calendar_method == "REQUEST"
        assert str(event["UID"]).startswith(f"mdk-conference-{world.conference.id}@")
        assert event["SEQUENCE"] == 0
        assert str(event["ORGANIZER"]) == ORGANIZER
        assert mail.attachments[0]["filename"] == "invite.ics"
        assert mail.subject.startswith("Kallelse: ")


def test_running_the_job_twice_sends_nothing_new(world):
    _booked_case(world)
    first = sending.send_invites()
    second = sending.send_invites()

    assert first.total == len(world.mdt) + 1  # the MDT and the referrer's slot
    assert second.total == 0
    assert len(_invites()) == first.total


def test_a_meeting_beyond_the_window_gets_no_invite_until_it_enters(world, app, monkeypatch):
    _window(app, monkeypatch, 1)
    sending.send_invites()
    assert {mail.case_id for mail in _invites()} == {None}
    assert all(str(_event(mail)["UID"]).startswith(f"mdk-conference-{world.conference.id}@")
               for mail in _invites())

    _window(app, monkeypatch, 3)
    sending.send_invites()
    later = [mail for mail in _invites() if str(_event(mail)["UID"]).startswith(
        f"mdk-conference-{world.later_conference.id}@")]
    assert len(later) == len(world.mdt)


def test_changing_a_meetings_time_sends_one_update_per_attendee_with_sequence_raised(world):
    sending.send_invites()
    world.conference.starts_at += timedelta(hours=1)
    world.conference.ends_at += timedelta(hours=1)
    db.session.commit()

    result = sending.send_invites()

    updates = [mail for mail in _invites(kind="invite_meeting") if _event(mail)["SEQUENCE"] == 1]
    assert result.requests == len(world.mdt) and result.cancels == 0
    assert sorted(mail.recipient_email for mail in updates) == sorted(
        person.email for person in world.mdt)
    assert all(mail.subject.startswith("Ändrat: ") for mail in updates)
    assert sending.send_invites().total == 0


def test_a_host_swap_updates_the_invite_and_leaves_the_organizer(world):
    sending.send_invites()
    world.conference.host_unit_id = world.nhv[1].id
    db.session.commit()
    db.session.expire(world.conference, ["host_unit"])

    sending.send_invites()

    updates = [mail for mail in _invites(kind="invite_meeting") if _event(mail)["SEQUENCE"] == 1]
    assert len(updates) == len(world.mdt)
    for mail in updates:
        event = _event(mail)
        assert str(event["ORGANIZER"]) == ORGANIZER
        assert world.nhv[1].short_name in str(event["SUMMARY"])


def test_a_cancelled_meeting_sends_a_cancel_to_every_invited_and_to_the_slot(world):
    case = _booked_case(world)
    sending.send_invites()
    world.conference.status = "cancelled"
    db.session.commit()

    result = sending.send_invites()

    cancels = _invites(calendar_method="CANCEL")
    assert result.cancels == len(world.mdt) + 1 and result.requests == 0
    assert {mail.recipient_email for mail in cancels} == {
        *(person.email for person in world.mdt), case.contact_person.email}
    for mail in cancels:
        event = _event(mail)
        assert str(event["STATUS"]) == "CANCELLED"
        assert event["SEQUENCE"] == 1
    assert sending.send_invites().total == 0


def test_an_attendee_added_gets_the_request_and_one_no_longer_invited_a_cancel(world):
    sending.send_invites()
    newcomer = make_person(world.nhv[2], name="Cilla Kirurg", email="cilla.kirurg@sus.example.se",
                           competences=["surgeon"])
    leaving = world.mdt[1]
    people.add_absence(leaving, world.conference.day, world.conference.day, "Semester")
    db.session.commit()

    result = sending.send_invites()

    assert (result.requests, result.cancels) == (1, 1)
    request = _invites(recipient_email=newcomer.email)[-1]
    assert request.calendar_method == "REQUEST" and _event(request)["SEQUENCE"] == 0
    cancel = _invites(recipient_email=leaving.email)[-1]
    assert cancel.calendar_method == "CANCEL"
    assert cancel.subject.startswith("Inte längre kallad: ")
    # Back from the absence: a REQUEST above the CANCEL's SEQUENCE.
    db.session.delete(leaving.absences[0])
    db.session.commit()
    sending.send_invites()
    again = _invites(recipient_email=leaving.email)[-1]
    assert again.calendar_method == "REQUEST" and _event(again)["SEQUENCE"] == 2


def test_the_slot_invite_goes_to_the_contact_person_only(world):
    case = _booked_case(world)
    sending.send_invites()

    slots = _invites(kind="invite_slot")
    assert [mail.recipient_email for mail in slots] == [case.contact_person.email]
    event = _event(slots[0])
    assert str(event["UID"]).startswith(f"mdk-case-{case.id}-conference-{world.conference.id}@")
    assert [str(item) for item in _attendee_list(event)] == [
        f"mailto:{case.contact_person.email}"]
    assert case.number in str(event["SUMMARY"])
    assert case.number in slots[0].subject


def _attendee_list(event) -> list:
    found = event.get("ATTENDEE", [])
    return found if isinstance(found, list) else [found]


def test_moving_a_case_sends_one_cancel_for_the_old_slot_and_one_request_for_the_new(
        world, app, monkeypatch):
    _window(app, monkeypatch, 3)
    case = _booked_case(world)
    sending.send_invites()
    before = len(_invites(kind="invite_slot"))
    cases.move_case(world.actor("coordinator"), world.principal("coordinator"), case,
                    "reschedule", {"conference_id": world.later_conference.id})

    result = sending.send_invites()

    new = _invites(kind="invite_slot")[before:]
    assert (result.requests, result.cancels) == (1, 1)
    assert sorted((mail.calendar_method, str(_event(mail)["UID"]).split("@")[0])
                  for mail in new) == [
        ("CANCEL", f"mdk-case-{case.id}-conference-{world.conference.id}"),
        ("REQUEST", f"mdk-case-{case.id}-conference-{world.later_conference.id}")]
    assert all(mail.recipient_email == case.contact_person.email for mail in new)
    assert sending.send_invites().total == 0


def test_a_case_taken_off_the_agenda_gets_a_cancel(world):
    case = _booked_case(world)
    sending.send_invites()
    cases.move_case(world.actor("coordinator"), world.principal("coordinator"), case,
                    "unschedule", {"reason": "Fel möte"})

    result = sending.send_invites()

    assert (result.requests, result.cancels) == (0, 1)
    cancel = _invites(kind="invite_slot")[-1]
    assert cancel.calendar_method == "CANCEL" and _event(cancel)["SEQUENCE"] == 1
    assert cancel.subject.startswith("Inställt: ärende ")


def test_a_reordered_agenda_updates_the_slots_that_moved_with_their_sequence_raised(world, app):
    first = _booked_case(world, 0)
    second = _booked_case(world, 1)
    sending.send_invites()
    times = agenda.slot_times_of(world.conference)
    last = first if times[first.id][0] > times[second.id][0] else second
    db.session.refresh(world.conference)
    agenda.place_case(world.actor("coordinator"), world.principal("coordinator"),
                      world.conference, {"agenda_version": world.conference.agenda_version,
                                         "case_id": last.id, "position": 1})

    result = sending.send_invites()

    assert (result.requests, result.cancels) == (2, 0)
    updated = _invites(kind="invite_slot")[-2:]
    new_times = agenda.slot_times_of(world.conference)
    for mail in updated:
        event = _event(mail)
        assert event["SEQUENCE"] == 1
        case_id = first.id if mail.case_id == first.id else second.id
        assert event.decoded("DTSTART") == new_times[case_id][0]
    assert new_times[last.id][0] == world.conference.starts_at
    # `mdk invites show --case` prints the slot as it was mailed: its time, its SEQUENCE.
    shown = icalendar.Calendar.from_ical(app.test_cli_runner().invoke(args=[
        "invites", "show", str(world.conference.id), "--case", last.number]).stdout_bytes)
    event = shown.walk("VEVENT")[0]
    assert event["SEQUENCE"] == 1
    assert event.decoded("DTSTART") == world.conference.starts_at


def test_a_person_who_chose_english_gets_the_invite_in_english(world):
    person = world.mdt[0]
    person.locale = "en"
    db.session.commit()

    sending.send_invites()

    mail = _invites(recipient_email=person.email)[0]
    assert mail.subject.startswith("Invitation: ")
    assert "Please answer in your calendar." in mail.body_text


def test_what_was_sent_is_recorded_per_event_and_attendee(world):
    sending.send_invites()

    rows = db.session.scalars(select(InviteSent)).all()
    assert sorted(row.attendee_email for row in rows) == sorted(p.email for p in world.mdt)
    assert {(row.method, row.sequence, row.conference_id) for row in rows} == {
        ("REQUEST", 0, world.conference.id)}


def test_invites_arrive_as_imip_mail_at_a_real_smtp_server(world, app, delivering,
                                                            mail_server):
    case = _booked_case(world)
    sending.send_invites()

    deliver_due()

    received = [message for message in mail_server.messages
                if message.get_content_type() == "multipart/mixed"]
    assert len(received) == len(world.mdt) + 1
    patient = case.patient
    for message in received:
        alternative, attachment = message.get_payload()
        assert alternative.get_content_type() == "multipart/alternative"
        plain, html, calendar = alternative.get_payload()
        assert (plain.get_content_type(), html.get_content_type(),
                calendar.get_content_type()) == ("text/plain", "text/html", "text/calendar")
        assert calendar.get_param("method") == "REQUEST"
        assert calendar.get_param("charset").upper() == "UTF-8"
        assert attachment.get_filename() == "invite.ics"
        assert attachment.get_content_type() == "application/ics"
        inline = icalendar.Calendar.from_ical(calendar.get_content())
        attached = icalendar.Calendar.from_ical(attachment.get_content())
        assert inline.to_ical() == attached.to_ical()
        assert str(inline["METHOD"]) == "REQUEST"
        raw = message.as_string()
        for secret in (patient.family_name, patient.identity_value):
            assert secret not in raw
        assert message["From"] == "nMDK analcancer <nmdk-analcancer@mdk.example.se>"
        assert message["Sender"] == app.config["MDK"].smtp_from
        assert message["Reply-To"] == "nmdk-analcancer@mdk.example.se"
    slot = next(message for message in received if message["To"] == case.contact_person.email)
    assert case.number in slot["Subject"]


def test_the_job_is_in_the_schedule():
    from scheduler.registry import JOBS

    job = next(job for job in JOBS if job.id == "send-invites")
    assert job.trigger == "interval"


def test_conferences_of_the_past_are_left_alone(world):
    sending.send_invites()
    past = db.session.get(Conference, world.conference.id)
    past.starts_at -= timedelta(days=30)
    past.ends_at -= timedelta(days=30)
    past.status = "held"
    db.session.commit()

    assert sending.send_invites().total == 0


def test_a_deferred_case_cancels_its_slot_and_is_invited_to_the_new_meeting(
        world, app, monkeypatch):
    _window(app, monkeypatch, 3)
    case = _booked_case(world)
    sending.send_invites()
    before = len(_invites(kind="invite_slot"))
    cases.move_case(world.actor("coordinator"), world.principal("coordinator"), case,
                    "defer", {"conference_id": world.later_conference.id,
                              "reason": "PET-DT saknas"})

    sending.send_invites()

    new = _invites(kind="invite_slot")[before:]
    assert sorted((mail.calendar_method, mail.recipient_email) for mail in new) == [
        ("CANCEL", case.contact_person.email), ("REQUEST", case.contact_person.email)]
    body = "".join(mail.body_text + mail.body_html + mail.calendar for mail in new)
    assert "PET-DT saknas" not in body  # a move's reason never leaves the case page


def test_a_withdrawn_case_cancels_its_slot(world):
    case = _booked_case(world)
    sending.send_invites()
    cases.move_case(world.actor("referrer"), world.principal("referrer"), case,
                    "withdraw", {"reason": "Patienten avstår"})

    result = sending.send_invites()

    assert (result.requests, result.cancels) == (0, 1)
    assert _invites(kind="invite_slot")[-1].calendar_method == "CANCEL"


def test_a_new_contact_person_gets_the_slot_and_the_old_one_a_cancel(world):
    case = _booked_case(world)
    sending.send_invites()
    old = case.contact_person
    new = make_person(world.referring, name="Greta Ny", email="greta.ny@vc.example.se")
    case.contact_person_id = new.id
    db.session.commit()
    db.session.expire(case, ["contact_person"])

    result = sending.send_invites()

    assert (result.requests, result.cancels) == (1, 1)
    slots = _invites(kind="invite_slot")[-2:]
    assert sorted((mail.calendar_method, mail.recipient_email) for mail in slots) == [
        ("CANCEL", old.email), ("REQUEST", new.email)]


def test_a_meeting_moved_beyond_the_window_is_still_updated(world):
    sending.send_invites()
    world.conference.starts_at += timedelta(days=30)
    world.conference.ends_at += timedelta(days=30)
    db.session.commit()

    result = sending.send_invites()

    assert (result.requests, result.cancels) == (len(world.mdt), 0)
    assert {_event(mail)["SEQUENCE"] for mail in _invites()[-len(world.mdt):]} == {1}
