"""A meeting's case list: the participants' page (agenda order, the columns, no patient
identity, one case.read per case, closed to other care areas) and the day-before mail job
(one mail per participant who may open the page, from 13:00 local time the day before,
none for later or cancelled meetings, nothing twice, catching up until the meeting)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from mdk.agenda.service import slot_times_of
from mdk.audit.models import AuditEvent
from mdk.case_lists.service import send_case_lists
from mdk.extensions import db
from mdk.invites.service import meeting_attendees
from mdk.outbox.models import OutboxMessage
from mdk.people.models import PersonCompetence
from tests.agenda.factories import many_on_agenda, on_agenda
from tests.cases.factories import NUMBERS
from tests.reviews.helpers import STOCKHOLM, host_reviewers, meeting_on, tasks_of
from tests.units.factories import make_person


def _url(conference) -> str:
    return f"/conferences/{conference.id}/case-list"


def _rows(page: str) -> list[str]:
    return re.findall(r'data-case-number="([^"]+)"', page)


def _cell(page: str, number: str, name: str) -> str:
    row = re.search(rf'data-case-number="{re.escape(number)}">(.*?)</tr>', page, re.S)[1]
    return re.search(rf'<td class="case-{name}">(.*?)</td>', row, re.S)[1]


def test_a_member_reads_the_cases_in_agenda_order_without_patient_identity(
        app, world, browser):
    with app.app_context():
        host_reviewers(world)  # review tasks are made at the host on acceptance
        first = on_agenda(world, 0, days_ago=4)
        urgent = on_agenda(world, 1, who="other_referrer", days_ago=1, priority="urgent")
        reviewed = tasks_of(first)
        reviewed[0].state, reviewed[0].discrepancy = "done", "major"
        db.session.commit()
        expected = [urgent.number, first.number]
        numbers = {case.id: case.number for case in (first, urgent)}
        agenda_order = [numbers[case_id] for case_id in slot_times_of(world.conference)]
        total = len(reviewed)
        before = db.session.scalar(select(func.count(AuditEvent.id))
                                   .where(AuditEvent.action == "case.read"))
    response = browser(world.people["member"]).get(_url(world.conference))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _rows(page) == agenda_order == expected  # urgent first: the agenda's order
    assert world.referring.short_name in page and world.other_referring.short_name in page
    assert "Kurativ kemoradioterapi? Bedömning av MR och PET-DT önskas." in page
    assert f'href="/cases/{first.id}"' in page  # the case page decides about the identity
    assert _cell(page, first.number, "review").startswith(
        f"pågår (1 av {total} klara)")
    assert "Större avvikelse" in _cell(page, first.number, "review")
    assert _cell(page, urgent.number, "review").startswith("ej påbörjad")
    assert _cell(page, first.number, "material").strip()  # the readiness summary
    assert "Nummer0" not in page and "Nummer1" not in page and "Testpatient" not in page
    assert NUMBERS[0][:8] not in page and NUMBERS[1][:8] not in page
    with app.app_context():
        after = db.session.scalar(select(func.count(AuditEvent.id))
                                  .where(AuditEvent.action == "case.read"))
    assert after - before == 2  # the questions are clinical content: one read per case


def test_who_may_open_the_case_list(app, world, browser):
    with app.app_context():
        on_agenda(world, 0)
    for who, status in (("coordinator", 200), ("member", 200), ("reviewer", 200),
                        ("referrer", 403), ("crs_coordinator", 404), ("nobody", 404)):
        assert browser(world.people[who]).get(_url(world.conference)).status_code == status, who
    assert browser(world.people["member"]).get("/conferences/2147483647/case-list") \
        .status_code == 404


def test_the_meeting_page_links_the_case_list_for_those_who_may_read_it(app, world, browser):
    page = f"/conferences/{world.conference.id}"
    assert _url(world.conference) in browser(world.people["member"]).get(page).text
    assert _url(world.conference) not in browser(world.people["referrer"]).get(page).text


# --- the day-before mail ----------------------------------------------------------------

# Monday 29 March 2027, 08:00 CEST: the day before is the spring-forward Sunday, when 13:00
# local time is 11:00 UTC (12:00 UTC on a winter day).
MEETING_DAY = date(2027, 3, 29)


def _participants(world):
    """MDT members by competence: three with a role in the area (mailed), the CRS/HIPEC
    coordinator and a grantless colleague at the host (invited, but may not open the page)."""
    competences = {"host_member": "oncologist", "member": "surgeon",
                   "coordinator": "coordinator", "crs_coordinator": "radiologist"}
    for who, competence in competences.items():
        db.session.add(PersonCompetence(person_id=world.people[who].id, competence=competence))
    make_person(unit=world.nhv[0], competences=["radiologist"])
    db.session.commit()
    return {world.people[who].id for who in ("host_member", "member", "coordinator")}


def _second_meeting(world, at: time, status: str = "planned"):
    """Another meeting on MEETING_DAY (planned for another day and moved: one a day per
    series)."""
    conference = meeting_on(date(2027, 3, 22), world.nhv[1])
    starts = datetime.combine(MEETING_DAY, at, tzinfo=STOCKHOLM)
    conference.starts_at, conference.ends_at = starts, starts + timedelta(minutes=90)
    conference.status = status
    db.session.commit()
    return conference


def _mails():
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "case_list")
                                   .order_by(OutboxMessage.id)))


def test_the_job_mails_each_participant_once_the_day_before(app, world):
    expected = _participants(world)
    tomorrow = meeting_on(MEETING_DAY, world.nhv[0])
    tomorrow.chair_person_id = world.people["host_member"].id
    many_on_agenda(world, tomorrow, 3, seed=7)
    meeting_on(date(2027, 3, 30), world.nhv[1])  # two days away
    _second_meeting(world, time(10, 0), status="cancelled")

    invited = meeting_attendees([tomorrow])[tomorrow.id]
    assert len(invited) == len(expected) + 2 and invited[0].chair  # two may not read it

    assert send_case_lists(now=datetime(2027, 3, 28, 10, 59, tzinfo=UTC)) == 0
    assert send_case_lists(now=datetime(2027, 3, 28, 11, 0, tzinfo=UTC)) == len(expected)
    mails = _mails()
    assert {mail.recipient_person_id for mail in mails} == expected
    assert {mail.idempotency_key for mail in mails} == {
        f"case-list:{tomorrow.id}:{person_id}:2027-03-29" for person_id in expected}
    link = f"http://localhost/conferences/{tomorrow.id}/case-list"
    for mail in mails:
        assert link in mail.body_text and link in mail.body_html
        assert "3 ärenden" in mail.body_text and "mån 29 mars 2027" in mail.subject
        assert "Kurativ" not in mail.body_text + mail.body_html  # no question text
    # tests/mail_guard.py checks every mail for names and identity numbers after the test

    assert send_case_lists(now=datetime(2027, 3, 28, 11, 15, tzinfo=UTC)) == 0
    assert send_case_lists(now=datetime(2027, 3, 28, 22, 30, tzinfo=UTC)) == 0
    assert len(_mails()) == len(expected)


def test_a_missed_run_catches_up_until_the_meeting_starts(app, world):
    expected = _participants(world)
    started = meeting_on(MEETING_DAY, world.nhv[0])
    later = _second_meeting(world, time(15, 0))
    # the first run since the day before: 10:00 local on the meeting day, 08:00 at the first
    assert started.starts_at < datetime(2027, 3, 29, 8, 0, tzinfo=UTC) < later.starts_at
    assert send_case_lists(now=datetime(2027, 3, 29, 8, 0, tzinfo=UTC)) == len(expected)
    assert {mail.idempotency_key.split(":")[1] for mail in _mails()} == {str(later.id)}
