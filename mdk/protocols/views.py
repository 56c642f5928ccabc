"""The protocol page of a case: the draft form (sections in the area file's order, each as
its kind's input), the chair's signature with a confirmation, the signed protocol with its
addenda and the addendum form.

A refused change shows the page again with the posted text kept in the form and the message
at its section (409 conflict, 422 bad input, 403 not the chair); nothing typed is lost.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from mdk.access import authorize, current_principal
from mdk.audit.service import actor_from_request
from mdk.cases import service as cases
from mdk.cases.models import Case
from mdk.documents import forms
from mdk.i18n import current_language
from mdk.protocols import fields, service
from mdk.validation import FieldError, field_messages

blp = Blueprint("protocols", __name__)
WRAP = 60  # about the characters a line of the form's text areas holds


@blp.app_template_global()
def protocol_value(section: dict, value: Any) -> str:
    return fields.shown_value(section, value, current_language())


@blp.app_template_global()
def section_label(item: dict) -> str:
    return item["label"].get(current_language(), item["label"]["sv"])


@blp.app_template_global()
def text_rows(value: Any) -> int:
    """A text section's height (protocol and care plan): four lines, or as many as it holds
    (a long line wraps in the form's width) and one to type in, up to twenty. The
    participants are one a line."""
    lines = sum(1 + len(line) // WRAP for line in str(value).split("\n")) + 1 if value else 0
    return max(4, min(lines, 20))


def _case(case_id: int, action: str) -> Case:
    return authorize(action, cases.get_case(case_id))


def _page(case: Case, status: int = 200, error: FieldError | None = None,
          failed: str | None = None, posted: dict[str, Any] | None = None):
    principal = current_principal()
    protocol = service.protocol_for(case)
    readable = protocol is not None and service.may_read(principal, case, protocol)
    if readable:
        service.read_protocol(actor_from_request(), case, protocol)
    else:
        cases.read_case(actor_from_request(), case)  # the page shows the case's identity
    sections = service.sections_for(case, protocol) if readable else []
    editing = readable and not protocol.signed and service.may_draft(principal, case)
    return render_template(
        "protocols/show.html", case=case, protocol=protocol if readable else None,
        drafting_elsewhere=protocol is not None and not readable,
        sections=sections, editing=editing,
        may_open=protocol is None and service.may_open_draft(principal, case),
        may_sign=readable and service.may_sign(principal, case, protocol),
        may_add_addendum=readable and service.may_add_addendum(principal, case, protocol),
        conference=protocol.conference if protocol is not None else case.conference,
        form_values=posted if posted is not None else (protocol.values if readable else {}),
        errors=field_messages(error) if error is not None else {}, failed=failed,
        addendum_posted=request.form if failed == "addendum" else {}), status


@blp.get("/cases/<int:case_id>/protocol")
def show_protocol(case_id: int):
    return _page(_case(case_id, "protocol.view"))


def _redirect(case: Case, anchor: str = ""):
    return redirect(url_for(".show_protocol", case_id=case.id) + anchor)


@blp.post("/cases/<int:case_id>/protocol/draft")
def open_draft(case_id: int):
    case = _case(case_id, "protocol.draft")
    try:
        service.open_draft(actor_from_request(), current_principal(), case)
    except FieldError as error:
        return _page(case, error.status, error, "open")
    return _redirect(case)


def _current(case: Case):
    protocol = service.protocol_for(case)
    if protocol is None:
        raise FieldError("protocol", _("Start the protocol first."))
    return protocol


@blp.post("/cases/<int:case_id>/protocol/save")
def save_draft(case_id: int):
    case = _case(case_id, "protocol.draft")
    posted = None
    try:
        protocol = _current(case)
        posted = forms.posted_values(request.form, service.sections_for(case, protocol))
        service.save_draft(actor_from_request(), current_principal(), case, protocol, posted,
                           request.form.get("version"))
    except FieldError as error:
        return _page(cases.get_case(case_id), error.status, error, "save", posted)
    flash(_("The protocol draft is saved."), "success")
    return _redirect(case)


@blp.post("/cases/<int:case_id>/protocol/sign")
def sign(case_id: int):
    case = _case(case_id, "protocol.sign")
    try:
        protocol = _current(case)
        service.sign(actor_from_request(), current_principal(), case, protocol,
                     request.form.get("version"), request.form.get("confirm") == "yes")
    except FieldError as error:
        return _page(cases.get_case(case_id), error.status, error, "sign")
    flash(_("The protocol is signed. The case is discussed."), "success")
    return _redirect(case)


@blp.post("/cases/<int:case_id>/protocol/addenda")
def add_addendum(case_id: int):
    case = _case(case_id, "protocol.addendum")
    try:
        protocol = _current(case)
        service.add_addendum(actor_from_request(), current_principal(), case, protocol,
                             request.form.get("text"), request.form.get("reason"))
    except FieldError as error:
        return _page(cases.get_case(case_id), error.status, error, "addendum")
    flash(_("The addendum is added to the protocol."), "success")
    return _redirect(case, "#addenda")


def case_section(case: Case, principal) -> dict[str, Any]:
    """The case page's link to the protocol (for those who may open the protocol page)."""
    from mdk.access import policy

    if not policy.can(principal, "protocol.view", case):
        return {"shown": False}
    protocol = service.protocol_for(case)
    return {"shown": protocol is not None or service.may_open_draft(principal, case),
            "protocol": protocol}
