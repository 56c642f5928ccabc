"""HTML pages for cases: the list (a coordinator's queue, a referrer's own cases), referring a
new case, completing it, and the case page with the moves the user may make.

Only case ids and numbers are ever part of a URL; the patient's identity number travels in
the POST body of the referral and is shown only where the access policy allows it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from mdk.access import authorize, visible_areas
from mdk.access.enforcement import current_principal
from mdk.audit.service import actor_from_request
from mdk.care_areas.service import care_areas
from mdk.cases import answers as referral_answers
from mdk.cases import identity, on_behalf, service, triage
from mdk.cases.forms import (
    CaseFields,
    ConfirmIdentityForm,
    MoveForm,
    NewCaseFields,
    OnBehalfFields,
    TakeCaseForm,
    form_class,
    form_field_name,
)
from mdk.cases.models import Case
from mdk.cases.workflow import (
    CASE_TYPE_LABELS,
    DEFAULT_STATE_CHOICE,
    MOVES,
    PRIORITY_LABELS,
    REMISS_SOURCE_HOW,
    REMISS_SOURCE_LABELS,
    STATE_GROUPS,
    STATE_LABELS,
    chosen_states,
)
from mdk.conferences.labels import offer_label
from mdk.forms import attach_error, optional_int
from mdk.material.readiness import assess_many
from mdk.patients.service import reservnummer_formats
from mdk.validation import FieldError

blp = Blueprint("cases", __name__)


@blp.app_template_global()
def case_state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))


@blp.app_template_global()
def case_type_label(case_type: str) -> str:
    return str(CASE_TYPE_LABELS.get(case_type, case_type))


@blp.app_template_global()
def priority_label(priority: str) -> str:
    return str(PRIORITY_LABELS.get(priority, priority))


@blp.app_template_global()
def remiss_came(source: str | None) -> str:
    """How a remiss registered on the unit's behalf came, as a sentence says it."""
    return str(REMISS_SOURCE_HOW.get(source or "", source or ""))


@blp.app_template_global()
def case_waiting(case: Case) -> str:
    """'waited 5 days' while the case waits for its MDK; empty for a draft or a case done."""
    days = triage.waiting_days(case)
    if days is None:
        return ""
    if days == 0:
        return _("received today")
    if days == 1:  # no plural forms in the catalogue tooling (tools/i18n.py): two messages
        return _("waited 1 day")
    return _("waited %(num)d days", num=days)


@blp.app_template_global()
def case_patient(case: Case) -> identity.ShownPatient:
    """The patient as this reader is shown them on the case: while its identity is to be
    checked, as the referral gave it, except to the area's coordinators."""
    return identity.shown_patient(current_principal(), case)


def _page_number() -> int:
    return optional_int(request.args.get("page", "1")) or 1


def _listed_areas() -> dict:
    """The care areas the case list's filter offers: those the user may see cases in."""
    return visible_areas("case.view")


def _area_arg(offered: dict) -> str | None:
    area = request.args.get("area") or None
    return area if area in offered else None


def _state_arg() -> str:
    """The state filter: one state, a group ("in_progress", "all"), or, when none or an
    unknown one is asked for, the cases in progress."""
    state = request.args.get("state")
    return state if state in STATE_LABELS or state in STATE_GROUPS else DEFAULT_STATE_CHOICE


@blp.get("/cases")
def list_cases():
    offered = _listed_areas()
    area, state, query = _area_arg(offered), _state_arg(), request.args.get("q") or None
    page = service.list_cases(actor_from_request(), current_principal(), area=area,
                              states=chosen_states((state,)), query=query,
                              page=_page_number())
    return render_template("cases/list.html", page=page, area=area, state=state, query=query,
                           areas=care_areas(), area_choices=offered, states=STATE_LABELS,
                           may_refer=bool(service.area_choices(current_principal())),
                           readiness=assess_many(page.cases))


# --- referring ------------------------------------------------------------------------------

def _referral_form(area, formdata=None, *, base=NewCaseFields):
    form = form_class(area, base)(**({} if formdata is None else {"formdata": formdata}))
    form.set_case_choices(area)
    form.set_choices([(key, entry.label) for key, entry in reservnummer_formats().items()])
    units = service.referring_units(current_principal(), area.key)
    form.referring_unit_id.choices = [("", _("Choose the referring unit")),
                                      *((unit.id, unit.name) for unit in units)]
    if len(units) == 1 and not form.referring_unit_id.data:
        form.referring_unit_id.data = units[0].id
    if isinstance(form, OnBehalfFields):
        _set_remiss_choices(form, area, units)
    return form


def _set_remiss_choices(form: OnBehalfFields, area, units) -> None:
    """The contacts under the unit they refer from (a unit without referrers offers none:
    its mailbox alone gets the receipt), and how a remiss comes."""
    by_unit = on_behalf.contacts_by_unit(area.key)
    form.contact_person_id.choices = [
        SelectChoice("", _("Choose the contact (none: the unit's mailbox only)")),
        *(SelectChoice(person.id, person.name, optgroup=unit.name)
          for unit in units for person in by_unit.get(unit.id, []))]
    form.remiss_source.choices = [("", _("Choose how the remiss came")),
                                  *REMISS_SOURCE_LABELS.items()]


def _attach(form, error: FieldError) -> None:
    attach_error(form, error, rename=form_field_name)


@blp.route("/cases/new", methods=["GET", "POST"])
def new_case():
    choices = service.area_choices(current_principal())
    area = care_areas().get(request.args.get("area", ""))
    if area is None and len(choices) == 1:
        area = choices[0]
    if area is None or area not in choices:
        return render_template("cases/choose_area.html", areas=choices)
    remiss = on_behalf.may_register(current_principal(), area.key)
    form = _referral_form(area, base=OnBehalfFields if remiss else NewCaseFields)
    if form.validate_on_submit():
        submit = request.form.get("submit_now") is not None
        try:
            case = _register(form, area, submit, for_unit=remiss and form.on_behalf.data)
        except FieldError as error:
            _attach(form, error)
        else:
            flash(_("Case %(number)s submitted to the MDK.", number=case.number) if submit
                  else _("Case %(number)s saved as a draft.", number=case.number), "success")
            return redirect(url_for(".show_case", case_id=case.id))
    return render_template("cases/new.html", form=form, area=area, remiss=remiss), \
        422 if form.errors or form.form_errors else 200


def _register(form, area, submit: bool, *, for_unit: bool) -> Case:
    """A referral, or a remiss registered on the referring unit's behalf with its PDF."""
    data = form.service_data(area.key, submit)
    if not for_unit:
        return service.register_case(actor_from_request(), current_principal(), data)
    stream, filename = form.remiss_upload()
    return on_behalf.register_on_behalf(actor_from_request(), current_principal(),
                                        {**data, **form.remiss_data()}, stream, filename)


@blp.route("/cases/<int:case_id>/edit", methods=["GET", "POST"])
def edit_case(case_id: int):
    case = authorize("case.edit", service.get_case(case_id))
    area = care_areas()[case.care_area]
    form = form_class(area, CaseFields)(obj=None if request.method == "POST" else case)
    form.set_case_choices(area)
    if request.method == "GET":
        for field in form.answer_fields():
            field.data = case.answers.get(field.name.removeprefix("answer_"), field.data)
    if form.validate_on_submit():
        try:
            service.update_case(actor_from_request(), case, form.case_data())
        except FieldError as error:
            _attach(form, error)
        else:
            flash(_("Referral saved."), "success")
            return redirect(url_for(".show_case", case_id=case.id))
    service.read_case(actor_from_request(), case)
    return render_template("cases/edit.html", form=form, case=case, area=area), \
        422 if form.errors or form.form_errors else 200


# --- the case page and its moves ------------------------------------------------------------

def _move_forms(case: Case, failed: MoveForm | None = None) -> dict[str, MoveForm]:
    conferences = [_meeting_choice(offer) for offer in triage.meeting_offers(case.care_area)]
    units = [(u.id, u.name) for u in service.treating_units(case.care_area)]
    forms = {}
    for move in service.possible_moves(current_principal(), case):
        form = failed if failed is not None and failed._prefix == f"{move.action}-" \
            else MoveForm(prefix=move.action, formdata=None)
        form.conference_id.choices = [("", _("Choose a meeting"), {}), *conferences]
        form.treating_unit_id.choices = [("", _("Not yet proposed")), *units]
        if failed is None and case.treating_unit_id:
            form.treating_unit_id.data = case.treating_unit_id
        forms[move.action] = form
    return forms


def _meeting_choice(offer: triage.MeetingOffer) -> tuple:
    """A meeting as the accept and defer forms offer it: day, week, time, host, booked
    places and referral deadline. A full one cannot be chosen (the service refuses it); one
    whose deadline has passed can, with a warning: the coordinator may take a late case."""
    return (offer.conference.id, offer_label(offer, with_deadline=True),
            {"disabled": True} if offer.full else {})


@dataclass(frozen=True)
class CasePageSection:
    """A part of the case page another feature adds (material, reviews ...): its template,
    given `section` (this) and `data` (what `context(case, principal)` returns)."""

    key: str
    template: str
    context: Callable[[Case, Any], dict[str, Any]]


# Filled at app start by the features' register(); shown after the meeting, in this order.
CASE_PAGE_SECTIONS: list[CasePageSection] = []


def add_case_page_section(section: CasePageSection) -> None:
    if all(known.key != section.key for known in CASE_PAGE_SECTIONS):
        CASE_PAGE_SECTIONS.append(section)


def render_case_page(case: Case, *, status: int = 200, page_errors: list | None = None,
                     section_data: dict[str, dict[str, Any]] | None = None):
    """The case page, e.g. shown again by another feature's view with its form's errors:
    `section_data` {section key: values} overrides what that section's context gives."""
    return _show(case, status=status, page_errors=page_errors, section_data=section_data)


def _sections(case: Case, overrides: dict[str, dict[str, Any]] | None) -> list[tuple]:
    principal, overrides = current_principal(), overrides or {}
    return [(section, {**section.context(case, principal), **overrides.get(section.key, {})})
            for section in CASE_PAGE_SECTIONS]


def _take_form(case: Case, failed: TakeCaseForm | None = None) -> TakeCaseForm | None:
    """Ta ärendet: for a coordinator of the area while the case is submitted or returned,
    with a choice of unit when they coordinate for several (None: not offered)."""
    units = service.take_units(current_principal(), case)
    if not units and failed is None:
        return None
    form = failed if failed is not None else TakeCaseForm(prefix="take", formdata=None)
    form.unit_id.choices = [(unit.id, unit.name) for unit in units]
    if form.unit_id.data is None and units:
        form.unit_id.data = units[0].id
    return form


def _show(case: Case, failed: MoveForm | None = None, status: int = 200,
          page_errors: list | None = None, section_data: dict | None = None,
          take_form: TakeCaseForm | None = None):
    service.read_case(actor_from_request(), case)
    area = care_areas()[case.care_area]
    forms = _move_forms(case, failed)
    # A move no longer offered (sent twice, or someone else was quicker) has no form left
    # to carry its error: say it above the page.
    lost = [] if failed is None or failed._prefix.rstrip("-") in forms else [
        *failed.form_errors, *(message for messages in failed.errors.values()
                               if isinstance(messages, list) for message in messages)]
    return render_template(
        "cases/show.html", case=case, area=area, moves=MOVES, forms=forms,
        page_errors=[*(page_errors or []), *lost],
        confirm_form=ConfirmIdentityForm() if case.identity_check_needed else None,
        warnings=referral_answers.eligibility_warnings(area, case.answers),
        issuer=reservnummer_formats().get(case.patient.identity_issuer or ""),
        take_form=_take_form(case, take_form),
        sections=_sections(case, section_data)), status


@blp.get("/cases/<int:case_id>")
def show_case(case_id: int):
    return _show(authorize("case.view", service.get_case(case_id)))


@blp.post("/cases/<int:case_id>/moves/<move>")
def move_case(case_id: int, move: str):
    case = service.get_case(case_id)
    chosen = MOVES.get(move)
    if chosen is None:
        authorize("case.view", case)
        abort(404)
    authorize(chosen.permission, case)
    form = MoveForm(prefix=chosen.action)
    fields = ("reason",) + (("conference_id", "treating_unit_id") if chosen.needs_conference
                            else ())
    if form.validate_on_submit():
        try:
            service.move_case(actor_from_request(), current_principal(), case, chosen.action,
                              form.move_data(fields))
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(_("Case %(number)s: %(state)s.", number=case.number,
                    state=STATE_LABELS[case.state]), "success")
            return redirect(url_for(".show_case", case_id=case.id))
    return _show(service.get_case(case_id), form, 422)


@blp.post("/cases/<int:case_id>/identity/confirm")
def confirm_identity(case_id: int):
    """The coordinator has checked that the case is the registered patient's."""
    case = authorize("case.triage", service.get_case(case_id))
    form = ConfirmIdentityForm()
    if form.validate_on_submit():
        try:
            identity.confirm_identity(actor_from_request(), current_principal(), case)
        except FieldError as error:
            return _show(case, page_errors=[error.message], status=409)
        flash(_("Case %(number)s: the registered identity is confirmed.", number=case.number),
              "success")
        return redirect(url_for(".show_case", case_id=case.id))
    return _show(case, page_errors=[_("The form has expired: try again.")], status=400)


@blp.post("/cases/<int:case_id>/take")
def take_case(case_id: int):
    """Ta ärendet: the coordinator's unit handles the case from now on (and its coordinators
    see a protected identity before triage)."""
    case = authorize("case.triage", service.get_case(case_id))
    form = TakeCaseForm(prefix="take")
    if form.validate_on_submit():
        try:
            service.take_case(actor_from_request(), current_principal(), case,
                              form.unit_id.data)
        except FieldError as error:
            attach_error(form, error)
            return _show(service.get_case(case_id), take_form=form, status=error.status)
        flash(_("Case %(number)s: your unit handles it now.", number=case.number), "success")
        # Back to the inbox when taken there (a fixed choice, never a URL sent).
        if request.form.get("back") == "inbox":
            return redirect(url_for("queues.inbox"))
        return redirect(url_for(".show_case", case_id=case.id))
    return _show(service.get_case(case_id), take_form=form, status=422)
