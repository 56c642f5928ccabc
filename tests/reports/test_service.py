"""The report's rules: issued with the established care plan, the case moves to reported;
delivered as a link only; the referring unit's opening and acknowledgement kept; a new
revision after an addendum or a new care-plan version; deadlines in working days of the
area's calendar; the reminder, then the escalation, once each; every step audited."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from werkzeug.exceptions import Forbidden

from mdk.audit.models import AuditEvent
from mdk.care_plans import service as care_plans
from mdk.extensions import db
from mdk.outbox.models import OutboxMessage
from mdk.protocols import service as protocols
from mdk.reports import document, service
from mdk.reports.models import Report
from tests.care_plans.factories import complete, establish
from tests.reports.factories import acknowledged, issued, read

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _actions(case) -> list[str]:
    return list(db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "case",
                                        AuditEvent.object_id == case.id,
                                        AuditEvent.action.like("report.%"))
        .order_by(AuditEvent.id)))


def _mail(kind: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)
                                   .order_by(OutboxMessage.id)))


def test_establishing_the_care_plan_issues_the_report_and_the_case_is_reported(
        chaired, case_on_meeting):
    report = issued(chaired, case_on_meeting)
    assert report is not None and report.revision == 1 and report.current
    assert case_on_meeting.state == "reported"
    assert case_on_meeting.transitions[-1].action == "report"
    assert report.protocol.signed and report.care_plan.established
    assert service.is_intact(report)
    assert _actions(case_on_meeting) == ["report.issue"]
    # Delivered to the referrer, as a link: the case number, never the content.
    [mail] = _mail("report.issued")
    referrer = chaired.people["referrer"]
    assert mail.recipient_email == referrer.email and mail.case_id == case_on_meeting.id
    assert f"/cases/{case_on_meeting.id}/report" in mail.body_text
    assert case_on_meeting.number in mail.subject
    assert "kemoradioterapi" not in mail.body_text.lower()  # no recommendation in mail
    assert case_on_meeting.question not in mail.body_text


def test_the_plain_text_holds_the_recommendation_and_the_care_plan_not_the_identity(
        chaired, case_on_meeting):
    report = issued(chaired, case_on_meeting)
    text = document.plain_text(report)
    assert "Kurativt syftande kemoradioterapi." in text
    assert "Kemoradioterapi 58 Gy med mitomycin och kapecitabin." in text
    assert "Tarmterapeut" in text and "Anna Testsköterska, 010-123 45 67" in text
    assert "INDIVIDUELL VÅRDPLAN (MIN VÅRDPLAN), VERSION 1" in text
    patient = case_on_meeting.patient
    assert patient.family_name not in text and patient.identity_value not in text
    assert patient.display_identity not in text


def test_the_referring_units_first_opening_is_kept_others_reads_only_logged(
        chaired, case_on_meeting):
    report = issued(chaired, case_on_meeting)
    read(chaired, case_on_meeting, report, "coordinator")
    read(chaired, case_on_meeting, report, "host_member", "pdf")
    assert report.first_opened_at is None
    read(chaired, case_on_meeting, report, "referrer", "text")
    opened_at = report.first_opened_at
    assert opened_at is not None
    assert report.first_opened_by == chaired.people["referrer"].id
    read(chaired, case_on_meeting, report, "referrer")
    assert report.first_opened_at == opened_at  # the first opening stays
    assert _actions(case_on_meeting) == ["report.issue", "report.read", "report.read",
                                         "report.read", "report.open", "report.read"]
    with pytest.raises(Exception) as refused:  # another unit's referrer: not there at all
        read(chaired, case_on_meeting, report, "other_referrer")
    assert getattr(refused.value, "code", None) == 404


def test_only_the_referring_unit_acknowledges_once(chaired, case_on_meeting):
    report = issued(chaired, case_on_meeting)
    with pytest.raises(Forbidden):
        acknowledged(chaired, case_on_meeting, report, "coordinator")
    acknowledged(chaired, case_on_meeting, report)
    first = report.acknowledged_at
    assert first is not None and report.first_opened_at is not None
    assert report.acknowledged_by_name == chaired.people["referrer"].name
    acknowledged(chaired, case_on_meeting, report)
    assert report.acknowledged_at == first
    assert _actions(case_on_meeting) == ["report.issue", "report.acknowledge"]


def test_an_addendum_issues_a_new_revision_to_acknowledge_again(chaired, case_on_meeting):
    first = issued(chaired, case_on_meeting)
    acknowledged(chaired, case_on_meeting, first)
    protocol = first.protocol
    protocols.add_addendum(chaired.actor("host_member"), chaired.principal("host_member"),
                           case_on_meeting, protocol, "Även PET-DT efter 12 veckor.",
                           "Tillägg efter mötet: uppföljande bild.")
    second = service.current_report(case_on_meeting)
    assert second.revision == 2 and second.addenda_count == 1
    assert not first.current and second.current and not second.acknowledged
    assert "Även PET-DT efter 12 veckor." in document.plain_text(second)
    assert "Även PET-DT" not in document.plain_text(first)  # the first reads as issued
    assert service.is_intact(first) and service.is_intact(second)
    assert [mail.subject for mail in _mail("report.issued")][1].startswith(
        "Uppdaterad MDK-rapport")
    assert case_on_meeting.state == "reported"
    with pytest.raises(service.NotAcknowledgeable):
        service.acknowledge(chaired.actor("referrer"), chaired.principal("referrer"),
                            case_on_meeting, first, first.revision)


def test_a_new_care_plan_version_issues_a_new_revision(chaired, case_on_meeting):
    first = issued(chaired, case_on_meeting)
    draft = care_plans.revise(chaired.actor("coordinator"), chaired.principal("coordinator"),
                              case_on_meeting, first.care_plan)
    assert service.current_report(case_on_meeting).id == first.id  # a draft changes nothing
    establish(chaired, case_on_meeting, complete(chaired, case_on_meeting, draft))
    second = service.current_report(case_on_meeting)
    assert second.revision == 2 and second.care_plan_id == draft.id
    assert "VERSION 2" in document.plain_text(second)


def test_a_protocol_without_a_care_plan_issues_no_report(chaired, case_on_meeting):
    from tests.protocols.factories import signed

    signed(chaired, case_on_meeting)
    assert service.current_report(case_on_meeting) is None
    assert case_on_meeting.state == "discussed"


@pytest.mark.parametrize(("issued_at", "due", "remind", "escalate"), [
    # A Friday: Monday and Tuesday to acknowledge; reminded Wednesday, escalated Friday.
    (datetime(2027, 1, 15, 14, 0), date(2027, 1, 19), date(2027, 1, 20), date(2027, 1, 22)),
    # Maundy Thursday 2027: Good Friday and Easter Monday are not working days.
    (datetime(2027, 3, 25, 16, 0), date(2027, 3, 31), date(2027, 4, 1), date(2027, 4, 5)),
    # Late on a Saturday in Stockholm is still Saturday, though already Sunday nowhere.
    (datetime(2027, 1, 16, 23, 30), date(2027, 1, 19), date(2027, 1, 20), date(2027, 1, 22)),
])
def test_deadlines_count_working_days_of_the_area(world, issued_at, due, remind, escalate):
    moment = issued_at.replace(tzinfo=STOCKHOLM)
    assert service.deadlines("analcancer", moment) == (due, remind, escalate)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=STOCKHOLM)


def test_reminder_then_escalation_once_each_from_seven_in_the_morning(
        chaired, case_on_meeting):
    report = issued(chaired, case_on_meeting)
    assert service.remind_and_escalate(_at(report.ack_due_on, 23, 59)) == (0, 0)
    assert service.remind_and_escalate(_at(report.remind_on, 6, 59)) == (0, 0)
    assert service.remind_and_escalate(_at(report.remind_on, 7)) == (1, 0)
    assert service.remind_and_escalate(_at(report.remind_on, 9)) == (0, 0)
    [reminder] = _mail("report.reminder")
    assert reminder.recipient_email == chaired.people["referrer"].email
    assert service.remind_and_escalate(_at(report.escalate_on, 6, 30)) == (0, 0)
    assert service.remind_and_escalate(_at(report.escalate_on, 7, 5)) == (0, 1)
    assert service.remind_and_escalate(_at(report.escalate_on, 8)) == (0, 0)
    told = {mail.recipient_email for mail in _mail("report.escalation")}
    assert case_on_meeting.referring_unit.mailbox in told
    assert chaired.people["coordinator"].email in told
    assert chaired.people["referrer"].email not in told
    assert _actions(case_on_meeting)[-2:] == ["report.remind", "report.escalate"]


def test_an_acknowledged_report_is_neither_reminded_nor_escalated(chaired, case_on_meeting):
    report = issued(chaired, case_on_meeting)
    acknowledged(chaired, case_on_meeting, report)
    assert service.remind_and_escalate(_at(report.escalate_on, 12)) == (0, 0)
    assert _mail("report.reminder") == [] and _mail("report.escalation") == []


def test_the_reports_rows_are_kept(chaired, case_on_meeting):
    issued(chaired, case_on_meeting)
    assert db.session.scalar(select(Report.revision)) == 1


def test_coordinators_hear_once_of_a_discussed_case_without_a_report_in_time(
        chaired, case_on_meeting):
    from mdk.calendar.closures import working_days_after
    from tests.protocols.factories import signed

    signed(chaired, case_on_meeting)
    due = service.report_due_on(case_on_meeting, case_on_meeting.conference)
    late_from = working_days_after(due, 1)
    assert service.warn_late_reports(_at(due, 23, 59)) == 0
    assert service.warn_late_reports(_at(late_from, 6, 59)) == 0
    assert service.warn_late_reports(_at(late_from, 7)) == 1
    assert service.warn_late_reports(_at(late_from, 9)) == 0
    [late] = _mail("report.late")
    assert late.recipient_email == chaired.people["coordinator"].email
    assert f"/cases/{case_on_meeting.id}/care-plan" in late.body_text
    assert "är sen" in late.subject


def test_a_report_issued_in_time_brings_no_late_notice(chaired, case_on_meeting):
    from mdk.calendar.closures import working_days_after

    issued(chaired, case_on_meeting)
    due = service.report_due_on(case_on_meeting, case_on_meeting.conference)
    assert service.warn_late_reports(_at(working_days_after(due, 3), 12)) == 0


def test_the_held_meeting_closes_when_its_last_case_is_reported(chaired):
    from tests.agenda.factories import on_agenda
    from tests.care_plans.factories import established
    from tests.conference_day.factories import start

    first, second = on_agenda(chaired, 0), on_agenda(chaired, 1)
    start(chaired.conference, status="held")
    conference = db.session.get(type(chaired.conference), chaired.conference.id)
    issued(chaired, first)
    assert first.state == "reported" and conference.status == "held"  # one still to go
    established(chaired, second)
    assert second.state == "reported" and conference.status == "closed"
