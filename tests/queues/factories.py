"""Rows the other parts of issue 11 make (the gate's held verdicts, review tasks), made
directly with their models: the queues only read them."""

from __future__ import annotations

import re
from datetime import timedelta

from mdk.cases import service as cases
from mdk.cases.models import Case
from mdk.conferences.models import Conference
from mdk.db import utcnow
from mdk.extensions import db
from mdk.material.models import MaterialItem, ReadinessCheck
from mdk.reviews.models import ReviewTask
from tests.cases.factories import World
from tests.reviews.helpers import host_reviewers


def staff_the_host(world: World) -> None:
    """Reviewers of each competence at the meeting's host (nhv[0]): accepting a case then
    assigns the review tasks it makes (on time), so only the tasks a test makes itself are
    late or unassigned. Without them every accepted case would be in the reviews group."""
    host_reviewers(world)


def return_case(world: World, case: Case, reason: str = "PAD saknas") -> Case:
    return cases.move_case(world.actor("coordinator"), world.principal("coordinator"), case,
                           "return", {"reason": reason})


def resubmit(world: World, case: Case) -> Case:
    return cases.move_case(world.actor("referrer"), world.principal("referrer"), case,
                           "submit", {})


def hold(case: Case, conference: Conference | None = None, *, outcome: str = "held",
         decided: bool = False) -> ReadinessCheck:
    check = ReadinessCheck(case_id=case.id, conference_id=(conference or case.conference).id,
                           outcome=outcome, problems=[{"code": "missing", "key": "pad",
                                                        "blocking": True}],
                           decided_at=utcnow() if decided else None)
    db.session.add(check)
    db.session.commit()
    return check


def review_task(case: Case, *, assignee=None, due_in_days: float = 3, state: str = "open",
                key: str | None = None) -> ReviewTask:
    item = MaterialItem(case_id=case.id, checklist_key=key, kind="ct", label="DT thorax",
                        required=True, review_by="radiologist")
    db.session.add(item)
    db.session.flush()
    task = ReviewTask(case_id=case.id, item_id=item.id, conference_id=case.conference_id,
                      competence="radiologist", host_unit_id=case.conference.host_unit_id,
                      assignee_id=assignee.id if assignee is not None else None, state=state,
                      due_at=utcnow() + timedelta(days=due_in_days))
    db.session.add(task)
    db.session.commit()
    return task


def section(page: str, element_id: str) -> str:
    """The HTML of the <section id=...> of a page ("" if there is none)."""
    match = re.search(rf'<section id="{element_id}"[^>]*>(.*?)</section>', page, re.S)
    return match[1] if match else ""
