"""PROM coverage per time point (mdk.proms, built beside this feature): of the PROM time
points due on a day of the period, how many were done, declined, not reached or are still
pending, and the coverage (done / due).

"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from mdk.cases.models import Case
from mdk.extensions import db
from mdk.proms.models import PromFollowUp
from mdk.protocols import rows

STATUSES = ("done", "declined", "not_reached", None)


def coverage_rows(area: str, first: date, last: date) -> list[tuple[str, str | None, int]]:
    """(time point, status, time points): the PROM time points due from `first` to `last`
    (both included), per time point (the care plan's row: what is measured, with which
    instrument, when: "3 months after the end of treatment") and status (None: not yet
    followed up). The same measure at two time points is two rows."""
    model = PromFollowUp
    point = (model.what, model.instrument, model.count, model.unit, model.anchor)
    rows = db.session.execute(
        select(*point, model.status, func.count(model.id))
        .join(Case, model.case_id == Case.id)
        .where(Case.care_area == area, model.due_on >= first, model.due_on <= last)
        .group_by(*point, model.status)
        .order_by(func.min(model.position), model.what)).all()
    return [(time_point_label(what, instrument, count, unit, anchor), status, n)
            for what, instrument, count, unit, anchor, status, n in rows]


def time_point_label(what: str, instrument: str | None, count: int | None, unit: str | None,
                     anchor: str | None) -> str:
    """"Livskvalitet och besvär (EORTC QLQ-C30), 3 månader efter avslutad behandling"; a
    plan's own dates are one time point: the measure."""
    measure = f"{what} ({instrument})" if instrument else what
    if count is None:
        return measure
    return f"{measure}, {rows.when({'count': count, 'unit': unit, 'from': anchor})}"


LABELS = {"done": _l("Completed"), "declined": _l("Declined by the patient"),
          "not_reached": _l("Not reached"), None: _l("Not yet followed up")}
