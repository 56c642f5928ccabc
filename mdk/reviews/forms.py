"""Forms of the review pages; the service checks every value (mdk.reviews.service)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, TextAreaField

from mdk.forms import optional_int

DISCREPANCY_LABELS = {
    "concordant": _l("Concordant"),
    "minor": _l("Minor discrepancy"),
    "major": _l("Major discrepancy"),
}


class ReviewForm(FlaskForm):
    """A task's statement: prefilled from the area's template for the competence."""

    statement = TextAreaField(_l("Review statement"), render_kw={"rows": 8})
    discrepancy = RadioField(_l("Compared with the original report"), validate_choice=False)
    comment = TextAreaField(_l("Comment"), render_kw={"rows": 3})

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Set on the bound form (WTForms warns about choices given at declaration).
        self.discrepancy.choices = list(DISCREPANCY_LABELS.items())

    def review_data(self) -> dict:
        return {"statement": self.statement.data or "",
                "discrepancy": self.discrepancy.data or None,
                "comment": self.comment.data or None}


class ReassignForm(FlaskForm):
    assignee_id = SelectField(_l("Reviewer"), validate_choice=False, coerce=optional_int)


class StatementForm(FlaskForm):
    """The combined review statement of a case (demonstrationsutlåtande)."""

    text = TextAreaField(_l("Combined review statement"), render_kw={"rows": 6})
