"""The conference day: who opens the shared screen, the patient shown only where the
identity rule allows (and the read audited), attendance from the invite answers and
corrected on the day, the quorum and a case's own need, listed-not-discussed, the meeting
becoming held and closed, and a view whose statement count does not grow with its cases."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from sqlalchemy import select

from mdk.audit.models import AuditEvent
from mdk.cases.models import Case, CaseTransition
from mdk.conference_day.models import Attendance
from mdk.conferences import lifecycle
from mdk.conferences.models import Conference
from mdk.extensions import db
from mdk.outbox.models import OutboxMessage
from scheduler.registry import JOBS
from tests.agenda.factories import many_on_agenda, on_agenda
from tests.cases.factories import NUMBERS
from tests.conference_day.factories import answered, mdt_member, start
from tests.mail_guard import findings_in, known_patients

QUORUM = ("oncologist", "surgeon", "radiologist", "nuclear_medicine_physician",
          "coordinator", "contact_nurse")


def _url(world, tail: str = "") -> str:
    return f"/conferences/{world.conference.id}/conference{tail}"


def _attendance_url(world, tail: str = "") -> str:
    return f"/conferences/{world.conference.id}/attendance{tail}"


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _started_with_cases(world, count: int = 2) -> list[Case]:
    cases = [on_agenda(world, index, days_ago=count - index) for index in range(count)]
    start(world.conference)
    return cases


def _full_quorum(world) -> dict[str, object]:
    """One MDT member per quorum competence at the host, each accepted the invite."""
    made = {key: mdt_member(world.nhv[0], key) for key in QUORUM}
    for person in made.values():
        answered(world.conference, person, "ACCEPTED")
    return made


def test_the_chair_and_the_coordinators_open_the_view_others_do_not(app, world, browser):
    with app.app_context():
        _started_with_cases(world, 1)
        conference = db.session.get(Conference, world.conference.id)
        conference.chair_person_id = world.people["member"].id
        db.session.commit()
    for who, status in (("coordinator", 200), ("other_coordinator", 200), ("member", 200),
                        ("host_member", 403), ("reviewer", 403), ("referrer", 403),
                        ("crs_coordinator", 404)):
        assert browser(world.people[who]).get(_url(world)).status_code == status, who
    assert browser(world.people["member"]).get(_attendance_url(world)).status_code == 403


def test_the_patient_is_shown_only_per_the_identity_rule_and_the_read_is_audited(
        app, world, browser):
    with app.app_context():
        case = _started_with_cases(world, 1)[0]
        case_id, patient_id = case.id, case.patient_id
        conference = db.session.get(Conference, world.conference.id)
        conference.chair_person_id = world.people["member"].id  # at a unit not the case's
        db.session.commit()
    coordinator = _text(browser(world.people["coordinator"]).get(_url(world)))
    assert "Nummer0" in coordinator and 'id="current-case"' in coordinator
    chair = _text(browser(world.people["member"]).get(_url(world)))
    assert 'id="current-case"' in chair
    assert "Nummer0" not in chair and NUMBERS[0][:8] not in chair
    assert "Visas inte för din enhet" in chair
    with app.app_context():
        readers = set(db.session.scalars(select(AuditEvent.actor_id).where(
            AuditEvent.action == "case.read", AuditEvent.object_id == case_id,
            AuditEvent.patient_id == patient_id)))
    assert {world.people["coordinator"].id, world.people["member"].id} <= readers


def test_one_case_at_a_time_with_links_to_the_next_and_the_overview(app, world, browser):
    with app.app_context():
        numbers = [case.number for case in _started_with_cases(world, 3)]
    client = browser(world.people["coordinator"])
    first = _text(client.get(_url(world)))
    shown = re.search(r'id="current-case" data-case-number="([^"]+)"', first)[1]
    assert 'rel="next"' in first and 'rel="prev"' not in first
    assert re.findall(r'data-overview-case="([^"]+)"', first) == [shown] + [
        number for number in re.findall(r'data-overview-case="([^"]+)"', first)[1:]]
    assert sorted(re.findall(r'data-overview-case="([^"]+)"', first)) == sorted(numbers)
    assert "js/conference-day.js" in first and "data-case-timer" in first
    with app.app_context():
        shown_id = db.session.scalar(select(Case.id).where(Case.number == shown))
    assert f'href="/cases/{shown_id}/protocol"' in first  # the case's protocol, one click
    last = _text(client.get(_url(world, "?case=3")))
    assert 'rel="prev"' in last and 'rel="next"' not in last and "Ärende 3 av 3" in last
    assert "Ärende 1 av 3" in _text(client.get(_url(world, "?case=99")))


def test_opening_the_view_at_the_start_marks_the_meeting_held(app, world, browser):
    with app.app_context():
        _started_with_cases(world, 1)
    client = browser(world.people["coordinator"])
    page = _text(client.get(_url(world)))
    # Held from its start; while it goes on the people in it read "in progress".
    assert re.search(r'id="meeting-status">([^<]*)<', page)[1] == "Pågående"
    with app.app_context():
        assert db.session.get(Conference, world.conference.id).status == "held"
        start(world.conference, minutes_ago=120, status="held")  # ended 30 minutes ago
    page = _text(client.get(_url(world)))
    assert re.search(r'id="meeting-status">([^<]*)<', page)[1] == "Genomfört"


def test_attendance_is_prefilled_from_the_invite_answers(app, world, browser):
    with app.app_context():
        _started_with_cases(world, 1)
        yes = mdt_member(world.nhv[0], "oncologist")
        no = mdt_member(world.nhv[1], "surgeon")
        silent = mdt_member(world.nhv[2], "radiologist")
        outsider = mdt_member(world.referring, "oncologist")  # not an NHV unit's MDT
        answered(world.conference, yes, "ACCEPTED")
        answered(world.conference, no, "DECLINED")
        ids = (yes.id, no.id, silent.id, outsider.id)
    page = browser(world.people["coordinator"]).get(_attendance_url(world))
    assert page.status_code == 200
    with app.app_context():
        rows = {row.person_id: row for row in db.session.scalars(
            select(Attendance).where(Attendance.conference_id == world.conference.id))}
    assert rows[ids[0]].present and rows[ids[0]].competence == "oncologist"
    assert not rows[ids[0]].remote  # at the host unit
    assert not rows[ids[1]].present and rows[ids[1]].remote
    assert not rows[ids[2]].present and ids[3] not in rows
    assert {row.source for row in rows.values()} == {"rsvp"}
    browser(world.people["coordinator"]).get(_attendance_url(world))  # again: no duplicates
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Attendance.id)).where(
            Attendance.conference_id == world.conference.id)) == len(rows)


def test_attendance_is_listed_in_the_areas_mdt_order_not_by_the_competence_keys(
        app, world, browser):
    with app.app_context():
        _started_with_cases(world, 1)
        made = [mdt_member(world.nhv[0], key) for key in
                ("contact_nurse", "pathologist", "surgeon", "oncologist")]
        ids = {person.id: person.competences[0].competence for person in made}
    page = _text(browser(world.people["coordinator"]).get(_attendance_url(world)))
    with app.app_context():
        person_of = dict(db.session.execute(
            select(Attendance.id, Attendance.person_id)
            .where(Attendance.conference_id == world.conference.id)).all())
    listed = [ids[person_of[int(row)]] for row in re.findall(r'id="attendance-(\d+)"', page)
              if person_of[int(row)] in ids]
    # The quorum in the area file's order, who joins when needed after it.
    assert listed == ["oncologist", "surgeon", "contact_nurse", "pathologist"]


def test_attendance_is_corrected_on_the_day_and_a_person_added(app, world, browser):
    with app.app_context():
        _started_with_cases(world, 1)
        late = mdt_member(world.nhv[1], "surgeon")
        guest = mdt_member(world.nhv[2], "dietitian")
        late_id, guest_id = late.id, guest.id
    client = browser(world.people["coordinator"])
    client.get(_attendance_url(world))
    with app.app_context():
        row_id = db.session.scalar(select(Attendance.id).where(
            Attendance.person_id == late_id))
    assert client.post(_attendance_url(world), data={
        "attendance_id": str(row_id), "present": "1"}).status_code == 302
    refused = client.post(_attendance_url(world, "/add"), data={
        "person_id": str(guest_id), "competence": "oncologist"})
    assert refused.status_code == 422
    assert 'id="competence-error"' in _text(refused)
    assert client.post(_attendance_url(world, "/add"), data={
        "person_id": str(guest_id), "competence": "dietitian", "remote": "1"}
    ).status_code == 302
    with app.app_context():
        late_row = db.session.get(Attendance, row_id)
        assert late_row.present and not late_row.remote and late_row.source == "day"
        assert late_row.noted_by == world.people["coordinator"].id
        guest_row = db.session.scalar(select(Attendance).where(
            Attendance.person_id == guest_id))
        assert guest_row.present and guest_row.remote and guest_row.source == "day"
        assert db.session.scalar(select(AuditEvent.id).where(
            AuditEvent.action == "attendance.update").limit(1)) is not None
    page = _text(client.get(_attendance_url(world)))
    assert "på dagen" in page


def test_only_staff_of_the_areas_nhv_units_are_added_to_the_attendance(app, world, browser):
    """The select offers the area's NHV units' staff; a forged form naming a referring
    unit's surgeon is refused (they would count for the quorum and stand in the protocol's
    participants)."""
    from mdk.people.models import PersonCompetence

    with app.app_context():
        _started_with_cases(world, 1)
        for who in ("referrer", "other_referrer"):
            db.session.add(PersonCompetence(person_id=world.people[who].id,
                                            competence="surgeon"))
        db.session.commit()
    client = browser(world.people["coordinator"])
    client.get(_attendance_url(world))
    for who in ("referrer", "other_referrer"):
        refused = client.post(_attendance_url(world, "/add"), data={
            "person_id": str(world.people[who].id), "competence": "surgeon"})
        assert refused.status_code == 422, who
        assert 'id="person_id-error"' in _text(refused), who
    with app.app_context():
        assert db.session.scalar(select(Attendance.id).where(Attendance.person_id.in_(
            [world.people["referrer"].id, world.people["other_referrer"].id]))) is None


def test_a_held_meeting_without_cases_closes_once_it_has_ended(app_ctx, world):
    conference = db.session.get(Conference, world.conference.id)
    start(conference, minutes_ago=100)  # 90 minutes long: it ended ten minutes ago
    conference = db.session.get(Conference, world.conference.id)
    assert lifecycle.start_due_meetings() == 1 and conference.status == "held"
    assert lifecycle.close_finished_meetings(now=conference.ends_at - timedelta(minutes=1)) \
        == 0
    assert lifecycle.close_finished_meetings() == 1 and conference.status == "closed"
    assert lifecycle.close_finished_meetings() == 0


def test_the_quorum_names_what_is_missing_and_is_green_when_complete(app, world, browser):
    with app.app_context():
        _started_with_cases(world, 1)
        made = _full_quorum(world)
        nurse_id = made["contact_nurse"].id
        answered_row = db.session.scalar(select(db.func.count()).select_from(Attendance))
        assert answered_row == 0
    client = browser(world.people["coordinator"])
    complete = _text(client.get(_url(world)))
    assert "quorum-ok" in complete and "Kvorum: komplett" in complete
    with app.app_context():
        row_id = db.session.scalar(select(Attendance.id).where(
            Attendance.person_id == nurse_id))
    client.post(_attendance_url(world), data={"attendance_id": str(row_id)})  # absent
    missing = _text(client.get(_url(world)))
    assert "quorum-missing" in missing
    assert re.search(r'id="quorum-missing">([^<]*)<', missing)[1] == "Kontaktsjuksköterska"


def test_a_case_needing_a_pathologist_says_whether_one_is_present(app, world, browser):
    with app.app_context():
        _started_with_cases(world, 1)  # its PAD is reviewed by a pathologist at the host
    client = browser(world.people["coordinator"])
    page = _text(client.get(_url(world)))
    assert 'id="need-note"' in page and "Patolog" in page
    with app.app_context():
        pathologist = mdt_member(world.nhv[0], "pathologist")
        answered(world.conference, pathologist, "ACCEPTED")
    page = _text(client.get(_url(world)))
    assert 'id="need-note"' not in page and "need-covered" in page


def test_listed_not_discussed_needs_a_reason_then_moves_the_case_and_tells_the_referrer(
        app, world, browser):
    with app.app_context():
        case = _started_with_cases(world, 1)[0]
        case_id = case.id
    client = browser(world.people["coordinator"])
    refused = client.post(_url(world, "/not-discussed"), data={"case_id": str(case_id),
                                                                "reason": " "})
    assert refused.status_code == 422 and 'id="reason-error"' in _text(refused)
    done = client.post(_url(world, "/not-discussed"), data={
        "case_id": str(case_id), "reason": "Tiden räckte inte till."})
    assert done.status_code == 302
    with app.app_context():
        moved = db.session.get(Case, case_id)
        assert moved.conference_id == world.later_conference.id
        assert moved.state == "deferred" and moved.state_reason == "Tiden räckte inte till."
        step = db.session.scalars(select(CaseTransition).where(
            CaseTransition.case_id == case_id).order_by(CaseTransition.id.desc())).first()
        assert step.action == "not_discussed" and step.reason == "Tiden räckte inte till."
        assert db.session.scalar(select(AuditEvent.id).where(
            AuditEvent.action == "case.not_discussed", AuditEvent.object_id == case_id))
        mails = db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "case.deferred", OutboxMessage.case_id == case_id)).all()
        assert world.people["referrer"].email in {mail.recipient_email for mail in mails}
        known = known_patients(db.session)
        for mail in mails:
            for text in (mail.subject, mail.body_text, mail.body_html):
                assert findings_in(text or "", known) == []
                assert "Tiden räckte inte" not in (text or "")
        # the last case left the held meeting: it closes
        assert db.session.get(Conference, world.conference.id).status == "closed"


def test_meetings_become_held_at_their_start_once_and_closed_when_done(app_ctx, world):
    on_agenda(world, 0)
    conference = db.session.get(Conference, world.conference.id)
    conference.status = "agenda_locked"
    db.session.commit()
    before = conference.starts_at - timedelta(minutes=1)
    assert lifecycle.start_due_meetings(now=before) == 0
    assert conference.status == "agenda_locked"
    at_start = conference.starts_at + timedelta(seconds=1)
    assert lifecycle.start_due_meetings(now=at_start) == 1
    assert conference.status == "held"
    assert lifecycle.start_due_meetings(now=at_start) == 0  # idempotent
    assert not lifecycle.close_if_done(conference)  # its case still waits
    case = db.session.scalar(select(Case).where(Case.conference_id == conference.id))
    case.state = "reported"
    assert lifecycle.close_if_done(conference) and conference.status == "closed"
    assert lifecycle.start_due_meetings(now=at_start) == 0
    assert "start-meetings" in {job.id for job in JOBS}


def test_the_view_runs_the_same_statements_at_5_and_at_30_cases(
        app, world, browser, statement_counter):
    client = browser(world.people["coordinator"])

    def statements() -> tuple[int, int]:
        client.get(_url(world))  # the first opening adds the attendance: not counted
        with statement_counter() as counted:
            response = client.get(_url(world, "?case=2"))
            assert response.status_code == 200
        return counted.count, len(re.findall(r'data-overview-case="', _text(response)))

    with app.app_context():
        _full_quorum(world)
        many_on_agenda(world, world.conference, 5, seed=81)
        start(world.conference)
    five = statements()
    with app.app_context():
        many_on_agenda(world, world.conference, 25, seed=82)
    thirty = statements()
    assert five[1] == 5 and thirty[1] == 30
    assert five[0] == thirty[0]


def test_bad_input_is_named_at_its_field_never_a_500(app, world, browser):
    with app.app_context():
        case_id = _started_with_cases(world, 1)[0].id
    client = browser(world.people["coordinator"])
    client.get(_attendance_url(world))
    for data, field in (({"attendance_id": "99999999999"}, "attendance_id"),
                        ({"attendance_id": "1\x00"}, "attendance_id"),
                        ({"person_id": "2147483648", "competence": "surgeon"}, "person_id"),
                        ({"person_id": str(world.people["member"].id),
                          "competence": "x\x00"}, "competence")):
        tail = "" if "attendance_id" in data else "/add"
        response = client.post(_attendance_url(world, tail), data=data)
        assert response.status_code == 422, (data, response.status_code)
        page = _text(response)
        assert 'id="attendance-error"' in page
        assert tail == "" or f'id="{field}-error"' in page
    for data in ({"case_id": "99999999999", "reason": "x"},
                 {"case_id": str(case_id), "reason": "a\x00b"},
                 {"case_id": str(case_id), "reason": "x", "conference_id": "2147483648"}):
        response = client.post(_url(world, "/not-discussed"), data=data)
        assert response.status_code in (409, 422), (data, response.status_code)
        assert 'id="conference-error"' in _text(response)
