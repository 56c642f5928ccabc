"""The case list page of a meeting, for its participants (mdk.case_lists.service)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from mdk.access import authorize
from mdk.audit.service import actor_from_request
from mdk.care_areas.service import care_areas
from mdk.case_lists import service
from mdk.conferences import service as conferences
from mdk.i18n import current_language

blp = Blueprint("case_lists", __name__)

DISCREPANCY_LABELS = {"concordant": _l("Concordant"), "minor": _l("Minor discrepancy"),
                      "major": _l("Major discrepancy")}


@blp.app_template_global()
def case_list_review_state(review) -> str:
    """'none needed', 'not started', 'in progress (1 of 2)', 'done'."""
    if not review.needed:
        return _("none needed")
    if review.done == 0:
        return _("not started")
    if review.open:
        return _("in progress (%(done)d of %(total)d done)", done=review.done,
                 total=review.total)
    return _("done")


@blp.app_template_global()
def case_list_discrepancy(value: str | None) -> str:
    return str(DISCREPANCY_LABELS.get(value, value or ""))


@blp.get("/conferences/<int:conference_id>/case-list")
def show_case_list(conference_id: int):
    conference = conferences.get_conference(conference_id)
    if conference is not None and conference.care_area not in care_areas():
        conference = None
    authorize(service.VIEW_ACTION, conference)
    area = care_areas()[conference.care_area]
    series = area.series_by_key(conference.series_key)
    listed = service.case_list(actor_from_request(), conference)
    return render_template(
        "case_lists/show.html", listed=listed, conference=conference, area=area,
        series_name=series.name(current_language()) if series else conference.series_key)
