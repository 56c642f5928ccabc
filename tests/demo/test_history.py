"""`mdk demo load`'s past meetings: held with their attendance, protocols signed, care plans
established, reports acknowledged, opened, unread and exactly one overdue; a story in time
order, as the services tell it (each step was run with the clock set to its time)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import pytest
from sqlalchemy import select

from mdk.care_areas.service import care_areas
from mdk.care_plans.models import CarePlan
from mdk.conference_day.attendance import attendance_of
from mdk.conference_day.service import quorum_of
from mdk.conferences.models import Conference
from mdk.db import utcnow
from mdk.extensions import db
from mdk.outbox.models import OutboxMessage
from mdk.protocols import service as protocols
from mdk.protocols.models import Protocol
from mdk.reports import service as reports
from mdk.reports.models import Report
from tests.support import demo_output, log_in

# The session's demo database (tests/conftest.py demo_app), filled by one `mdk demo load`.
pytestmark = pytest.mark.demo_data


def _state(report: Report, today) -> str:
    if report.acknowledged_at is not None:
        return "acknowledged"
    if report.remind_on <= today:
        return "overdue"
    return "opened" if report.first_opened_at is not None else "unread"


def _held() -> list[Conference]:
    return list(db.session.scalars(
        select(Conference).where(Conference.id.in_(select(Report.conference_id)))
        .order_by(Conference.starts_at)))


def test_past_meetings_held_with_quorum_and_signed_protocols_established_plans(app):
    output = "\n".join(demo_output(app))
    assert "demo past meetings held: 5, reports issued: 9" in output
    with app.app_context():
        meetings = _held()
        assert Counter(meeting.care_area for meeting in meetings) == {"analcancer": 3,
                                                                      "crs_hipec": 2}
        pathologists = []
        for meeting in meetings:
            assert meeting.status == "closed" and meeting.ends_at < utcnow()
            rows = attendance_of(meeting)
            present = {row.competence for row in rows if row.present}
            area = care_areas()[meeting.care_area]
            assert quorum_of(area, present).complete, (meeting.id, meeting.starts_at)
            assert any(row.present and not row.remote for row in rows)
            assert meeting.chair_person_id is not None
            pathologists.append("pathologist" in present)
        assert pathologists.count(False) == 1
        assert any(row.remote and row.present for meeting in meetings
                   for row in attendance_of(meeting))
        # Their protocols signed at the meeting by its chair, care plans established, reported.
        signed = db.session.scalars(select(Protocol).where(Protocol.state == "signed")).all()
        assert len(signed) == 9
        for protocol in signed:
            case, meeting = protocol.case, protocol.conference
            assert protocols.is_intact(case, protocol)
            assert protocol.signed_by == meeting.chair_person_id
            assert meeting.starts_at <= protocol.signed_at <= meeting.ends_at
            assert protocol.values["recommendation"] and protocol.values["treatment"]
            assert protocol.values["participants"]  # from the attendance
        plans = db.session.scalars(select(CarePlan)).all()
        assert len(plans) == 9 and all(plan.state == "established" for plan in plans)
        for report in db.session.scalars(select(Report)):
            assert report.case.state == "reported" and reports.is_intact(report)
            assert report.protocol.signed_at <= report.care_plan.established_at \
                <= report.issued_at
        # One case listed at a meeting, not discussed, and discussed at the next.
        moved = [transition for report in db.session.scalars(select(Report))
                 for transition in report.case.transitions
                 if transition.action == "not_discussed"]
        assert len(moved) == 1 and moved[0].case.conference_id == moved[0].conference_id

def test_reports_are_acknowledged_opened_unread_and_exactly_one_overdue(app):
    with app.app_context():
        today = datetime.now(app.config["MDK"].tz).date()
        found = db.session.scalars(select(Report).order_by(Report.id)).all()
        states = Counter(_state(report, today) for report in found)
        assert states == {"acknowledged": 4, "opened": 2, "unread": 2, "overdue": 1}
        for report in found:
            assert report.current and report.issued_at < utcnow()
            if report.acknowledged_at is not None:
                assert report.issued_at < report.first_opened_at <= report.acknowledged_at
                assert report.acknowledged_by == report.case.contact_person_id
        overdue = next(report for report in found if _state(report, today) == "overdue")
        assert overdue.reminded_at is not None and overdue.first_opened_at is None
        assert overdue.ack_due_on < today
        reminders = db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "report.reminder")).all()
        assert [mail.case_id for mail in reminders] == [overdue.case_id]
        # Nothing left for the scheduler's job: the demo did what it would have done.
        assert reports.remind_and_escalate(utcnow()) == (0, 0)
        case_id, referrer = overdue.case_id, overdue.case.contact_person
        assert referrer.email == "ingrid.noren@demo.mdk.example"
    browser = app.test_client()
    log_in(browser, referrer)
    page = browser.get(f"/cases/{case_id}/report")
    assert page.status_code == 200, page.headers.get("Location")
    text = page.get_data(as_text=True)
    acknowledged = text[text.index('id="report-acknowledged"'):][:600]
    assert "badge-urgent" in acknowledged and overdue.ack_due_on.isoformat()[:4] in acknowledged

