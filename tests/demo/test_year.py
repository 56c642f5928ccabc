"""`mdk demo load --year`: a past year of both areas through the services, so every statistic
has content. The test holds a short year (the oldest meetings of each series): the same code,
a fraction of the time."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from mdk.care_areas.service import care_areas
from mdk.cases.models import Case, CaseTransition
from mdk.conference_day.attendance import attendance_of
from mdk.conference_day.service import quorum_of
from mdk.conferences.models import Conference
from mdk.demo import year
from mdk.demo.service import load_demo
from mdk.extensions import db
from mdk.material.models import ReadinessCheck
from mdk.outbox.models import OutboxMessage
from mdk.proms.models import PromFollowUp
from mdk.reports.models import Report
from mdk.reviews.models import ReviewTask
from mdk.treatment.models import TreatmentOutcome

pytestmark = pytest.mark.demo_data


def test_a_short_demo_year_has_content_for_every_statistic(app, monkeypatch):
    """One load for all the checks (it takes seconds): each check is a function below."""
    monkeypatch.setattr(year, "MEETINGS", 8)
    with app.app_context():
        before = db.session.scalar(select(func.max(Case.id)))
        loaded = (before, load_demo(year=True))
        _every_case_referred_listed_held_reported_and_followed_up(loaded)
        _deferrals_gate_holds_not_discussed_and_discrepancies(loaded)
        _treatment_started_inside_and_outside_the_17_days(loaded)
        _meetings_held_with_attendance_and_their_mail_delivered(loaded)
        _proms_followed_up_per_time_point(loaded)
        _loading_the_year_again_changes_nothing(loaded)


def _year_cases(before: int) -> list[Case]:
    return list(db.session.scalars(select(Case).where(Case.id > before).order_by(Case.id)))


def _every_case_referred_listed_held_reported_and_followed_up(loaded):
    before, lines = loaded
    found = _year_cases(before)
    assert f"demo year cases added: {len(found)}" in lines
    assert len(found) >= 25
    assert {case.care_area for case in found} == {"analcancer", "crs_hipec"}
    assert {case.state for case in found} == {"closed"}  # treatment recorded: closed
    assert all(case.patient.fictitious for case in found)
    # From every referring unit of the demo, not only the demo referrer's.
    assert len({case.referring_unit_id for case in found}) >= 3
    reports = db.session.scalars(select(Report).where(Report.case_id > before)).all()
    assert len({report.case_id for report in reports}) == len(found)
    for report in reports:
        assert report.protocol.state == "signed"
        assert report.protocol.signed_at <= report.issued_at
    # Most acknowledged within their days; some late (or never).
    late = [report for report in reports if report.acknowledged_at is None
            or report.acknowledged_at.date() > report.ack_due_on]
    assert late and len(late) < len(reports) // 2
    assert sum(report.acknowledged_at is not None for report in reports) > len(reports) // 2


def _deferrals_gate_holds_not_discussed_and_discrepancies(loaded):
    before, _lines = loaded
    ids = [case.id for case in _year_cases(before)]
    actions = Counter(db.session.scalars(
        select(CaseTransition.action).where(CaseTransition.case_id.in_(ids))))
    assert actions["defer"] >= 2 and actions["not_discussed"] >= 1
    held = db.session.scalars(select(ReadinessCheck).where(
        ReadinessCheck.case_id.in_(ids), ReadinessCheck.outcome == "held")).all()
    assert held and all(check.decided_at is not None for check in held)
    discrepancies = Counter(db.session.scalars(
        select(ReviewTask.discrepancy).where(ReviewTask.case_id.in_(ids))))
    assert discrepancies["concordant"] > discrepancies["minor"] >= 1


def _treatment_started_inside_and_outside_the_17_days(loaded):
    before, _lines = loaded
    rows = db.session.scalars(select(TreatmentOutcome).where(
        TreatmentOutcome.case_id > before)).all()
    analcancer = [row for row in rows if row.case.care_area == "analcancer"
                  and row.outcome == "started"]
    within = [row for row in analcancer if row.started_on <= row.due_on]
    assert within and len(within) < len(analcancer)
    assert {row.adherence for row in rows} == {"followed", "deviated"}
    assert all(row.deviation_reason for row in rows if row.adherence == "deviated")


def _meetings_held_with_attendance_and_their_mail_delivered(loaded):
    before, _lines = loaded
    meetings = db.session.scalars(select(Conference).where(
        Conference.id.in_(select(Case.conference_id).where(Case.id > before)))).all()
    assert meetings and all(meeting.status == "closed" for meeting in meetings)
    complete = [quorum_of(care_areas()[meeting.care_area],
                          {row.competence for row in attendance_of(meeting) if row.present})
                .complete for meeting in meetings]
    assert all(complete) or complete.count(False) < len(complete) // 2
    # The year's mail went out then; only the recent weeks' is left for the scheduler.
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.case_id > before, OutboxMessage.state == "queued")) == 0


def _proms_followed_up_per_time_point(loaded):
    before, _lines = loaded
    rows = db.session.scalars(select(PromFollowUp).where(PromFollowUp.case_id > before)).all()
    started = set(db.session.scalars(select(TreatmentOutcome.case_id).where(
        TreatmentOutcome.case_id > before, TreatmentOutcome.outcome == "started")))
    # Every time point of a treated patient has its day: the start, the recorded end of
    # treatment or discharge.
    assert rows and all(row.due_on is not None for row in rows if row.case_id in started)
    statuses = Counter(row.status for row in rows if row.due_on and row.due_on < date.today())
    assert statuses["done"] > statuses["declined"] + statuses["not_reached"] + statuses[None]
    done = [row for row in rows if row.status == "done"]
    assert all(row.completed_on >= row.due_on for row in done)
    assert all(0 <= row.score <= 100 for row in done)  # EORTC's global health status


def _loading_the_year_again_changes_nothing(loaded):
    count = db.session.scalar(select(func.count(Case.id)))
    assert "demo year cases added: 0" in load_demo(year=True)
    assert db.session.scalar(select(func.count(Case.id))) == count
