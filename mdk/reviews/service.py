"""Secondary review at the host unit: the tasks a case's material needs, who does them, where
they go when the meeting or its host changes, the statements, and the lateness job.

A task is made per material entry with `review_by` once the case is on a meeting with a host
(accepted, deferred or ready). It belongs to that meeting's host unit: a new meeting, or a
new host for the same meeting, moves every open task there (assigned again, due again, and
the item requested at the new host); a finished task keeps its statement where it was made.
Mail says what to do and links to the worklist; it names the case number only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.exceptions import Forbidden, NotFound

from mdk.access import policy
from mdk.audit import service as audit
from mdk.audit.service import Actor
from mdk.calendar.closures import working_days_before
from mdk.care_areas.service import CareAreaNotFound, care_area
from mdk.cases.models import Case
from mdk.cases.workflow import ON_AGENDA
from mdk.conferences.models import Conference
from mdk.db import commit_keeping_loaded, utcnow
from mdk.extensions import db
from mdk.i18n import format_datetime_local, to_local
from mdk.material.models import MaterialAvailability, MaterialItem
from mdk.outbox.service import Recipient, absolute_url, queue_mail
from mdk.people.models import Absence, Person, PersonCompetence, RoleGrant
from mdk.people.service import competence_labels, mail_locale
from mdk.reviews.models import (
    COMMENT_LENGTH,
    DISCREPANCIES,
    STATEMENT_LENGTH,
    ReviewStatement,
    ReviewTask,
)
from mdk.units.models import Unit
from mdk.validation import ConflictError, FieldError, Problems, clean_text

log = logging.getLogger(__name__)

DUE_TIME = time(12, 0)  # noon, Swedish time, the working day before the meeting
# Moves after which nothing more is to be reviewed for the case.
CANCELLING_MOVES = frozenset({"withdraw", "return", "decline", "unschedule"})
TASK_KEYS = frozenset({"statement", "discrepancy", "comment"})


# --- when a task is due -----------------------------------------------------------------------

def due_for(conference: Conference) -> datetime:
    """Noon (Europe/Stockholm) on the working day before the meeting's day, in UTC."""
    local = to_local(conference.starts_at)
    day = working_days_before(local.date(), 1)
    return datetime.combine(day, DUE_TIME, tzinfo=local.tzinfo).astimezone(UTC)


def is_late(task: ReviewTask, now: datetime | None = None) -> bool:
    return task.state == "open" and task.due_at < (now or utcnow())


# --- making the tasks -------------------------------------------------------------------------

def _reviewed_items(case: Case) -> list[MaterialItem]:
    """The case's items that need review: each checklist entry with review_by (its row made
    now if nobody has filled it in yet: it stays missing until filled), then each extra
    item with review_by."""
    try:
        area = care_area(case.care_area)
    except CareAreaNotFound:
        return []
    by_key = {item.checklist_key: item for item in case.material_items if item.checklist_key}
    items = []
    for entry in area.material_checklist:
        if not entry.review_by:
            continue
        item = by_key.get(entry.key)
        if item is None:
            item = MaterialItem(case=case, checklist_key=entry.key, kind=entry.kind,
                                required=entry.required, review_by=entry.review_by)
            db.session.add(item)
        items.append(item)
    known = {entry.key for entry in area.material_checklist}
    items.extend(item for item in case.material_items
                 if item.checklist_key not in known and item.review_by and item not in items)
    return items


def ensure_tasks(case: Case) -> list[ReviewTask]:
    """The review tasks the case's material needs and has not got yet, made and assigned
    (an item given review_by after the acceptance gets its task here). Nothing for a case
    not on a meeting, or on one without a host. In the caller's transaction."""
    conference = case.conference
    if case.state not in ON_AGENDA or conference is None or conference.host_unit_id is None:
        return []
    have = {task.item: task for task in case.review_tasks}
    made = []
    for item in _reviewed_items(case):
        if not item.review_by:
            continue
        if item in have:
            if have[item].state == "cancelled":  # back on a meeting (returned, accepted again)
                made.append(_reopen(have[item], conference))
            continue
        task = ReviewTask(case=case, item=item, conference=conference,
                          competence=item.review_by, host_unit_id=conference.host_unit_id,
                          due_at=due_for(conference), state="open")
        db.session.add(task)
        # The host needs the images or slides: asked for there, as when a task moves.
        _request_at(item, conference.host_unit_id)
        made.append(task)
    changed = _follow_reviewer_changes(case)
    for task in [*made, *changed]:
        assign(task)
    return made


def _follow_reviewer_changes(case: Case) -> list[ReviewTask]:
    """An item whose reviewing competence was changed (an extra item's review_by) after its
    task was made: the open task goes to the new competence, or is cancelled when nobody is
    to review the item any more. Returns the tasks to assign again."""
    moved = []
    for task in case.review_tasks:
        if task.state != "open" or task.item.review_by == task.competence:
            continue
        if task.item.review_by:
            task.competence, task.unassigned_notice_at = task.item.review_by, None
            moved.append(task)
        else:
            task.state = "cancelled"
    return moved


def _reopen(task: ReviewTask, conference: Conference) -> ReviewTask:
    """A task cancelled when its case left the agenda, open again for the case's new
    meeting: one task per item (the unique key), its history in the audit log."""
    task.state, task.conference, task.host_unit_id = "open", conference, conference.host_unit_id
    task.competence = task.item.review_by
    task.due_at, task.late_notice_at, task.unassigned_notice_at = due_for(conference), None, None
    return task


# --- who does it ------------------------------------------------------------------------------

def _open_load():
    """How many open tasks a person has, as a correlated count."""
    return (select(func.count(ReviewTask.id))
            .where(ReviewTask.assignee_id == Person.id, ReviewTask.state == "open")
            .correlate(Person).scalar_subquery())


def _days_of(task: ReviewTask) -> tuple[date, date]:
    """The due day and the meeting day, Swedish time."""
    return to_local(task.due_at).date(), to_local(task.conference.starts_at).date()


def eligible_query(task: ReviewTask, *, skip_absent: bool = True):
    """People of the host unit with the task's competence and a reviewer grant in the area
    there, active; not absent on the due day or the meeting day (skip_absent). Fewest open
    tasks first, then the lower id."""
    query = (select(Person)
             .join(PersonCompetence, and_(PersonCompetence.person_id == Person.id,
                                          PersonCompetence.competence == task.competence))
             .join(RoleGrant, and_(RoleGrant.person_id == Person.id,
                                   RoleGrant.role == "reviewer",
                                   RoleGrant.care_area == task.case.care_area,
                                   RoleGrant.unit_id == task.host_unit_id))
             .where(Person.active, Person.unit_id == task.host_unit_id))
    if skip_absent:
        days = _days_of(task)
        query = query.where(~exists().where(
            Absence.person_id == Person.id,
            or_(*(and_(Absence.first_day <= day, Absence.last_day >= day) for day in days))))
    return query.order_by(_open_load(), Person.id)


def eligible_people(task: ReviewTask, *, skip_absent: bool = True) -> list[Person]:
    return list(db.session.scalars(eligible_query(task, skip_absent=skip_absent)))


def assign(task: ReviewTask, now: datetime | None = None) -> Person | None:
    """Give the task to the least loaded available reviewer of the host unit, and tell them;
    nobody: unassigned, and the area's coordinators at the host unit are told (once)."""
    task.assignee = None
    db.session.flush()  # the task's id for the mail's key; its own load no longer counts
    person = db.session.scalars(eligible_query(task).limit(1)).first()
    if person is None:
        task.assignee = None
        _tell_unassigned(task, now)
        return None
    task.assignee = person
    task.unassigned_notice_at = None
    _tell_assignee(task, person)
    return person


def _coordinators_of(task: ReviewTask) -> list[Person]:
    return list(db.session.scalars(
        select(Person).join(RoleGrant, RoleGrant.person_id == Person.id)
        .where(RoleGrant.role == "coordinator", RoleGrant.care_area == task.case.care_area,
               RoleGrant.unit_id == task.host_unit_id, Person.active)
        .distinct().order_by(Person.id)))


# --- moving with the meeting ------------------------------------------------------------------

def follow_meeting(case: Case) -> int:
    """Move the case's open tasks to its meeting: due again from its day; at another host,
    assigned again there and each item requested there. Then the tasks still missing are
    made. Returns how many tasks moved to another unit."""
    conference = case.conference
    if conference is None or case.state not in ON_AGENDA:
        return 0
    moved = 0
    for task in case.review_tasks:
        if task.state != "open":
            continue  # a finished task keeps its statement where it was made
        task.conference = conference
        due = due_for(conference)
        new_day = task.due_at != due
        if new_day:
            task.due_at, task.late_notice_at = due, None
        host = conference.host_unit_id
        if host is not None and host != task.host_unit_id:
            task.host_unit_id = host
            task.late_notice_at = task.unassigned_notice_at = None  # new coordinators
            _request_at(task.item, host)
            assign(task)
            moved += 1
        elif new_day and task.assignee_id is not None and not _still_eligible(task):
            assign(task)  # away on the new days (or no longer a reviewer there)
    ensure_tasks(case)
    return moved


def _still_eligible(task: ReviewTask) -> bool:
    return db.session.scalar(eligible_query(task).where(Person.id == task.assignee_id)
                             .limit(1)) is not None


def _request_at(item: MaterialItem, unit_id: int) -> None:
    if item.availability_at(unit_id) is None:
        item.availability.append(MaterialAvailability(
            unit_id=unit_id, status="requested", status_on=to_local(utcnow()).date()))


def meeting_changed(conference: Conference) -> int:
    """A meeting's host or time changed (the planner, a swap, an override, a move): the open
    tasks of its cases follow it."""
    cases = db.session.scalars(
        select(Case).where(Case.conference_id == conference.id,
                           Case.state.in_(sorted(ON_AGENDA)))
        .options(selectinload(Case.review_tasks), selectinload(Case.material_items)))
    return sum(follow_meeting(case) for case in cases)


def cancel_open_tasks(case: Case) -> int:
    cancelled = 0
    for task in case.review_tasks:
        if task.state == "open":
            task.state = "cancelled"
            cancelled += 1
    return cancelled


def case_moved(case: Case, transition) -> None:
    """The case feature's signal (mdk.cases.signals.case_moved), in the move's transaction."""
    if transition.action in CANCELLING_MOVES:
        cancel_open_tasks(case)
    elif case.state in ON_AGENDA:
        follow_meeting(case)


# --- the lateness job ------------------------------------------------------------------------

@dataclass(frozen=True)
class Escalation:
    made: int
    late_told: int
    assigned: int


def escalate_reviews(now: datetime | None = None) -> Escalation:
    """Idempotent: tasks still missing are made; a late open task is told to the host unit's
    coordinators once; an unassigned one is assigned if someone is now free, else told once."""
    now = now or utcnow()
    made = sum(len(ensure_tasks(case)) for case in db.session.scalars(
        select(Case).join(Conference, Case.conference_id == Conference.id)
        .where(Case.state.in_(sorted(ON_AGENDA)), Conference.starts_at > now)
        .options(selectinload(Case.review_tasks), selectinload(Case.material_items))))
    open_tasks = list(db.session.scalars(  # a case discussed or gone needs no reminder
        select(ReviewTask).join(Case, ReviewTask.case_id == Case.id)
        .join(Conference, ReviewTask.conference_id == Conference.id)
        .where(ReviewTask.state == "open", Case.state.in_(sorted(ON_AGENDA)),
               Conference.starts_at > now)
        .options(joinedload(ReviewTask.case), joinedload(ReviewTask.conference))
        .order_by(ReviewTask.due_at, ReviewTask.id)))
    assigned = late = 0
    for task in open_tasks:
        if task.assignee_id is None and assign(task, now) is not None:
            assigned += 1
        if task.due_at < now and task.late_notice_at is None:
            _tell_late(task, now)
            late += 1
    db.session.commit()
    return Escalation(made=made, late_told=late, assigned=assigned)


# --- mail -------------------------------------------------------------------------------------

def worklist_url() -> str:
    return absolute_url("reviews.worklist")


def coordination_url() -> str:
    return absolute_url("reviews.coordination")


def _mail_context(task: ReviewTask, language: str) -> dict[str, Any]:
    """Only what may leave the protected network: the case number, the area, the kind of
    review, the due time, the host unit and links."""
    try:
        area_name = care_area(task.case.care_area).name(language)
    except CareAreaNotFound:
        area_name = task.case.care_area
    host = db.session.get(Unit, task.host_unit_id)
    return {"case_number": task.case.number, "area_name": area_name,
            "competence": competence_labels([task.competence], language)[0],
            "due": format_datetime_local(task.due_at, language),
            "host_unit": host.name if host is not None else "",
            "worklist_url": worklist_url(), "coordination_url": coordination_url()}


def _send(person: Person, task: ReviewTask, template: str, key: str) -> None:
    locale = mail_locale(person)
    queue_mail(Recipient(email=person.email, person_id=person.id, locale=locale),
               kind=template.replace("review_", "review.", 1), template=template,
               context=_mail_context(task, locale), idempotency_key=key,
               case_id=task.case_id)


def _tell_assignee(task: ReviewTask, person: Person) -> None:
    _send(person, task, "review_assigned",
          f"review:{task.id}:assigned:{person.id}:{int(task.due_at.timestamp())}")


def _tell_unassigned(task: ReviewTask, now: datetime | None) -> None:
    if task.unassigned_notice_at is not None:
        return
    for person in _coordinators_of(task):
        _send(person, task, "review_unassigned",
              f"review:{task.id}:unassigned:{task.host_unit_id}:{int(task.due_at.timestamp())}")
    task.unassigned_notice_at = now or utcnow()


def _tell_late(task: ReviewTask, now: datetime) -> None:
    for person in _coordinators_of(task):
        _send(person, task, "review_late",
              f"review:{task.id}:late:{task.host_unit_id}:{int(task.due_at.timestamp())}")
    task.late_notice_at = now


# --- reading ----------------------------------------------------------------------------------

def _task_context():
    return (joinedload(ReviewTask.case).joinedload(Case.patient),
            joinedload(ReviewTask.conference), joinedload(ReviewTask.host_unit),
            joinedload(ReviewTask.assignee),
            joinedload(ReviewTask.item).selectinload(MaterialItem.availability),
            joinedload(ReviewTask.item).selectinload(MaterialItem.files))


def get_task(task_id: int) -> ReviewTask | None:
    return db.session.scalar(select(ReviewTask).where(ReviewTask.id == task_id)
                             .options(*_task_context()))


def is_host_reviewer(principal: policy.Principal, task_or_case) -> bool:
    """A reviewer of the care area at the host unit (review.work is area-wide)."""
    case = task_or_case.case if isinstance(task_or_case, ReviewTask) else task_or_case
    host = task_or_case.host_unit_id if isinstance(task_or_case, ReviewTask) \
        else case.host_unit_id
    return host is not None and host in principal.units("reviewer", case.care_area)


def is_coordinator(principal: policy.Principal, case: Case) -> bool:
    return policy.can(principal, "review.assign", case)


def may_view(principal: policy.Principal, task: ReviewTask) -> bool:
    return (task.assignee_id is not None and task.assignee_id == principal.person_id) \
        or is_host_reviewer(principal, task) or is_coordinator(principal, task.case)


def require_view(principal: policy.Principal, task: ReviewTask | None) -> ReviewTask:
    """The task, for those who may see it: the host unit's reviewers, the area's
    coordinators; 404 for the rest (ids cannot be probed)."""
    if task is None or not may_view(principal, task):
        raise NotFound()
    return task


def _holds_competence(principal: policy.Principal, competence: str) -> bool:
    if principal.person_id is None:
        return False
    return db.session.scalar(select(func.count(PersonCompetence.id)).where(
        PersonCompetence.person_id == principal.person_id,
        PersonCompetence.competence == competence)) > 0


def may_write(principal: policy.Principal, task: ReviewTask, now: datetime | None = None
              ) -> bool:
    """An open task: its assignee, or another reviewer of the host unit with the competence.
    A done one: its author (still such a reviewer) or a coordinator, while the case is
    before its meeting."""
    if task.state == "cancelled":
        return False
    reviewer = is_host_reviewer(principal, task) and policy.can(
        principal, "review.work", task.case) and _holds_competence(principal, task.competence)
    if task.state == "open":
        return reviewer
    if not before_meeting(task.case, now):
        return False
    return (reviewer and task.completed_by == principal.person_id) \
        or is_coordinator(principal, task.case)


def before_meeting(case: Case, now: datetime | None = None) -> bool:
    return case.state in ON_AGENDA and case.conference is not None \
        and case.conference.starts_at > (now or utcnow())


def read_task(actor: Actor, task: ReviewTask) -> ReviewTask:
    """The task page shows the case's material (clinical content): a case.read."""
    audit.record(actor, "case.read", task.case)
    commit_keeping_loaded(db.session)
    return task


def worklist(actor: Actor, principal: policy.Principal,
             now: datetime | None = None) -> list[ReviewTask]:
    """The reviewer's own tasks: open ones due first, then those done for meetings still
    ahead. A constant number of statements; one case.read per case shown."""
    now = now or utcnow()
    if principal.person_id is None:
        return []
    tasks = list(db.session.scalars(
        select(ReviewTask).join(Conference, ReviewTask.conference_id == Conference.id)
        .where(ReviewTask.assignee_id == principal.person_id,
               or_(ReviewTask.state == "open",
                   and_(ReviewTask.state == "done", Conference.starts_at > now)))
        .options(*_list_context())
        .order_by((ReviewTask.state != "open"), ReviewTask.due_at, ReviewTask.id)))
    _record_reads(actor, tasks)
    return tasks


def unassigned_for(actor: Actor, principal: policy.Principal) -> list[ReviewTask]:
    """Open tasks nobody has, at the units where this person reviews, in their competences:
    any of them may take one by writing its statement."""
    if principal.person_id is None:
        return []
    pairs = sorted((area, unit) for role, area, unit in principal.grants if role == "reviewer")
    if not pairs:
        return []
    held = select(PersonCompetence.competence).where(
        PersonCompetence.person_id == principal.person_id)
    tasks = list(db.session.scalars(
        select(ReviewTask).join(Case, ReviewTask.case_id == Case.id)
        .where(ReviewTask.state == "open", ReviewTask.assignee_id.is_(None),
               ReviewTask.competence.in_(held),
               or_(*(and_(Case.care_area == area, ReviewTask.host_unit_id == unit)
                     for area, unit in pairs)))
        .options(*_list_context()).order_by(ReviewTask.due_at, ReviewTask.id)))
    _record_reads(actor, tasks)
    return tasks


def _list_context():
    return (joinedload(ReviewTask.case), joinedload(ReviewTask.conference),
            joinedload(ReviewTask.host_unit), joinedload(ReviewTask.assignee),
            joinedload(ReviewTask.item).selectinload(MaterialItem.availability),
            joinedload(ReviewTask.item).selectinload(MaterialItem.files))


def _record_reads(actor: Actor, tasks: Iterable[ReviewTask]) -> None:
    cases = list({task.case_id: task.case for task in tasks}.values())
    audit.record_reads(actor, cases, action="case.read")
    commit_keeping_loaded(db.session)


def coordination_list(actor: Actor, principal: policy.Principal, *, area: str | None = None,
                      unit_id: int | None = None, now: datetime | None = None
                      ) -> list[ReviewTask]:
    """Open tasks (and those done for meetings ahead) of the coordinator's care areas, by
    unit and area as chosen, due first."""
    now = now or utcnow()
    areas = sorted(principal.areas("coordinator"))
    if area is not None:
        areas = [key for key in areas if key == area]
    if not areas:
        return []
    query = (select(ReviewTask).join(Case, ReviewTask.case_id == Case.id)
             .join(Conference, ReviewTask.conference_id == Conference.id)
             .where(Case.care_area.in_(areas),
                    or_(ReviewTask.state == "open",
                        and_(ReviewTask.state == "done", Conference.starts_at > now))))
    if unit_id is not None:
        query = query.where(ReviewTask.host_unit_id == unit_id)
    tasks = list(db.session.scalars(
        query.options(*_list_context())
        .order_by((ReviewTask.state != "open"), ReviewTask.due_at, ReviewTask.id)))
    _record_reads(actor, tasks)
    return tasks


def case_tasks(case: Case) -> list[ReviewTask]:
    """The case's tasks (cancelled ones left out), for the case page."""
    return [task for task in case.review_tasks if task.state != "cancelled"]


# --- writing ----------------------------------------------------------------------------------

def clean_statement(data: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(data) - TASK_KEYS)
    if unknown:
        raise FieldError(unknown[0], _l("Unknown field."))
    problems = Problems()
    values = {
        "statement": problems.check(clean_text, data.get("statement"), "statement",
                                    max_length=STATEMENT_LENGTH, multiline=True),
        "discrepancy": problems.check(_discrepancy, data.get("discrepancy")),
        "comment": problems.check(clean_text, data.get("comment"), "comment",
                                  max_length=COMMENT_LENGTH, required=False, multiline=True),
    }
    problems.raise_any()
    return values


def _discrepancy(value: object) -> str:
    if value not in DISCREPANCIES:
        raise FieldError("discrepancy", _l("Choose how the review compares with the original "
                                           "report."))
    return value  # type: ignore[return-value]


def write_review(actor: Actor, principal: policy.Principal, task: ReviewTask,
                 data: Mapping[str, Any], now: datetime | None = None) -> ReviewTask:
    """Complete an open task (review.complete) or correct a done one (review.update)."""
    values = clean_statement(data)
    if task.state == "cancelled":
        raise ConflictError("state", _l("This review was cancelled."))
    if not may_write(principal, task, now):
        if task.state == "done" and not before_meeting(task.case, now):
            raise ConflictError("state", _l("The meeting has started: the review can no "
                                            "longer be changed."))
        raise Forbidden()
    action = "review.complete" if task.state == "open" else "review.update"
    changed = [name for name, value in values.items() if getattr(task, name) != value]
    for name, value in values.items():
        setattr(task, name, value)
    if task.state == "open":
        task.state, task.completed_at = "done", now or utcnow()
        task.completed_by = principal.person_id
        if task.assignee_id is None:
            task.assignee_id = principal.person_id
    if action == "review.complete" or changed:
        audit.record(actor, action, task.case,
                     details={"task_id": task.id, "discrepancy": task.discrepancy,
                              "fields": ",".join(changed)})
    db.session.commit()
    log.info("review task %d: %s", task.id, action)
    return task


def reassign(actor: Actor, principal: policy.Principal, task: ReviewTask,
             person_id: object) -> ReviewTask:
    """A coordinator gives an open task to another eligible person of the host unit."""
    if not is_coordinator(principal, task.case):
        raise Forbidden()
    if task.state != "open":
        raise ConflictError("state", _l("Only an open review can be reassigned."))
    chosen = next((person for person in eligible_people(task, skip_absent=False)
                   if person.id == person_id and not isinstance(person_id, bool)), None)
    if chosen is None:
        raise FieldError("assignee_id", _l("Choose a reviewer of the host unit with this "
                                           "competence."))
    previous = task.assignee_id
    if previous == chosen.id:
        return task
    task.assignee = chosen
    task.unassigned_notice_at = None
    audit.record(actor, "review.reassign", task.case,
                 details={"task_id": task.id, "from_person_id": previous,
                          "to_person_id": chosen.id})
    db.session.flush()
    _tell_assignee(task, chosen)
    db.session.commit()
    return task


# --- the combined statement -------------------------------------------------------------------

def may_write_statement(principal: policy.Principal, case: Case) -> bool:
    if case.state not in ON_AGENDA and case.state != "discussed":
        return False
    return is_coordinator(principal, case) or (
        is_host_reviewer(principal, case) and policy.can(principal, "review.work", case))


def write_statement(actor: Actor, principal: policy.Principal, case: Case,
                    text: object) -> ReviewStatement:
    """The demonstrationsutlåtande: once at least one task of the case is done."""
    cleaned = clean_text(text, "text", max_length=STATEMENT_LENGTH, multiline=True)
    if not may_write_statement(principal, case):
        raise Forbidden()
    if not any(task.state == "done" for task in case.review_tasks):
        raise ConflictError("text", _l("Write the combined statement once a review is done."))
    statement = case.review_statement
    if statement is None:
        statement = ReviewStatement(case=case, text=cleaned, written_by=principal.person_id)
        db.session.add(statement)
    else:
        statement.text, statement.written_by = cleaned, principal.person_id
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:  # the first statement saved by another at the same time
        db.session.rollback()
        raise ConflictError("text", _l("Someone else saved the combined statement at the "
                                       "same time: reload the page and try again.")) from exc
    audit.record(actor, "review.statement", case, details={"statement_id": statement.id})
    db.session.commit()
    return statement


def template_for(task: ReviewTask, language: str = "sv") -> str:
    """The area's statement template for the task's competence, or nothing."""
    try:
        label = care_area(task.case.care_area).review_templates.get(task.competence)
    except CareAreaNotFound:
        return ""
    return label(language) if label is not None else ""
