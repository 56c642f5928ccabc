"""HTML pages for people (competences, absences, roles) and the competence register.

Open for now; the login issue adds the policy check in `_before_request`, one place for all.
"""

from __future__ import annotations

from datetime import datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from mdk.care_areas.service import care_areas, competences
from mdk.i18n import current_language
from mdk.people import service
from mdk.people.forms import (
    ROLE_LABELS,
    AbsenceForm,
    PersonForm,
    RegisterFilterForm,
    RoleForm,
)
from mdk.people.models import ROLES
from mdk.units.forms import attach_error, status_for
from mdk.units.service import list_units
from mdk.validation import FieldError

blp = Blueprint("people", __name__)


@blp.before_request
def _before_request() -> None:
    """The single place where the access policy for these pages will be checked."""


@blp.app_template_global()
def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


def _unit_choices() -> list[tuple[str, str]]:
    return [("", _("Choose a unit"))] + [
        (str(unit.id), f"{unit.name} ({unit.short_name})") for unit in list_units()]


def _area_choices() -> list[tuple[str, str]]:
    language = current_language()
    return [(key, area.name(language)) for key, area in sorted(care_areas().items())]


def _person_form(**kwargs) -> PersonForm:
    form = PersonForm(**kwargs)
    form.unit_id.choices = _unit_choices()
    language = current_language()
    form.competences.choices = [(key, competence.label(language))
                                for key, competence in competences().items()]
    return form


def _role_form() -> RoleForm:
    form = RoleForm(prefix="role")
    form.role.choices = [(role, ROLE_LABELS[role]) for role in ROLES]
    form.care_area.choices = _area_choices()
    form.unit_id.choices = [("", _("The person's own unit"))] + _unit_choices()[1:]
    return form


# --- people ---------------------------------------------------------------------------------

@blp.get("/people")
def list_people():
    query = request.args.get("q", "").strip()
    return render_template("people/list.html", people=service.list_people(query=query or None),
                           query=query, areas=care_areas(), language=current_language())


@blp.route("/people/new", methods=["GET", "POST"])
def new_person():
    form = _person_form()
    if form.validate_on_submit():
        try:
            person = service.create_person(form.service_data())
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(_("%(name)s saved.", name=person.name), "success")
            return redirect(url_for(".show_person", person_id=person.id))
    return render_template("people/form.html", form=form, person=None), status_for(form)


@blp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
def edit_person(person_id: int):
    person = service.get_person(person_id) or abort(404)
    form = _person_form(obj=person)
    if not form.is_submitted():
        form.competences.data = person.competence_keys  # keys, not the rows `obj` gives
    if form.validate_on_submit():
        try:
            service.update_person(person, form.service_data())
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(_("%(name)s saved.", name=person.name), "success")
            return redirect(url_for(".show_person", person_id=person.id))
    return render_template("people/form.html", form=form, person=person), status_for(form)


def _show(person, absence_form=None, role_form=None, status=200):
    return render_template(
        "people/show.html", person=person,
        absence_form=absence_form or AbsenceForm(prefix="absence", formdata=None),
        role_form=role_form or _role_form(), areas=care_areas(),
        language=current_language()), status


@blp.get("/people/<int:person_id>")
def show_person(person_id: int):
    return _show(service.get_person(person_id) or abort(404))


@blp.post("/people/<int:person_id>/absences")
def add_absence(person_id: int):
    person = service.get_person(person_id) or abort(404)
    form = AbsenceForm(prefix="absence")
    if form.validate_on_submit():
        try:
            service.add_absence(person, form.first_day.data, form.last_day.data,
                                form.reason.data)
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(_("Absence saved."), "success")
            return redirect(url_for(".show_person", person_id=person.id))
    return _show(person, absence_form=form, status=status_for(form))


@blp.post("/people/<int:person_id>/absences/<int:absence_id>/delete")
def remove_absence(person_id: int, absence_id: int):
    person = service.get_person(person_id) or abort(404)
    if not service.remove_absence(person, absence_id):
        abort(404)
    flash(_("Absence removed."), "success")
    return redirect(url_for(".show_person", person_id=person.id))


@blp.post("/people/<int:person_id>/roles")
def grant_role(person_id: int):
    person = service.get_person(person_id) or abort(404)
    form = _role_form()
    if form.validate_on_submit():
        try:
            service.grant_role(person, form.role.data, form.care_area.data, form.unit_id.data)
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(_("Role granted."), "success")
            return redirect(url_for(".show_person", person_id=person.id))
    return _show(person, role_form=form, status=status_for(form))


@blp.post("/people/<int:person_id>/roles/<int:grant_id>/delete")
def revoke_role(person_id: int, grant_id: int):
    person = service.get_person(person_id) or abort(404)
    if not service.revoke_role(person, grant_id):
        abort(404)
    flash(_("Role removed."), "success")
    return redirect(url_for(".show_person", person_id=person.id))


# --- competence register --------------------------------------------------------------------

@blp.get("/competence-register")
def competence_register():
    today = datetime.now(current_app.config["MDK"].tz).date()
    year, week, _weekday = today.isocalendar()
    form = RegisterFilterForm(formdata=request.args or None)
    form.area.choices = _area_choices()
    form.area.data = form.area.data or next(iter(sorted(care_areas())), "")
    form.week.data = form.week.data or service.format_iso_week(year, week)
    form.validate()
    rows, area = [], None
    if not care_areas():
        return render_template("people/register.html", form=None, area=None, rows=[],
                               iso_year=year, iso_week=week, language=current_language())
    try:
        area = service.care_area_or_error(form.area.data, "area")
        year, week = service.parse_iso_week(form.week.data, "week")
        rows = service.competence_register(area, year, week)
    except FieldError as error:
        attach_error(form, error)
    return render_template("people/register.html", form=form, area=area, rows=rows,
                           iso_year=year, iso_week=week,
                           language=current_language()), status_for(form)
