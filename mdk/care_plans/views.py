"""The care-plan page of a case: the draft form (sections in the area file's order, each as
its kind's input; rehabilitation and schedule sections as tables of editable rows), the
establishing with a confirmation, the established version read-only with the earlier
versions, and "revise" making a new draft version.

A refused change shows the page again with the posted text kept in the form and the message
at its section (409 conflict, 422 bad input, 403 not allowed); nothing typed is lost.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from mdk.access import authorize, current_principal
from mdk.audit.service import actor_from_request
from mdk.care_plans import service
from mdk.cases import service as cases
from mdk.cases.models import Case
from mdk.documents import forms
from mdk.protocols import rows as row_kinds
from mdk.protocols import service as protocols
from mdk.validation import FieldError, field_messages

blp = Blueprint("care_plans", __name__)


@blp.app_template_global()
def schedule_when(row: dict) -> str:
    return row_kinds.when(row)


def _case(case_id: int, action: str) -> Case:
    return authorize(action, cases.get_case(case_id))


def _page(case: Case, status: int = 200, error: FieldError | None = None,
          failed: str | None = None, posted: dict[str, Any] | None = None):
    principal = current_principal()
    protocol = protocols.protocol_for(case)
    revisions = service.revisions_of(case, protocol) if protocol is not None else []
    readable = service.readable_revisions(principal, case, revisions)
    plan = revisions[-1] if revisions and revisions[-1] in readable else None
    shown = plan or next((p for p in reversed(readable) if p.established), None)
    if shown is not None:
        service.read_plan(actor_from_request(), case, shown)
    else:
        cases.read_case(actor_from_request(), case)  # the page shows the case's identity
    conference = protocol.conference if protocol is not None else None
    editor = protocol is not None and service.may_edit(principal, case, conference)
    editing = plan is not None and not plan.established and editor
    return render_template(
        "care_plans/show.html", case=case, protocol=protocol, plan=plan, shown=shown,
        history=[p for p in readable if p is not shown], editing=editing,
        sections=service.sections_for(case, shown) if shown is not None else [],
        may_open=protocol is not None and not revisions and editor,
        may_establish=editing and protocol.signed,
        may_revise=editor and plan is not None and plan.established,
        form_values=posted if posted is not None else (plan.values if plan else {}),
        errors=field_messages(error) if error is not None else {}, failed=failed,
        blank_rows=forms.BLANK_ROWS, units=row_kinds.UNIT_LABELS, anchors=row_kinds.ANCHOR_LABELS,
        columns=forms.COLUMNS), status


@blp.get("/cases/<int:case_id>/care-plan")
def show_care_plan(case_id: int):
    return _page(_case(case_id, "care_plan.view"))


def _redirect(case: Case):
    return redirect(url_for(".show_care_plan", case_id=case.id))


def _latest(case: Case):
    protocol = protocols.protocol_for(case)
    revisions = service.revisions_of(case, protocol) if protocol is not None else []
    if not revisions:
        raise FieldError("care_plan", _("Start the care plan first."))
    return revisions[-1]


@blp.post("/cases/<int:case_id>/care-plan/draft")
def open_draft(case_id: int):
    case = _case(case_id, "care_plan.edit")
    try:
        service.open_draft(actor_from_request(), current_principal(), case)
    except FieldError as error:
        return _page(case, error.status, error, "open")
    return _redirect(case)


@blp.post("/cases/<int:case_id>/care-plan/save")
def save_draft(case_id: int):
    case = _case(case_id, "care_plan.edit")
    posted = None
    try:
        plan = _latest(case)
        posted = forms.posted_values(request.form, service.sections_for(case, plan))
        service.save_draft(actor_from_request(), current_principal(), case, plan, posted,
                           request.form.get("version"))
    except FieldError as error:
        return _page(cases.get_case(case_id), error.status, error, "save", posted)
    flash(_("The care plan draft is saved."), "success")
    return _redirect(case)


@blp.post("/cases/<int:case_id>/care-plan/establish")
def establish(case_id: int):
    case = _case(case_id, "care_plan.edit")
    try:
        service.establish(actor_from_request(), current_principal(), case, _latest(case),
                          request.form.get("version"), request.form.get("confirm") == "yes")
    except FieldError as error:
        return _page(cases.get_case(case_id), error.status, error, "establish")
    flash(_("The care plan is established."), "success")
    return _redirect(case)


@blp.post("/cases/<int:case_id>/care-plan/revise")
def revise(case_id: int):
    case = _case(case_id, "care_plan.edit")
    try:
        service.revise(actor_from_request(), current_principal(), case, _latest(case))
    except FieldError as error:
        return _page(cases.get_case(case_id), error.status, error, "revise")
    flash(_("A new version of the care plan is started from the established one."), "success")
    return _redirect(case)
