"""HTML pages of secondary review: the reviewer's worklist (Mina granskningar), the task page
with its statement form, the coordinator's list with reassignment, and the case page's
section with the combined statement. Only ids and case numbers are part of a URL."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from mdk.access import authorize, visible_areas
from mdk.access.enforcement import current_principal
from mdk.audit.service import actor_from_request
from mdk.care_areas.service import care_areas
from mdk.cases import service as cases
from mdk.cases.models import Case
from mdk.cases.views import render_case_page
from mdk.forms import attach_error, optional_int
from mdk.i18n import current_language
from mdk.material.forms import AVAILABILITY_LABELS
from mdk.material.readiness import KIND_LABELS
from mdk.people.service import competence_labels
from mdk.reviews import service
from mdk.reviews.forms import DISCREPANCY_LABELS, ReassignForm, ReviewForm, StatementForm
from mdk.reviews.models import ReviewTask
from mdk.validation import FieldError

blp = Blueprint("reviews", __name__)

@blp.app_template_global()
def review_state_label(state: str) -> str:
    return {"open": _("To do"), "done": _("Done"), "cancelled": _("Called off")}.get(state, state)


@blp.app_template_global()
def discrepancy_label(value: str | None) -> str:
    return str(DISCREPANCY_LABELS.get(value, "")) if value else ""


@blp.app_template_global()
def review_competence_label(key: str) -> str:
    return competence_labels([key], current_language())[0]


@blp.app_template_global()
def material_kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


@blp.app_template_global()
def review_item_title(task: ReviewTask) -> str:
    """The item as the area's checklist names it (MR bäcken), an extra item by its own
    name, else by its kind."""
    item, area = task.item, care_areas().get(task.case.care_area)
    entry = area.material_item(item.checklist_key) if area and item.checklist_key else None
    if entry is not None:
        return entry.label(current_language())
    return item.label or material_kind_label(item.kind)


@blp.app_template_global()
def care_areas_by_key() -> dict:
    return care_areas()


@blp.app_template_global()
def material_availability_label(status: str) -> str:
    return str(AVAILABILITY_LABELS.get(status, status))


@blp.app_template_global()
def review_late(task: ReviewTask) -> bool:
    return service.is_late(task)


@blp.app_template_global()
def review_file_name(file) -> str:
    """A file's name as the case page shows it: the uploader's own name (which may name the
    patient) only for those who see the case's identity, else the case number."""
    from mdk.access import policy
    from mdk.material.service import shown_file_name

    case = file.case
    return shown_file_name(case, file, policy.may_see_case_identity(current_principal(), case))


@blp.get("/reviews")
def worklist():
    actor, principal = actor_from_request(), current_principal()
    return render_template("reviews/worklist.html", tasks=service.worklist(actor, principal),
                           unassigned=service.unassigned_for(actor, principal))


@blp.get("/reviews/coordination")
def coordination():
    principal = current_principal()
    offered = visible_areas("review.assign")
    area = request.args.get("area") or None
    area = area if area in offered else None
    unit_id = optional_int(request.args.get("unit", ""))
    tasks = service.coordination_list(actor_from_request(), principal, area=area,
                                      unit_id=unit_id)
    units = {task.host_unit_id: task.host_unit for task in tasks}
    return render_template("reviews/coordination.html", tasks=tasks, area=area,
                           area_choices=offered, unit_id=unit_id,
                           units=sorted(units.values(), key=lambda unit: unit.name))


def _task_or_404(task_id: int, action: str = "review.write") -> ReviewTask:
    """The task: 404 unless its case is in the user's scope and they may see the task (the
    host unit's reviewers, the area's coordinators), 403 without `action` on the case."""
    task = service.get_task(task_id)
    authorize(action, task.case if task is not None else None)
    return service.require_view(current_principal(), task)


def _review_form(task: ReviewTask, formdata=None) -> ReviewForm:
    if formdata is not None:
        return ReviewForm(formdata=formdata)
    form = ReviewForm(formdata=None)
    if task.state == "done":
        form.statement.data, form.discrepancy.data = task.statement, task.discrepancy
        form.comment.data = task.comment
    else:
        form.statement.data = service.template_for(task, current_language())
    return form


def _reassign_form(task: ReviewTask, failed: ReassignForm | None = None) -> ReassignForm | None:
    principal = current_principal()
    if task.state != "open" or not service.is_coordinator(principal, task.case):
        return None
    form = failed or ReassignForm(formdata=None)
    form.assignee_id.choices = [("", _("Choose a reviewer")), *(
        (person.id, person.name) for person in service.eligible_people(task, skip_absent=False))]
    if failed is None:
        form.assignee_id.data = task.assignee_id
    return form


def _show_task(task: ReviewTask, form: ReviewForm | None = None,
               reassign_form: ReassignForm | None = None, status: int = 200):
    service.read_task(actor_from_request(), task)
    principal = current_principal()
    writable = service.may_write(principal, task)
    return render_template(
        "reviews/task.html", task=task, case=task.case,
        area=care_areas().get(task.case.care_area),
        form=(form or _review_form(task)) if writable else None,
        reassign_form=_reassign_form(task, reassign_form),
        availability=task.item.availability_at(task.host_unit_id)), status


@blp.route("/reviews/<int:task_id>", methods=["GET", "POST"])
def show_task(task_id: int):
    task = _task_or_404(task_id)
    if request.method == "GET":
        return _show_task(task)
    form, status = ReviewForm(), 422
    if form.validate_on_submit():
        try:
            service.write_review(actor_from_request(), current_principal(), task,
                                 form.review_data())
        except FieldError as error:
            attach_error(form, error)
            status = error.status
            if not service.may_write(current_principal(), task):
                flash(str(error.message), "error")  # no form is shown to carry it
        else:
            flash(_("Review of case %(number)s saved.", number=task.case.number), "success")
            return redirect(url_for(".show_task", task_id=task.id))
    return _show_task(service.get_task(task_id), form=form, status=status)


@blp.post("/reviews/<int:task_id>/assignee")
def reassign(task_id: int):
    task = _task_or_404(task_id, "review.assign")
    form = ReassignForm()
    if form.validate_on_submit():
        try:
            service.reassign(actor_from_request(), current_principal(), task,
                             form.assignee_id.data)
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(_("Review of case %(number)s reassigned.", number=task.case.number),
                  "success")
            return redirect(url_for(".show_task", task_id=task.id))
    task = service.get_task(task_id)
    return _show_task(task, reassign_form=form, status=422)


# --- the case page ----------------------------------------------------------------------------

def case_section(case: Case, principal) -> dict[str, Any]:
    """The reviews part of the case page: the tasks and the combined statement."""
    tasks = service.case_tasks(case)
    may_write = bool(tasks) and service.may_write_statement(principal, case) and any(
        task.state == "done" for task in tasks)
    form = None
    if may_write:
        form = StatementForm(formdata=None)
        statement = case.review_statement
        form.text.data = statement.text if statement is not None else ""
    return {"tasks": tasks, "statement": case.review_statement, "form": form}


@blp.post("/cases/<int:case_id>/reviews/statement")
def write_statement(case_id: int):
    case = authorize("review.write", cases.get_case(case_id))
    form = StatementForm()
    if form.validate_on_submit():
        try:
            service.write_statement(actor_from_request(), current_principal(), case,
                                    form.text.data or "")
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(_("Combined review statement of case %(number)s saved.",
                    number=case.number), "success")
            return redirect(url_for("cases.show_case", case_id=case.id) + "#reviews")
    return render_case_page(cases.get_case(case_id), status=422,
                            section_data={"reviews": {"form": form}})
