"""PROM coverage per time point (mdk.proms, built beside this feature): of the PROM time
points due on a day of the period, how many were done, declined, not reached or are still
pending, and the coverage (done / due).

Guarded: without the PROM feature's model (mdk.proms.models.PromFollowUp) the page has no
such table, and the rest works as before.
"""

from __future__ import annotations

from datetime import date
from importlib import import_module

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from mdk.cases.models import Case
from mdk.extensions import db

STATUSES = ("done", "declined", "not_reached", None)


def prom_model():
    """PromFollowUp, or None while the PROM feature is not installed."""
    try:
        return import_module("mdk.proms.models").PromFollowUp
    except ImportError:
        return None


def coverage_rows(area: str, first: date, last: date) -> list[tuple[str, str | None, int]]:
    """(time point, status, time points): the PROM time points due from `first` to `last`
    (both included), per time point (the care plan's row: what is measured, when) and status
    (None: not yet followed up)."""
    model = prom_model()
    if model is None:
        return []
    rows = db.session.execute(
        select(model.what, model.status, func.count(model.id))
        .join(Case, model.case_id == Case.id)
        .where(Case.care_area == area, model.due_on >= first, model.due_on <= last)
        .group_by(model.what, model.status)
        .order_by(model.what)).all()
    return [tuple(row) for row in rows]


LABELS = {"done": _l("Completed"), "declined": _l("Declined by the patient"),
          "not_reached": _l("Not reached"), None: _l("Not yet followed up")}
