"""Forms of the calendar pages. Dates and times are text fields (type=date/time in the
browser): the view or the service parses them and names a bad one, in Swedish."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField

from mdk.forms import optional_int

STATUS_LABELS = {
    "planned": _l("Planned"),
    "agenda_locked": _l("Agenda locked"),
    "held": _l("Held"),
    "closed": _l("Closed"),
    "cancelled": _l("Cancelled"),
}


def _reason(label=None) -> StringField:
    return StringField(label or _l("Reason"))


def _day(label) -> StringField:
    return StringField(label, render_kw={"type": "date"})


def _time(label) -> StringField:
    return StringField(label, render_kw={"type": "time"})


class DetailsForm(FlaskForm):
    chair_person_id = SelectField(_l("Chair"), coerce=optional_int, validate_choice=False)
    video_link = StringField(_l("Video link"), render_kw={"type": "url"})


class MoveForm(FlaskForm):
    day = _day(_l("New date"))
    start = _time(_l("Start time"))
    reason = _reason()


class CancelForm(FlaskForm):
    reason = _reason()


class OverrideHostForm(FlaskForm):
    unit_id = SelectField(_l("Host unit"), coerce=optional_int, validate_choice=False)
    reason = _reason()


class SwapHostsForm(FlaskForm):
    other_conference_id = SelectField(_l("Swap hosts with"), coerce=optional_int,
                                      validate_choice=False)
    reason = _reason()


class AddConferenceForm(FlaskForm):
    series_key = SelectField(_l("Meeting series"), validate_choice=False)
    day = _day(_l("Date"))
    start = _time(_l("Start time"))
    reason = _reason()


class UnavailabilityForm(FlaskForm):
    unit_id = SelectField(_l("Unit"), coerce=optional_int, validate_choice=False)
    first_day = _day(_l("First day"))
    last_day = _day(_l("Last day"))
    reason = _reason()


class ClosureForm(FlaskForm):
    first_day = _day(_l("First day"))
    last_day = _day(_l("Last day"))
    reason = _reason()


class ListFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter: nothing is changed

    from_day = StringField(_l("From"), name="from", render_kw={"type": "date"})
    to_day = StringField(_l("To"), name="to", render_kw={"type": "date"})
