"""Helpers every feature's forms share: a lenient id coercion, a service error shown at its
field, and the status of a form page shown again."""

from __future__ import annotations

from flask_wtf import FlaskForm

from mdk.validation import FieldError, every_error, parse_id


def optional_int(value: object) -> int | None:
    """Coerce a select's value without raising: an unknown id becomes None, and the service
    then names the field (WTForms' own coerce error is English only)."""
    return parse_id(value)


def attach_error(form: FlaskForm, error: FieldError, rename=lambda name: name) -> None:
    """Show a service's field errors next to their fields (or above the form); `rename`
    maps the service's field names to the form's."""
    for one in every_error(error):
        field = getattr(form, rename(one.field), None)
        if field is None:
            form.form_errors.append(one.message)
            continue
        if not isinstance(field.errors, list):
            field.errors = list(field.errors)
        field.errors.append(one.message)


def status_for(form: FlaskForm) -> int:
    """422 for a form shown again with errors, so scripts and tests see the failure."""
    return 422 if form.errors else 200
