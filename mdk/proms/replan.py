"""A new established version of the care plan (a new report version) brings its PROM
schedule to the case's time points: a time point the new plan still has (the same what,
instrument and when) is kept as it is; one it no longer has is removed while nothing is
recorded on it, and kept (with its record) once something is; a new one is added after
the last ever given (PromSchedule.positions_used: a removed time point's position is never
given to another). Positions never change, so a record, the API's URLs and the log stay
right."""

from __future__ import annotations

from typing import Any

from mdk.audit import service as audit
from mdk.cases.models import Case
from mdk.extensions import db
from mdk.proms import service
from mdk.proms.models import PromFollowUp


def _key_of_point(point: dict[str, Any]) -> tuple:
    fixed = point.get("date")
    return (point.get("what") or "", point.get("instrument"), fixed,
            None if fixed else point.get("count"), None if fixed else point.get("unit"),
            None if fixed else point.get("from"))


def _key_of_row(row: PromFollowUp) -> tuple:
    return (row.what, row.instrument, row.fixed_on.isoformat() if row.fixed_on else None,
            row.count, row.unit, row.anchor)


def on_report_issued(case: Case, report=None, **_extra) -> None:
    """The report_issued receiver: a report made from another care-plan version than the
    time points were (in the issue's transaction)."""
    from mdk.care_plans.service import prom_time_points

    schedule = service.schedule_of(case)
    plan = report.care_plan if report is not None else None
    if schedule is None or plan is None or not plan.established \
            or schedule.care_plan_id == plan.id:
        return
    rows = service.follow_ups_of(case)
    unmatched: dict[tuple, list[PromFollowUp]] = {}
    for row in rows:
        unmatched.setdefault(_key_of_row(row), []).append(row)
    # After the highest position ever given, not the highest left: a removed time point's
    # position stays its own (the log and the API name it).
    position = max([schedule.positions_used, *(row.position for row in rows)])
    added = []
    for point in prom_time_points(plan):
        same = unmatched.get(_key_of_point(point))
        if same:  # the plan still has it: kept as it is (a twin each time)
            same.pop(0).care_plan_id = plan.id
            continue
        position += 1
        added.append(service.make_row(case, plan, position, point))
    removed = [row for left in unmatched.values() for row in left if not row.recorded]
    for row in removed:
        db.session.delete(row)
    db.session.add_all(added)
    schedule.care_plan_id, schedule.positions_used = plan.id, position
    service.set_due_days(case, schedule)
    db.session.flush()
    audit.record(audit.system_actor(), "prom.replan", case, details={
        "care_plan_id": plan.id, "added": len(added), "removed": len(removed)})
