"""Calendar pages: month and list views per care area, the meeting page with the coordinators'
forms, adding a meeting, the rotation page, and unit unavailability and closures.

Coordinators (and admins) of an area edit; everyone else reads. `_can_edit` is the one place
that decides, until the access-policy module replaces it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime, timedelta

from babel.dates import get_day_names, get_month_names
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from mdk.access import authorize, can, current_principal, visible_areas
from mdk.audit.service import actor_from_request
from mdk.calendar.closures import holidays_between
from mdk.care_areas.domain import CareArea
from mdk.care_areas.service import care_areas
from mdk.cases import service as cases
from mdk.cases import triage
from mdk.conferences import grid, queries, service
from mdk.conferences.forms import (
    STATUS_LABELS,
    AddConferenceForm,
    CancelForm,
    ClosureForm,
    DetailsForm,
    ListFilterForm,
    MoveForm,
    OverrideHostForm,
    SwapHostsForm,
    UnavailabilityForm,
)
from mdk.db import utcnow
from mdk.forms import attach_error, status_for
from mdk.i18n import current_language, format_datetime_local, to_local
from mdk.validation import FIRST_YEAR, LAST_YEAR, FieldError, parse_day

blp = Blueprint("calendar", __name__)

COLOUR_PATTERN = re.compile(r"#[0-9a-fA-F]{6}")
LIST_DEFAULT_WEEKS = 12
LIST_MAX_DAYS = 2 * 366  # a list longer than two years is not a page anyone reads
SWAP_WEEKS_AHEAD = 26


# --- helpers ----------------------------------------------------------------------------------

def _zone():
    return current_app.config["MDK"].tz


def _today() -> date:
    return datetime.now(_zone()).date()


def _area_or_404(area_key: str) -> CareArea:
    """The care area in the URL, if the user may see its calendar (404 otherwise)."""
    return authorize("conference.view", care_areas().get(area_key))


def _can_edit(area_key: str) -> bool:
    """Whether the user edits this area's calendar (the access policy decides)."""
    area = care_areas().get(area_key)
    return area is not None and can("conference.edit", area)


def _require_edit(area_key: str) -> None:
    authorize("conference.edit", care_areas().get(area_key))


def _conference_or_404(conference_id: int):
    conference = service.get_conference(conference_id)
    if conference is not None and conference.care_area not in care_areas():
        conference = None  # its care area is no longer configured
    return authorize("conference.view", conference)


def _editable_conference(conference_id: int):
    """The meeting in the URL, if the user may plan its care area (404 / 403 otherwise)."""
    conference = _conference_or_404(conference_id)
    _require_edit(conference.care_area)
    return conference


def _visible_areas() -> dict[str, CareArea]:
    """The care areas whose calendars the user may see: the area switcher offers only these."""
    return visible_areas("conference.view")


def _first_visible_area() -> CareArea:
    """The first care area whose calendar the user may see (404 when there is none)."""
    area = next(iter(_visible_areas().values()), None)
    if area is None:
        abort(404)
    return area


@blp.app_template_global()
def conference_status_label(status: str, ends_at: datetime | None = None) -> str:
    """The status as people say it: a meeting held (begun) that has not ended yet is in
    progress, not "held" (genomfört) while they sit in it."""
    if status == "held" and ends_at is not None and utcnow() < ends_at:
        return _("In progress")
    return str(STATUS_LABELS.get(status, status))


@blp.app_template_global()
def unit_colour_class(hsa_id: str | None) -> str:
    """The class the generated stylesheet gives this unit's colour (see unit_colours)."""
    return f"unit-{hsa_id}" if hsa_id else "unit-none"


@blp.app_template_filter("local_time")
def local_time(moment: datetime) -> str:
    return f"{to_local(moment):%H:%M}"


@blp.app_template_filter("short_day")
def short_day(day: date) -> str:
    """'24 dec': a day inside a calendar cell, where the week and year are already shown."""
    month = get_month_names("abbreviated", locale=current_language())[day.month].rstrip(".")
    return f"{day.day} {month}"


@blp.app_template_filter("local_month")
def local_month(moment: datetime) -> str:
    """'2026-12': the month view a meeting is shown in."""
    return f"{to_local(moment):%Y-%m}"


def _series_name(area: CareArea, series_key: str) -> str:
    series = area.series_by_key(series_key)
    return series.name(current_language()) if series else series_key


# --- the unit colours -------------------------------------------------------------------------

@blp.get("/calendar/unit-colours.css")
def unit_colours():
    """One class per NHV unit with its colour from the care-area file: the strict CSP allows
    no style attributes, so colours reach the page as classes of this small stylesheet."""
    rules = {}
    for area in care_areas().values():
        for unit in area.nhv_units:
            if COLOUR_PATTERN.fullmatch(unit.colour):
                rules[unit.hsa_id] = unit.colour
    body = "".join(f".{unit_colour_class(hsa_id)} {{ --unit-colour: {colour}; }}\n"
                   for hsa_id, colour in sorted(rules.items()))
    response = Response(body, mimetype="text/css")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


# --- month and list views ---------------------------------------------------------------------

@blp.get("/calendar")
def calendar_home():
    return redirect(url_for(".area_home", area_key=_first_visible_area().key))


@blp.get("/calendar/<area_key>")
def area_home(area_key: str):
    _area_or_404(area_key)
    return redirect(url_for(".month_view", area_key=area_key, month=f"{_today():%Y-%m}"))


@blp.get("/calendar/<area_key>/<month>")
def month_view(area_key: str, month: str):
    area = _area_or_404(area_key)
    parsed = grid.parse_month(month)
    if parsed is None:
        abort(404)
    year, month_number = parsed
    first, last = grid.month_span(year, month_number)
    conferences = service.list_conferences(area_key, first, last)
    by_day: dict[date, list] = defaultdict(list)
    for conference in conferences:
        by_day[to_local(conference.starts_at).date()].append(conference)
    closures = [(row.first_day, row.last_day, row.reason)
                for row in queries.closures_between(area_key, first, last)]
    language = current_language()
    weeks = grid.build_month(year, month_number, by_day,
                             holidays_between(first, last, language), closures)
    first_of_month = date(year, month_number, 1)
    return render_template(
        "conferences/month.html", area=area, areas=_visible_areas(), weeks=weeks,
        month_title=f"{get_month_names('wide', locale=language)[month_number]} {year}".capitalize(),
        weekday_names=[get_day_names("abbreviated", locale=language)[index].rstrip(".")
                       for index in range(7)],
        previous_month=f"{grid.shift_month(first_of_month, -1):%Y-%m}",
        next_month=f"{grid.shift_month(first_of_month, 1):%Y-%m}",
        this_month=f"{_today():%Y-%m}", month=month, today=_today(),
        can_edit=_can_edit(area_key), language=language)


@blp.get("/calendar/<area_key>/list")
def list_view(area_key: str):
    area = _area_or_404(area_key)
    form = ListFilterForm(formdata=request.args or None)
    first = _today()
    last = first + timedelta(weeks=LIST_DEFAULT_WEEKS)
    conferences = []
    try:
        if form.from_day.data:
            first = parse_day(form.from_day.data, "from_day")
        if form.to_day.data:
            last = parse_day(form.to_day.data, "to_day")
        if last < first:
            raise FieldError("to_day", _("The last day cannot be before the first day."))
        if (last - first).days > LIST_MAX_DAYS:
            raise FieldError("to_day", _("Show at most two years at a time."))
        conferences = service.list_conferences(area_key, first, last)
    except FieldError as error:
        attach_error(form, error)
    form.from_day.data = form.from_day.data or first.isoformat()
    form.to_day.data = form.to_day.data or last.isoformat()
    return render_template("conferences/list.html", area=area, areas=_visible_areas(), form=form,
                           conferences=conferences, series_name=_series_name,
                           can_edit=_can_edit(area_key)), status_for(form)


# --- adding a meeting -------------------------------------------------------------------------

def _add_form(area: CareArea) -> AddConferenceForm:
    form = AddConferenceForm()
    language = current_language()
    form.series_key.choices = [(series.key, series.name(language)) for series in area.series]
    if not form.is_submitted() and area.series:
        form.start.data = area.series[0].start
    return form


@blp.route("/calendar/<area_key>/new", methods=["GET", "POST"])
def new_conference(area_key: str):
    area = _area_or_404(area_key)
    _require_edit(area_key)
    form = _add_form(area)
    if form.validate_on_submit():
        try:
            conference = service.add_conference(
                actor_from_request(), area_key, form.series_key.data,
                form.day.data, form.start.data, form.reason.data)
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(_("Meeting added."), "success")
            return redirect(url_for(".show_conference", conference_id=conference.id))
    return render_template("conferences/new.html", area=area, form=form), status_for(form)


# --- the meeting page -------------------------------------------------------------------------

def _details_form(conference, formdata=None) -> DetailsForm:
    form = DetailsForm(prefix="details", formdata=formdata)
    people = queries.people_at_unit(conference.host_unit_id) if conference.host_unit_id else []
    form.chair_person_id.choices = [("", _("No chair chosen"))] + [
        (str(person.id), person.name) for person in people]
    if formdata is None:
        form.chair_person_id.data = conference.chair_person_id
        form.video_link.data = conference.video_link
    return form


def _override_form(area: CareArea, formdata=None) -> OverrideHostForm:
    form = OverrideHostForm(prefix="override", formdata=formdata)
    form.unit_id.choices = [("", _("Choose a unit"))] + [
        (str(unit.id), f"{unit.name} ({unit.short_name})")
        for unit in queries.nhv_unit_rows(area)]
    return form


def _swap_form(conference, formdata=None) -> SwapHostsForm:
    form = SwapHostsForm(prefix="swap", formdata=formdata)
    today = _today()
    others = [other for other in service.list_conferences(
                  conference.care_area, today, today + timedelta(weeks=SWAP_WEEKS_AHEAD))
              if other.id != conference.id and other.status == "planned"]
    form.other_conference_id.choices = [("", _("Choose a meeting"))] + [
        (str(other.id), f"{format_datetime_local(other.starts_at)} · "
                        f"{other.host_unit.short_name if other.host_unit else _('No host')}")
        for other in others]
    return form


def _show(conference, status: int = 200, **forms):
    area = _area_or_404(conference.care_area)
    can_edit = _can_edit(conference.care_area)
    if can_edit:
        forms.setdefault("details_form", _details_form(conference))
        forms.setdefault("move_form", MoveForm(prefix="move", formdata=None))
        forms.setdefault("cancel_form", CancelForm(prefix="cancel", formdata=None))
        forms.setdefault("override_form", _override_form(area))
        forms.setdefault("swap_form", _swap_form(conference))
        if not forms["move_form"].start.data:
            forms["move_form"].start.data = f"{to_local(conference.starts_at):%H:%M}"
    booked = triage.booked_cases(actor_from_request(), current_principal(), conference) \
        if can("case.view") else []
    return render_template("conferences/show.html", conference=conference, area=area,
                           booked=booked, places_booked=cases.agenda_size(conference.id),
                           deadline=triage.referral_deadline(
                               conference, area.series_by_key(conference.series_key)),
                           series_name=_series_name(area, conference.series_key),
                           host=(area.nhv_unit(conference.host_unit.hsa_id)
                                 if conference.host_unit else None),
                           can_edit=can_edit,
                           # a cancelled meeting shows no forms, unless one just failed
                           show_forms=can_edit and (conference.status != "cancelled"
                                                    or status != 200),
                           **forms), status


@blp.get("/conferences/<int:conference_id>")
def show_conference(conference_id: int):
    return _show(_conference_or_404(conference_id))


def _edited(conference, form_name: str, form, change) -> Response | tuple:
    """Run `change()` if the form is valid; on a FieldError show the page again, 422."""
    if form.validate_on_submit():
        try:
            change()
        except FieldError as error:
            attach_error(form, error)
        else:
            return redirect(url_for(".show_conference", conference_id=conference.id))
    return _show(conference, 422, **{form_name: form})


@blp.post("/conferences/<int:conference_id>/details")
def update_details(conference_id: int):
    conference = _editable_conference(conference_id)
    form = _details_form(conference, formdata=request.form)

    def change():
        service.update_details(actor_from_request(), conference, form.chair_person_id.data,
                               form.video_link.data)
        flash(_("Chair and video link saved."), "success")
    return _edited(conference, "details_form", form, change)


@blp.post("/conferences/<int:conference_id>/move")
def move_conference(conference_id: int):
    conference = _editable_conference(conference_id)
    form = MoveForm(prefix="move")

    def change():
        service.move_conference(actor_from_request(), conference, form.day.data,
                                form.start.data, form.reason.data)
        flash(_("Meeting moved."), "success")
    return _edited(conference, "move_form", form, change)


@blp.post("/conferences/<int:conference_id>/cancel")
def cancel_conference(conference_id: int):
    conference = _editable_conference(conference_id)
    form = CancelForm(prefix="cancel")

    def change():
        service.cancel_conference(actor_from_request(), conference, form.reason.data)
        flash(_("Meeting cancelled."), "success")
    return _edited(conference, "cancel_form", form, change)


@blp.post("/conferences/<int:conference_id>/host")
def override_host(conference_id: int):
    conference = _editable_conference(conference_id)
    form = _override_form(_area_or_404(conference.care_area), formdata=request.form)

    def change():
        service.override_host(actor_from_request(), conference, form.unit_id.data,
                              form.reason.data)
        flash(_("Host changed."), "success")
    return _edited(conference, "override_form", form, change)


@blp.post("/conferences/<int:conference_id>/swap")
def swap_hosts(conference_id: int):
    conference = _editable_conference(conference_id)
    form = _swap_form(conference, formdata=request.form)

    def change():
        service.swap_hosts(actor_from_request(), conference, form.other_conference_id.data,
                           form.reason.data)
        flash(_("Hosts swapped."), "success")
    return _edited(conference, "swap_form", form, change)


# --- rotation ---------------------------------------------------------------------------------

@blp.get("/rotation")
def rotation_home():
    return redirect(url_for(".rotation", area_key=_first_visible_area().key))


@blp.get("/rotation/<area_key>")
def rotation(area_key: str):
    area = _area_or_404(area_key)
    today = _today()
    year = request.args.get("year", type=int) or today.year
    if not FIRST_YEAR <= year <= LAST_YEAR:
        year = today.year
    return render_template(
        "conferences/rotation.html", area=area, areas=_visible_areas(), year=year,
        counts=service.hosted_counts(area_key, year),
        warnings=service.staffing_warnings(area_key, today),
        can_edit=_can_edit(area_key))


# --- unit unavailability and closures ---------------------------------------------------------

def _unavailability_form(area: CareArea, formdata=None) -> UnavailabilityForm:
    form = UnavailabilityForm(prefix="unavailability", formdata=formdata)
    form.unit_id.choices = [("", _("Choose a unit"))] + [
        (str(unit.id), f"{unit.name} ({unit.short_name})")
        for unit in queries.nhv_unit_rows(area)]
    return form


def _availability_page(area: CareArea, status: int = 200, unavailability_form=None,
                       closure_form=None):
    can_edit = _can_edit(area.key)
    if can_edit:
        unavailability_form = unavailability_form or _unavailability_form(area)
        closure_form = closure_form or ClosureForm(prefix="closure", formdata=None)
    since = _today()
    return render_template(
        "conferences/availability.html", area=area, areas=_visible_areas(), can_edit=can_edit,
        unavailabilities=queries.unavailabilities_from(area.key, since),
        closures=queries.closures_between(area.key, since, date.max),
        unavailability_form=unavailability_form, closure_form=closure_form), status


@blp.get("/rotation/<area_key>/unavailability")
def availability(area_key: str):
    return _availability_page(_area_or_404(area_key))


@blp.post("/rotation/<area_key>/unavailability")
def add_unavailability(area_key: str):
    area = _area_or_404(area_key)
    _require_edit(area_key)
    form = _unavailability_form(area, formdata=request.form)
    if form.validate_on_submit():
        try:
            if form.unit_id.data not in {unit.id for unit in queries.nhv_unit_rows(area)}:
                raise FieldError("unit_id", _("Choose one of the area's NHV units."))
            service.add_unavailability(
                actor_from_request(), form.unit_id.data, form.first_day.data,
                form.last_day.data, form.reason.data, care_area=area_key)
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(_("Unavailability saved; the hosts were planned again."), "success")
            return redirect(url_for(".availability", area_key=area_key))
    return _availability_page(area, 422, unavailability_form=form)


@blp.post("/rotation/<area_key>/closures")
def add_closure(area_key: str):
    area = _area_or_404(area_key)
    _require_edit(area_key)
    form = ClosureForm(prefix="closure")
    if form.validate_on_submit():
        try:
            service.add_closure(actor_from_request(), form.first_day.data,
                                form.last_day.data, form.reason.data,
                                care_area=area_key)
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(_("Closure saved; the calendar was updated."), "success")
            return redirect(url_for(".availability", area_key=area_key))
    return _availability_page(area, 422, closure_form=form)
