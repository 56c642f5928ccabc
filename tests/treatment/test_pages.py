"""The treatment page and the waiting list as their readers use them: the form recorded
from the page closes the case, its errors shown at their fields (422), another unit's
referrer gets 404, the case page links to it; the waiting list holds each reader's share
and runs a constant number of statements however many cases it lists."""

from __future__ import annotations

from sqlalchemy import select

from mdk.audit.models import AuditEvent
from mdk.cases.models import Case
from mdk.extensions import db
from mdk.treatment import service
from tests.agenda.factories import on_agenda
from tests.conference_day.factories import start
from tests.support import count_statements
from tests.treatment.factories import add_treating_staff, recorded, reported_case
from tests.units.factories import field_error


def _url(case) -> str:
    return f"/cases/{case.id}/treatment"


def _form(case, **changes) -> dict:
    return {"outcome": "started",
            "started_on": service.local_day(case.conference.starts_at).isoformat(),
            "adherence": "followed", "deviation_reason": "", "note": "", **changes}


def test_the_referrer_records_the_start_from_the_page(app, chaired, reported, browser):
    client = browser(chaired.people["referrer"])
    case_page = client.get(f"/cases/{reported.id}").get_data(as_text=True)
    assert f'href="{_url(reported)}"' in case_page and 'id="case-treatment-link"' in case_page
    page = client.get(_url(reported))
    assert page.status_code == 200 and 'id="record-treatment"' in page.get_data(as_text=True)
    done = client.post(_url(reported), data=_form(reported))
    assert done.status_code == 303
    with app.app_context():
        case = db.session.get(Case, reported.id)
        assert case.state == "closed"
        assert db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "treatment.read", AuditEvent.object_id == case.id))
    shown = client.get(_url(reported)).get_data(as_text=True)
    assert 'id="treatment-adherence"' in shown


def test_errors_are_shown_at_their_fields(app, chaired, reported, browser):
    client = browser(chaired.people["treating_staff"])
    page = client.post(_url(reported), data=_form(reported, started_on="2999-01-01",
                                                  adherence="deviated", note="a\x00b"))
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    for field in ("started_on", "deviation_reason", "note"):
        assert field_error(text, field), field
    with app.app_context():
        assert db.session.get(Case, reported.id).state == "reported"


def test_another_unit_gets_404_and_other_staff_no_form(app, chaired, reported, browser):
    assert browser(chaired.people["other_referrer"]).get(_url(reported)).status_code == 404
    assert browser(chaired.people["other_referrer"]).post(
        _url(reported), data=_form(reported)).status_code == 404
    assert browser(chaired.people["crs_coordinator"]).get(_url(reported)).status_code == 404
    member = browser(chaired.people["treating_member"])  # an NHV unit the plan does not name
    page = member.get(_url(reported))
    assert page.status_code == 200 and 'id="record-treatment"' not in page.get_data(as_text=True)
    assert member.post(_url(reported), data=_form(reported)).status_code == 403


def test_the_waiting_list_runs_a_constant_number_of_statements(app, chaired, browser):
    add_treating_staff(chaired)
    cases = [on_agenda(chaired, index) for index in range(4)]
    start(chaired.conference)
    reported_case(chaired, cases[0])
    client = browser(chaired.people["coordinator"])
    client.get("/treatment/waiting")
    with count_statements(db.engine) as few:
        assert client.get("/treatment/waiting").status_code == 200
    for case in cases[1:]:
        reported_case(chaired, case)
    with count_statements(db.engine) as many:
        page = client.get("/treatment/waiting").get_data(as_text=True)
    assert all(_url(case) in page for case in cases)
    assert many.count == few.count


def test_the_waiting_list_is_each_readers_share(app, chaired, reported, browser):
    for who in ("coordinator", "treating_staff", "referrer"):
        page = browser(chaired.people[who]).get("/treatment/waiting")
        assert page.status_code == 200 and _url(reported) in page.get_data(as_text=True), who
    for who in ("treating_member", "other_referrer", "crs_coordinator"):
        page = browser(chaired.people[who]).get("/treatment/waiting")
        assert page.status_code == 200 and _url(reported) not in page.get_data(as_text=True)
    recorded(chaired, reported)
    page = browser(chaired.people["coordinator"]).get("/treatment/waiting")
    assert _url(reported) not in page.get_data(as_text=True)


def test_before_the_report_the_page_says_when_it_is_recorded(app, chaired, case_on_meeting,
                                                             browser):
    page = browser(chaired.people["referrer"]).get(_url(case_on_meeting))
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="treatment-not-yet"' in text
    assert 'id="record-treatment"' not in text
