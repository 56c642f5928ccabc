"""HTML pages for people (competences, absences, roles) and the competence register.

Who may open each page is checked by the access hook (mdk.access); a page that loads a
person checks that person with `authorize`, and the forms offer only the units and care
areas the user may act on.
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
from flask_login import current_user

from mdk.access import authorize, can, current_principal, may_place, policy, visible
from mdk.audit.service import actor_from_request
from mdk.care_areas.service import care_areas, competences
from mdk.forms import attach_error, optional_int, status_for
from mdk.i18n import current_language
from mdk.people import service
from mdk.people.forms import (
    AREA_NOT_YOURS,
    MAIL_LANGUAGES,
    ROLE_LABELS,
    UNIT_NOT_YOURS,
    AbsenceForm,
    MailPreferencesForm,
    PersonForm,
    RegisterFilterForm,
    RoleForm,
)
from mdk.people.models import ROLES
from mdk.units.service import list_units
from mdk.validation import FieldError

blp = Blueprint("people", __name__)


@blp.app_template_global()
def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


def _unit_choices(action: str | None = None) -> list[tuple[str, str]]:
    units = visible(action, list_units()) if action else list_units()
    return [("", _("Choose a unit"))] + [
        (str(unit.id), f"{unit.name} ({unit.short_name})") for unit in units]


def _area_choices(action: str | None = None) -> list[tuple[str, str]]:
    language = current_language()
    areas = sorted(care_areas().items())
    return [(key, area.name(language)) for key, area in areas
            if action is None or can(action, area)]


def _person_form(action: str, **kwargs) -> PersonForm:
    form = PersonForm(**kwargs)
    form.unit_id.choices = _unit_choices(action)
    language = current_language()
    form.competences.choices = [(key, competence.label(language))
                                for key, competence in competences().items()]
    return form


def _role_form() -> RoleForm:
    form = RoleForm(prefix="role")
    form.role.choices = [(role, ROLE_LABELS[role]) for role in ROLES]
    form.care_area.choices = _area_choices("role.manage")
    form.unit_id.choices = [("", _("The person's own unit"))] + _unit_choices()[1:]
    return form


# --- people ---------------------------------------------------------------------------------

@blp.get("/people")
def list_people():
    query = request.args.get("q", "").strip()
    scope = policy.scope_of(current_principal(), "person.view")
    without_roles = request.args.get("without_roles") == "1"
    page = service.people_page(None if scope.everything else scope.areas, query or None,
                               optional_int(request.args.get("page", "1")) or 1,
                               without_roles=without_roles)
    return render_template("people/list.html", page=page, people=page.people,
                           query=query, without_roles=without_roles, areas=care_areas(),
                           language=current_language())


@blp.route("/people/new", methods=["GET", "POST"])
def new_person():
    form = _person_form("person.create")
    if form.validate_on_submit():
        try:
            if not may_place("person.create", form.unit_id.data):
                raise FieldError("unit_id", UNIT_NOT_YOURS)
            person = service.create_person(form.service_data())
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(_("%(name)s saved.", name=person.name), "success")
            return redirect(url_for(".show_person", person_id=person.id))
    return render_template("people/form.html", form=form, person=None), status_for(form)


@blp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
def edit_person(person_id: int):
    person = authorize("person.edit", service.get_person(person_id))
    form = _person_form("person.edit", obj=person)
    if all(value != str(person.unit_id) for value, _label in form.unit_id.choices):
        form.unit_id.choices.append((str(person.unit_id), person.unit.name))  # may stay
    if not form.is_submitted():
        form.competences.data = person.competence_keys  # keys, not the rows `obj` gives
    if form.validate_on_submit():
        try:
            if (form.unit_id.data != person.unit_id
                    and not may_place("person.edit", form.unit_id.data)):
                raise FieldError("unit_id", UNIT_NOT_YOURS)
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
    return _show(authorize("person.view", service.get_person(person_id)))


@blp.post("/people/<int:person_id>/absences")
def add_absence(person_id: int):
    person = authorize("person.edit", service.get_person(person_id))
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
    person = authorize("person.edit", service.get_person(person_id))
    if not service.remove_absence(person, absence_id):
        abort(404)
    flash(_("Absence removed."), "success")
    return redirect(url_for(".show_person", person_id=person.id))


@blp.post("/people/<int:person_id>/roles")
def grant_role(person_id: int):
    person = authorize("person.roles", service.get_person(person_id))
    form = _role_form()
    if form.validate_on_submit():
        try:
            area = care_areas().get(form.care_area.data)
            if area is not None and not can("role.manage", area):
                raise FieldError("care_area", AREA_NOT_YOURS)
            service.grant_role(person, form.role.data, form.care_area.data, form.unit_id.data)
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(_("Role granted."), "success")
            return redirect(url_for(".show_person", person_id=person.id))
    return _show(person, role_form=form, status=status_for(form))


@blp.post("/people/<int:person_id>/roles/<int:grant_id>/delete")
def revoke_role(person_id: int, grant_id: int):
    person = authorize("person.roles", service.get_person(person_id))
    grant = next((grant for grant in person.role_grants if grant.id == grant_id), None)
    authorize("role.manage", grant)
    if not service.revoke_role(person, grant_id):
        abort(404)
    flash(_("Role removed."), "success")
    return redirect(url_for(".show_person", person_id=person.id))


# --- the person's own page ---------------------------------------------------------------

@blp.route("/me", methods=["GET", "POST"])
def own_page():
    """Everyone's own page: who they are, and what mail the service sends them."""
    person = service.get_person(current_user.id)
    form = MailPreferencesForm(obj=None if request.method == "POST" else person)
    form.locale.choices = MAIL_LANGUAGES
    if not form.is_submitted():
        form.locale.data = service.mail_locale(person)
    if form.validate_on_submit():
        try:
            service.set_mail_preferences(actor_from_request(), person, form.locale.data,
                                         bool(form.informational_mail.data))
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(_("Your mail settings are saved."), "success")
            return redirect(url_for(".own_page"))
    return render_template("people/own.html", person=person, form=form,
                           areas=care_areas(), language=current_language()), status_for(form)


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
