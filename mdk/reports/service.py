"""The report to the referring unit: issued, opened, acknowledged, reminded of, escalated.

- Issued in the transaction that establishes the case's care plan (its protocol is signed
  by then): the same working day as that act, so within one working day of the meeting when
  the care plan is established at or right after it. Issued again, as a new revision, when
  the care plan gets a new established version or the signed protocol an addendum; the
  referrer is told each time, and each revision is acknowledged on its own.
- Delivered as a mail with a link only (DESIGN.md §5): to the case's contact person (the
  referring physician), else to the referring unit's functional mailbox.
- The first issue moves the case to reported (the workflow's "report" move), which closes a
  held meeting once every case on it is done (mdk.conferences.lifecycle).
- Opened: every read by anyone is audited; the referring unit's first opening is kept on the
  report (who, when), as the acknowledgement is (mdk.reports.views).
- Not acknowledged by the end of its N-th working day (the area file's [report]
  acknowledge_within_working_days, default 2), the referrer is reminded from 07:00 the next
  working day; N working days after that, the referring unit's functional mailbox and the
  coordinators are told (the scheduler's remind-reports job; once each per revision).
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date, datetime, time, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from mdk.access import policy
from mdk.audit import service as audit
from mdk.audit.service import Actor
from mdk.calendar.closures import working_days_after
from mdk.care_areas.service import care_area
from mdk.care_plans.models import CarePlan
from mdk.cases import notifications
from mdk.cases import service as cases
from mdk.cases.models import Case
from mdk.conferences.queries import closures_between
from mdk.db import utcnow
from mdk.extensions import db
from mdk.i18n import format_day
from mdk.outbox.service import Recipient, absolute_url, queue_mail
from mdk.protocols.models import Protocol
from mdk.reports.models import Report
from mdk.reports.signals import report_issued
from mdk.units.models import Unit
from mdk.validation import ConflictError, FieldError, parse_id

log = logging.getLogger(__name__)

# Reminders and escalations go out from this local time on their day, not at midnight.
MORNING = time(7, 0)
# The longest stretch of closed days a deadline may have to skip (Christmas to Epiphany).
CLOSURE_WINDOW = timedelta(days=60)


class NotAcknowledgeable(ConflictError):
    """The report cannot be acknowledged as asked (409): e.g. a newer revision exists."""


# --- reading -------------------------------------------------------------------------------

def reports_of(case: Case) -> list[Report]:
    """Every issue of the case's report, oldest first (one statement)."""
    return list(db.session.scalars(select(Report).where(Report.case_id == case.id)
                                   .order_by(Report.revision)))


def current_report(case: Case) -> Report | None:
    return db.session.scalar(select(Report).where(Report.case_id == case.id,
                                                  Report.superseded_at.is_(None))
                             .order_by(Report.revision.desc()).limit(1))


def may_read(principal: policy.Principal, case: Case) -> bool:
    return policy.can(principal, "report.view", case)


def is_receiver(principal: policy.Principal, case: Case) -> bool:
    """The referring unit's side: whose opening and acknowledgement the report records."""
    return policy.can(principal, "report.acknowledge", case)


def read_report(actor: Actor, principal: policy.Principal, case: Case, report: Report,
                form: str) -> Report:
    """Log the read (any reader, any form: page, pdf, text, fhir) and keep the referring
    unit's first opening on the report; commits."""
    policy.require(principal, "report.view", case)
    audit.record(actor, "report.read", case, details={"report_id": report.id,
                                                      "revision": report.revision,
                                                      "form": form})
    if report.first_opened_at is None and is_receiver(principal, case):
        report.first_opened_at = utcnow()
        report.first_opened_by, report.first_opened_by_name = actor.person_id, actor.name
        audit.record(actor, "report.open", case, details={"report_id": report.id,
                                                          "revision": report.revision})
    db.session.commit()
    return report


def acknowledge(actor: Actor, principal: policy.Principal, case: Case, report: Report,
                revision: object) -> Report:
    """The referrer confirms the report has reached them; once per revision (a second
    acknowledgement changes nothing). `revision`: the version they read (the page's form
    or the API names it), which must be the current one: a version issued after they
    opened the page is not acknowledged unread."""
    policy.require(principal, "report.acknowledge", case)
    read = parse_id(revision)
    if read is None:
        raise FieldError("revision", _l("Name the version of the report you acknowledge."))
    if read != report.revision:
        raise NotAcknowledgeable("revision", _l(
            "Version %(revision)s is not the current report: read the current one and "
            "acknowledge that.", revision=read))
    if not report.current:
        raise NotAcknowledgeable("report", _l(
            "A newer version of the report has been issued: open it and acknowledge that one."))
    if report.acknowledged:
        return report
    now = utcnow()
    if report.first_opened_at is None:  # acknowledged from the page: it was opened
        report.first_opened_at = now
        report.first_opened_by, report.first_opened_by_name = actor.person_id, actor.name
    report.acknowledged_at = now
    report.acknowledged_by, report.acknowledged_by_name = actor.person_id, actor.name
    audit.record(actor, "report.acknowledge", case, details={"report_id": report.id,
                                                             "revision": report.revision})
    db.session.commit()
    return report


# --- issuing -------------------------------------------------------------------------------

def deadlines(area_key: str, issued_at: datetime) -> tuple[date, date, date]:
    """(acknowledge by, remind on, escalate on): working days of the area's calendar after
    the local day of issue."""
    count = care_area(area_key).acknowledge_within_working_days
    issued_on = issued_at.astimezone(current_app.config["MDK"].tz).date()
    closures = closures_between(area_key, issued_on, issued_on + CLOSURE_WINDOW)
    due = working_days_after(issued_on, count, closures)
    remind = working_days_after(due, 1, closures)
    return due, remind, working_days_after(remind, count, closures)


def issue(actor: Actor, principal: policy.Principal, case: Case, plan: CarePlan) -> Report:
    """Issue the report of the case from its signed protocol and this established care-plan
    version, in the caller's transaction (the caller commits)."""
    protocol = plan.protocol
    if not plan.established or not protocol.signed:
        raise ConflictError("report", _l("The report is made from the signed protocol and "
                                         "the established care plan."))
    return _issue(actor, principal, case, protocol, plan)


def reissue_after_addendum(actor: Actor, principal: policy.Principal, case: Case,
                           protocol: Protocol) -> Report | None:
    """A new revision of an issued report that shows the protocol's new addendum, in the
    caller's transaction; None when no report was issued from this protocol yet."""
    report = current_report(case)
    if report is None or report.protocol_id != protocol.id:
        return None
    return _issue(actor, principal, case, protocol, report.care_plan)


def _issue(actor: Actor, principal: policy.Principal, case: Case, protocol: Protocol,
           plan: CarePlan) -> Report:
    from mdk.reports import document  # the document needs the templates; not at import

    previous = current_report(case)
    now = utcnow().replace(microsecond=0)
    due, remind, escalate = deadlines(case.care_area, now)
    report = Report(case_id=case.id, conference_id=protocol.conference_id,
                    protocol_id=protocol.id, care_plan_id=plan.id,
                    revision=(previous.revision + 1) if previous else 1,
                    addenda_count=len(protocol.addenda), issued_at=now,
                    issued_by=actor.person_id, issued_by_name=actor.name,
                    ack_due_on=due, remind_on=remind, escalate_on=escalate, content_sha256="")
    if previous is not None:
        previous.superseded_at = now
    db.session.add(report)
    db.session.flush()  # its case, protocol and care plan load from the ids, this session's
    report.content_sha256 = content_digest(document.plain_text(report))
    audit.record(actor, "report.issue", case, details={
        "report_id": report.id, "revision": report.revision, "care_plan_id": plan.id,
        "addenda": report.addenda_count})
    _deliver(case, report)
    if case.state == "discussed":
        cases.report_issued_move(actor, principal, case)
    report_issued.send(case, report=report)  # e.g. the PROM time points of a new plan
    return report


def content_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def is_intact(report: Report) -> bool:
    """Whether the report still reads as issued (the documents it is made of are locked)."""
    from mdk.reports import document

    return report.content_sha256 == content_digest(document.plain_text(report))


# --- mail ----------------------------------------------------------------------------------

DELIVERY, REMINDER, ESCALATION = "report_issued", "report_reminder", "report_escalation"


def _deliver(case: Case, report: Report) -> int:
    """The link to the report, to the referrer (else the referring unit's mailbox)."""
    people = _referrer(case)
    recipients = people or _unit_mailbox(case)
    return _mail(case, report, DELIVERY, recipients)


def _referrer(case: Case) -> list[Recipient]:
    person = case.contact_person
    return [notifications.person_recipient(person)] if person and person.active else []


def _unit_mailbox(case: Case) -> list[Recipient]:
    found = notifications.unit_mailbox_recipient(db.session.get(Unit, case.referring_unit_id))
    return [found] if found else []


def _mail(case: Case, report: Report, template: str, recipients: list[Recipient]) -> int:
    queued = 0
    for recipient in recipients:
        context = _context(case, report, template, recipient)
        message = queue_mail(recipient, kind=template.replace("report_", "report.", 1),
                             template=template, context=context,
                             idempotency_key=f"report:{report.id}:{template}",
                             case_id=case.id)
        queued += message is not None
    return queued


def _context(case: Case, report: Report, template: str, recipient: Recipient) -> dict:
    """Only what may leave the protected network: the case number, units, days, the link."""
    language = recipient.locale
    conference = report.conference
    return {
        "case_number": case.number,
        "area_name": care_area(case.care_area).name(language),
        "report_url": report_url(case),
        "revision": report.revision,
        "meeting_day": format_day(conference.starts_at, language),
        "host_unit": conference.host_unit.name if conference.host_unit else None,
        "referring_unit": case.referring_unit.name,
        "ack_due_day": format_day(report.ack_due_on, language),
        "issued_day": format_day(report.issued_at, language),
        "for_person": recipient.person_id is not None,
        "to_coordinator": template == ESCALATION and recipient.person_id is not None,
    }


def report_url(case: Case) -> str:
    return absolute_url("reports.show_report", case_id=case.id)


# --- reminders and escalations (the scheduler's remind-reports job) ------------------------

def _due_from(day: date) -> datetime:
    settings = current_app.config["MDK"]
    return datetime.combine(day, MORNING, tzinfo=settings.tz)


def remind_and_escalate(now: datetime | None = None) -> tuple[int, int]:
    """Queue the reminders and escalations that are due; commit. (reminded, escalated)."""
    now = now or utcnow()
    today = now.astimezone(current_app.config["MDK"].tz).date()
    waiting = list(db.session.scalars(
        select(Report).where(Report.acknowledged_at.is_(None), Report.superseded_at.is_(None),
                             Report.remind_on <= today,
                             or_(Report.reminded_at.is_(None), Report.escalated_at.is_(None)))
        .options(selectinload(Report.case).selectinload(Case.contact_person),
                 selectinload(Report.conference))
        .order_by(Report.id)))
    reminded = escalated = 0
    for report in waiting:
        case = report.case
        if report.reminded_at is None and now >= _due_from(report.remind_on):
            recipients = _referrer(case) or \
                _unit_mailbox(case)
            _mail(case, report, REMINDER, recipients)
            report.reminded_at = now
            audit.record(audit.system_actor(), "report.remind", case,
                         details={"report_id": report.id, "revision": report.revision})
            reminded += 1
        elif report.reminded_at is not None and report.escalated_at is None \
                and now >= _due_from(report.escalate_on):
            recipients = [*_unit_mailbox(case), *notifications.coordinator_recipients(case)]
            _mail(case, report, ESCALATION, recipients)
            report.escalated_at = now
            audit.record(audit.system_actor(), "report.escalate", case,
                         details={"report_id": report.id, "revision": report.revision})
            escalated += 1
    db.session.commit()
    return reminded, escalated


# --- reports late: a discussed case with no report after its working day -----------------

LATE = "report_late"


def report_due_on(case: Case, conference) -> date:
    """The report is due by the end of the first working day after the meeting's day."""
    day = conference.starts_at.astimezone(current_app.config["MDK"].tz).date()
    closures = closures_between(case.care_area, day, day + CLOSURE_WINDOW)
    return working_days_after(day, 1, closures)


def warn_late_reports(now: datetime | None = None) -> int:
    """Tell the case's coordinators, once per case and meeting, of a discussed case whose
    report was not issued on time (from 07:00 the working day after it was due); commit."""
    from mdk.conferences.models import Conference

    now = now or utcnow()
    discussed = list(db.session.execute(
        select(Case, Conference).join(Conference, Case.conference_id == Conference.id)
        .where(Case.state == "discussed", Conference.starts_at < now)
        .order_by(Case.id)))
    told = 0
    for case, conference in discussed:
        due = report_due_on(case, conference)
        late_from = working_days_after(due, 1, closures_between(
            case.care_area, due, due + CLOSURE_WINDOW))
        if now < _due_from(late_from):
            continue
        for recipient in notifications.coordinator_recipients(case):
            language = recipient.locale
            message = queue_mail(
                recipient, kind="report.late", template=LATE, context={
                    "case_number": case.number,
                    "area_name": care_area(case.care_area).name(language),
                    "meeting_day": format_day(conference.starts_at, language),
                    "due_day": format_day(due, language),
                    "care_plan_url": absolute_url("care_plans.show_care_plan", case_id=case.id)},
                idempotency_key=f"report-late:{case.id}:{conference.id}", case_id=case.id)
            told += message is not None
    db.session.commit()
    return told


def run_scheduled() -> None:
    """The scheduler's job (scheduler/registry.py: remind-reports)."""
    reminded, escalated = remind_and_escalate()
    late = warn_late_reports()
    if reminded or escalated or late:
        log.info("remind-reports reminded %d, escalated %d, told of %d late", reminded,
                 escalated, late)
