"""The PROM page and the list of PROMs due as their readers use them: the contact nurse
records a time point from the page, errors shown at their fields (422), the referrer reads
without a form, another unit gets 404; the case page links to it; the due list holds each
reader's share, pages, and runs a constant number of statements however long it is."""

from __future__ import annotations

from sqlalchemy import select

from mdk.audit.models import AuditEvent
from mdk.extensions import db
from mdk.proms import due as due_list
from mdk.proms import recording, service
from mdk.proms.models import PromFollowUp
from tests.agenda.factories import on_agenda
from tests.conference_day.factories import start
from tests.support import count_statements
from tests.treatment.factories import add_treating_staff, recorded, reported_case
from tests.units.factories import field_error


def _url(case) -> str:
    return f"/cases/{case.id}/proms"


def _form(position: int, **changes) -> dict:
    values = {"status": "done", "completed_on": service.today().isoformat(), "score": "",
              "note": "", **changes}
    return {f"p{position}-{name}": value for name, value in values.items()}


def _row(app, case_id: int, position: int) -> PromFollowUp:
    with app.app_context():
        return db.session.scalar(select(PromFollowUp).where(
            PromFollowUp.case_id == case_id, PromFollowUp.position == position))


def test_the_contact_nurse_records_a_time_point_from_the_page(app, chaired, reported,
                                                              browser):
    client = browser(chaired.people["treating_staff"])
    case_page = client.get(f"/cases/{reported.id}").get_data(as_text=True)
    assert f'href="{_url(reported)}"' in case_page and 'id="case-proms-link"' in case_page
    page = client.get(_url(reported))
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "LARS-score" in text
    assert all(f'id="record-prom-{position}"' in text for position in range(1, 5))
    done = client.post(f"{_url(reported)}/2", data=_form(2, score="42,5"))
    assert done.status_code == 303
    saved = _row(app, reported.id, 2)
    assert saved.status == "done" and str(saved.score) == "42.50"
    shown = client.get(_url(reported)).get_data(as_text=True)
    assert "42.50" in shown and 'id="prom-2-state"' in shown
    with app.app_context():
        actions = [event.action for event in db.session.scalars(select(AuditEvent).where(
            AuditEvent.object_id == reported.id, AuditEvent.action.like("prom.%")))]
    assert actions.count("prom.read") == 2 and actions.count("prom.record") == 1


def test_errors_are_shown_at_their_fields(app, chaired, reported, browser):
    client = browser(chaired.people["treating_staff"])
    page = client.post(f"{_url(reported)}/3", data=_form(3, completed_on="2999-01-01",
                                                         score="abc", note="a\x00b"))
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    for field in ("p3-completed_on", "p3-score", "p3-note"):
        assert field_error(text, field), field
    assert _row(app, reported.id, 3).status is None
    assert client.post(f"{_url(reported)}/99", data=_form(99)).status_code == 404


def test_the_days_are_recorded_from_the_page(app, chaired, reported, browser):
    client = browser(chaired.people["coordinator"])
    assert 'id="record-prom-dates"' in client.get(_url(reported)).get_data(as_text=True)
    bad = client.post(f"{_url(reported)}/dates",
                      data={"dates-treatment_ended_on": "2999-01-01"})
    assert bad.status_code == 422
    assert field_error(bad.get_data(as_text=True), "dates-treatment_ended_on")
    today = service.today()
    assert client.post(f"{_url(reported)}/dates", data={
        "dates-treatment_ended_on": today.isoformat()}).status_code == 303
    assert _row(app, reported.id, 2).due_on is not None


def test_the_referrer_reads_without_a_form_and_other_units_get_404(app, chaired, reported,
                                                                  browser):
    referrer = browser(chaired.people["referrer"])
    page = referrer.get(_url(reported))
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="prom-time-points"' in text
    assert 'id="record-prom-1"' not in text
    assert referrer.post(f"{_url(reported)}/1", data=_form(1)).status_code == 403
    member = browser(chaired.people["treating_member"])  # an NHV unit the plan does not name
    assert 'id="record-prom-1"' not in member.get(_url(reported)).get_data(as_text=True)
    assert member.post(f"{_url(reported)}/1", data=_form(1)).status_code == 403
    for who in ("other_referrer", "crs_coordinator"):
        assert browser(chaired.people[who]).get(_url(reported)).status_code == 404
        assert browser(chaired.people[who]).post(f"{_url(reported)}/1",
                                                 data=_form(1)).status_code == 404


def test_the_page_says_when_the_patient_was_not_treated(app, chaired, reported, browser):
    recorded(chaired, reported, outcome="not_treated", started_on=None)
    text = browser(chaired.people["treating_staff"]).get(_url(reported)).get_data(as_text=True)
    assert 'id="proms-not-treated"' in text and 'id="record-prom-1"' not in text


def test_before_the_report_the_page_says_when_the_time_points_come(app, chaired,
                                                                 case_on_meeting, browser):
    page = browser(chaired.people["coordinator"]).get(_url(case_on_meeting))
    assert page.status_code == 200 and 'id="proms-not-yet"' in page.get_data(as_text=True)


def _due_world(chaired, count: int) -> list:
    """`count` cases on the meeting, each reported with its treatment started today: one
    time point each (the baseline) due today."""
    add_treating_staff(chaired)
    cases = [on_agenda(chaired, index) for index in range(count)]
    start(chaired.conference)
    for case in cases:
        reported_case(chaired, case)
        recorded(chaired, case)
    return cases


def test_the_due_list_runs_a_constant_number_of_statements(app, chaired, browser):
    add_treating_staff(chaired)
    cases = [on_agenda(chaired, index) for index in range(4)]
    start(chaired.conference)
    reported_case(chaired, cases[0])
    recorded(chaired, cases[0])
    client = browser(chaired.people["treating_staff"])
    client.get("/proms/due")
    with count_statements(db.engine) as few:
        assert client.get("/proms/due").status_code == 200
    for case in cases[1:]:
        reported_case(chaired, case)
        recorded(chaired, case)
    with count_statements(db.engine) as many:
        page = client.get("/proms/due").get_data(as_text=True)
    assert all(f'{_url(case)}#prom-1' in page for case in cases)
    assert many.count == few.count


def test_the_due_list_is_each_readers_share(app, chaired, browser):
    [case] = _due_world(chaired, 1)
    for who in ("coordinator", "treating_staff"):
        page = browser(chaired.people[who]).get("/proms/due")
        assert page.status_code == 200 and _url(case) in page.get_data(as_text=True), who
    page = browser(chaired.people["treating_member"]).get("/proms/due")
    assert page.status_code == 200 and _url(case) not in page.get_data(as_text=True)
    assert browser(chaired.people["referrer"]).get("/proms/due").status_code == 403
    assert browser(chaired.people["crs_coordinator"]).get(
        "/proms/due").get_data(as_text=True).count(_url(case)) == 0


def test_the_due_list_pages_and_drops_what_is_followed_up(app, chaired):
    cases = _due_world(chaired, 3)
    actor, principal = chaired.actor("coordinator"), chaired.principal("coordinator")
    first = due_list.due(actor, principal, size=2)
    assert (first.total, first.pages, len(first.rows)) == (3, 2, 2)
    second = due_list.due(actor, principal, page=2, size=2)
    assert len(second.rows) == 1
    assert {row.case_id for row, _ in first.rows + second.rows} == {case.id for case in cases}
    assert due_list.due(actor, principal, page=99, size=2).page == 2
    recording.record(chaired.actor("treating_staff"), chaired.principal("treating_staff"),
                   cases[0], 1, {"status": "declined"})
    assert due_list.due(actor, principal).total == 2
    assert [due_list.page_number(value) for value in ("2", "x\x00", "9" * 50, None, "0")] \
        == [2, 1, 1, 1, 1]


def test_points_not_due_within_two_weeks_are_not_listed(app, chaired, reported):
    recorded(chaired, reported)
    recording.record_dates(chaired.actor("treating_staff"), chaired.principal("treating_staff"),
                         reported, {"treatment_ended_on": service.today().isoformat()})
    found = due_list.due(chaired.actor("coordinator"), chaired.principal("coordinator"))
    assert [row.position for row, _ in found.rows] == [1]  # 3 and 12 months away: not yet


def test_saving_the_days_on_the_page_keeps_a_day_the_plan_does_not_count_from(
        app, chaired, reported, browser):
    today = service.today()
    recording.record_dates(chaired.actor("coordinator"), chaired.principal("coordinator"),
                           reported, {"discharged_on": today.isoformat()})
    client = browser(chaired.people["coordinator"])
    page = client.get(_url(reported)).get_data(as_text=True)
    assert 'name="dates-discharged_on"' not in page  # the plan counts from the end only
    assert client.post(f"{_url(reported)}/dates", data={
        "dates-treatment_ended_on": today.isoformat()}).status_code == 303
    with app.app_context():
        schedule = service.schedule_of(db.session.get(type(reported), reported.id))
        assert (schedule.treatment_ended_on, schedule.discharged_on) == (today, today)
