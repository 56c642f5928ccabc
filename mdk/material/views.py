"""The material section of the case page (its list, what is missing, the forms), the
posts of those forms, the download of a file, and the readiness summary the case lists
show. Entries are named in URLs by their checklist key or "item-<id>": never patient data.

A refused form shows the case page again (422, or 409 when the case is no longer open)
with the error at its field and nothing saved.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from mdk.access import authorize, current_principal, policy
from mdk.audit.service import actor_from_request
from mdk.care_areas.service import care_area
from mdk.cases import service as cases
from mdk.cases.models import Case
from mdk.cases.views import CasePageSection, add_case_page_section, render_case_page
from mdk.forms import attach_error
from mdk.i18n import current_language, format_day
from mdk.material import service, uploads
from mdk.material.forms import (
    AvailabilityForm,
    ExtraItemForm,
    ItemForm,
    UploadForm,
    availability_label,
    reference_kind_label,
)
from mdk.material.readiness import MISSING, NOT_AT_HOST, TOO_OLD, UNDATED, Entry, Readiness
from mdk.validation import FieldError

blp = Blueprint("material", __name__)

SECTION_KEY = "material"
NEW_ITEM = "new"


# --- the case page's section ------------------------------------------------------------------

def _item_form(entry_key: str, item, area, *, bound: bool = False):
    """An entry's form: bound to the request's post, or shown with the item's values."""
    extra = entry_key.startswith(service.EXTRA_PREFIX) or entry_key == NEW_ITEM
    cls = ExtraItemForm if extra else ItemForm
    form = cls(prefix=f"{entry_key}-", **({} if bound else {"formdata": None}))
    form.set_choices(service.review_competences(area))
    if not bound:
        form.fill_from(item)
    return form


def _availability_form(entry_key: str, units, *, bound: bool = False):
    form = AvailabilityForm(prefix=f"{entry_key}-availability-",
                            **({} if bound else {"formdata": None}))
    return form.set_choices(units)


def _upload_form(entry_key: str, *, bound: bool = False):
    return UploadForm(prefix=f"{entry_key}-upload-", **({} if bound else {"formdata": None}))


def section_context(case: Case, principal: policy.Principal) -> dict[str, Any]:
    """What the section shows: the entries with their state, and the forms for those who
    may change the material while the case is open."""
    readiness = service.readiness_of(case)
    area = care_area(case.care_area)
    editable = service.is_open(case) and policy.can(principal, "material.edit", case)
    forms: dict[str, dict[str, Any]] = {}
    if editable:
        units = service.nhv_units(case.care_area)
        for entry in readiness.entries:
            forms[entry.key] = {"item": _item_form(entry.key, entry.item, area),
                                "availability": _availability_form(entry.key, units),
                                "upload": _upload_form(entry.key)}
    identity = policy.may_see_case_identity(principal, case)
    names = {found.id: service.shown_file_name(case, found, identity)
             for entry in readiness.entries if entry.item is not None
             for found in entry.item.files}
    return {"readiness": readiness, "messages": readiness.describe(current_language()),
            "file_names": names,
            "states": {entry.key: entry_states(entry, readiness)
                       for entry in readiness.entries},
            "editable": editable, "open": service.is_open(case), "forms": forms,
            "new_item": _item_form(NEW_ITEM, None, area) if editable else None,
            "failed": None}


def entry_states(entry: Entry, readiness: Readiness) -> list[tuple[str, str]]:
    """The entry's state in plain words, each with its CSS class: what is wrong with it,
    or that it is there."""
    found = [problem for problem in readiness.problems if problem.key == entry.key]
    if not found:
        if entry.item is None or not entry.item.provided:
            return [(_("Optional, not given"), "muted")]
        return [(_("Present"), "ok")]
    host = readiness.conference.host_unit.short_name \
        if readiness.conference is not None and readiness.conference.host_unit else None
    words = {MISSING: _("Missing"), UNDATED: _("Examination date missing"),
             NOT_AT_HOST: _("Not yet at %(host)s", host=host) if host
             else _("Not yet at the host unit")}
    states = []
    for problem in found:
        if problem.code == TOO_OLD:
            text = _("Too old on the meeting day (from %(day)s)",
                     day=format_day(problem.too_old_on))
        else:
            text = words.get(problem.code, problem.code)
        states.append((text, "problem" if problem.blocking else "warning"))
    return states


def readiness_summary(readiness: Readiness | None, case: Case | None = None) -> str:
    """'klart', '2 saknas · 1 för gammal': a case list's column (blocking problems only;
    nothing for a case discussed or ended, whose material no longer changes)."""
    if readiness is None or (case is not None and not service.is_open(case)):
        return ""
    if readiness.ready:
        return _("complete")
    counts: dict[str, int] = {}
    for problem in readiness.blocking:
        counts[problem.code] = counts.get(problem.code, 0) + 1
    words = {MISSING: lambda n: _("1 missing") if n == 1 else _("%(num)d missing", num=n),
             UNDATED: lambda n: _("1 undated") if n == 1 else _("%(num)d undated", num=n),
             TOO_OLD: lambda n: _("1 too old") if n == 1 else _("%(num)d too old", num=n),
             NOT_AT_HOST: lambda n: _("1 not at the host") if n == 1
             else _("%(num)d not at the host", num=n)}
    return " · ".join(text(counts[code]) for code, text in words.items() if code in counts)


# --- the forms' posts -----------------------------------------------------------------------

def _editable_case(case_id: int) -> Case:
    case = authorize("case.view", cases.get_case(case_id))
    return authorize("material.edit", case)


def _unknown_entry(case: Case, key: str):
    """A post for an entry the case's list does not have: bad input (a stale page, a
    hand-made request), shown above the page; None when the entry is known."""
    if service.is_entry(case, key):
        return None
    return render_case_page(case, status=422, page_errors=[
        _("That entry is not on the case's material list: reload the page.")])


def _again(case_id: int, key: str, kind: str, form, status: int):
    """The case page again, the failed form with its errors (its <details> open)."""
    service.discard_refused()
    case = cases.get_case(case_id)
    return render_case_page(case, status=status, section_data={
        SECTION_KEY: {"failed": {"key": key, "kind": kind, "form": form}}})


def _done(case: Case, key: str, message: str):
    flash(message, "success")
    return redirect(url_for("cases.show_case", case_id=case.id, _anchor=f"material-{key}"))


def _refused(form, error: FieldError) -> int:
    service.discard_refused()
    attach_error(form, error)
    return error.status


@blp.post("/cases/<int:case_id>/material")
def add_item(case_id: int):
    case = _editable_case(case_id)
    form = _item_form(NEW_ITEM, None, care_area(case.care_area), bound=True)
    if not form.validate_on_submit():
        return _again(case_id, NEW_ITEM, "item", form, 422)
    try:
        item = service.add_item(actor_from_request(), case, form.item_data())
    except FieldError as error:
        return _again(case_id, NEW_ITEM, "item", form, _refused(form, error))
    return _done(case, service.entry_key(item), _("The item was added."))


@blp.post("/cases/<int:case_id>/material/<key>")
def save_entry(case_id: int, key: str):
    case = _editable_case(case_id)
    if (refused := _unknown_entry(case, key)) is not None:
        return refused
    form = _item_form(key, None, care_area(case.care_area), bound=True)
    if not form.validate_on_submit():
        return _again(case_id, key, "item", form, 422)
    try:
        service.save_entry(actor_from_request(), case, key, form.item_data())
    except FieldError as error:
        return _again(case_id, key, "item", form, _refused(form, error))
    return _done(case, key, _("The material was saved."))


@blp.post("/cases/<int:case_id>/material/<key>/availability")
def set_availability(case_id: int, key: str):
    case = _editable_case(case_id)
    if (refused := _unknown_entry(case, key)) is not None:
        return refused
    form = _availability_form(key, service.nhv_units(case.care_area), bound=True)
    if not form.validate_on_submit():
        return _again(case_id, key, "availability", form, 422)
    try:
        service.set_availability(actor_from_request(), case, key, form.availability_data())
    except FieldError as error:
        return _again(case_id, key, "availability", form, _refused(form, error))
    return _done(case, key, _("The availability was saved."))


@blp.post("/cases/<int:case_id>/material/<key>/files")
def upload_file(case_id: int, key: str):
    case = _editable_case(case_id)
    if (refused := _unknown_entry(case, key)) is not None:
        return refused
    form = _upload_form(key, bound=True)  # Flask-WTF binds request.files with the form
    if not form.validate_on_submit():
        return _again(case_id, key, "upload", form, 422)
    chosen = form.file.data
    has_file = chosen is not None and getattr(chosen, "filename", None)
    try:
        service.attach_file(actor_from_request(), case, key,
                            chosen.stream if has_file else None,
                            chosen.filename if has_file else None)
    except FieldError as error:
        return _again(case_id, key, "upload", form, _refused(form, error))
    return _done(case, key, _("The file was uploaded."))


@blp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge):
    """A body over MDK_MAX_REQUEST_MB is cut before it is read (before the CSRF check
    too): on the upload form that is still the file's fault, named at its field."""
    args = request.view_args or {}
    case = cases.get_case(args["case_id"]) if request.endpoint == "material.upload_file" \
        else None
    principal = current_principal()
    if case is None or not policy.can(principal, "case.view", case) \
            or not policy.can(principal, "material.edit", case):
        return render_template("core/error.html", status=413,
                               message=_("What you sent is too large.")), 413
    form = _upload_form(args["key"])
    form.file.errors = [uploads.too_large_message()]
    return render_case_page(case, status=413, section_data={
        SECTION_KEY: {"failed": {"key": args["key"], "kind": "upload", "form": form}}})


# --- the download ----------------------------------------------------------------------------

def file_response(case: Case, found, path):
    """A stored file as an attachment (RFC 6266 filename*, for a name that is not ASCII),
    with its sniffed type and no sniffing by the browser."""
    name = service.shown_file_name(case, found,
                           policy.may_see_case_identity(current_principal(), case))
    response = send_file(path, mimetype=found.content_type, as_attachment=True,
                         download_name=name, conditional=False, etag=False, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blp.get("/cases/<int:case_id>/files/<int:file_id>")
def download_file(case_id: int, file_id: int):
    case = authorize("case.view", cases.get_case(case_id))
    found = service.get_file(case, file_id)
    if found is None:
        abort(404)
    path = service.download(actor_from_request(), case, found)
    if path is None:
        abort(404)
    return file_response(case, found, path)


# --- template helpers ------------------------------------------------------------------------

@blp.app_template_global()
def material_reference_kind(key: str | None) -> str:
    return reference_kind_label(key)


@blp.app_template_global()
def material_availability(key: str) -> str:
    return availability_label(key)


@blp.app_template_global("readiness_summary")
def _readiness_summary(readiness: Readiness | None, case: Case | None = None) -> str:
    return readiness_summary(readiness, case)


def register_section() -> None:
    add_case_page_section(CasePageSection(SECTION_KEY, "material/section.html",
                                          section_context))
