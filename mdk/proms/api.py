"""REST API: /api/v1/cases/<id>/proms, the PROM time points of a reported case and what
became of each: GET lists them (404 before the case is reported), PUT
/api/v1/cases/<id>/proms/<position> records one (the treating unit's staff and the area's
coordinators; a referring unit's token reads only). Every read is a `prom.read` audit
event."""

from __future__ import annotations

from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from flask_smorest import abort

from mdk.access import authorize, current_principal
from mdk.audit.service import actor_from_request
from mdk.cases import service as cases
from mdk.extensions import Blueprint
from mdk.proms import recording, service
from mdk.proms.schemas import PromFollowUpSchema, PromFollowUpsSchema, PromInputSchema
from mdk.units.api import abort_for_field
from mdk.validation import FieldError

blp = Blueprint("api_proms", __name__, url_prefix="/api/v1/cases",
                description="PROM follow-up")

NOT_REPORTED = _l("The case is not reported yet: its PROM time points are set with the "
                  "report.")


class _TimePoint:
    """A row as the schema reads it, with whether it is due at all (the treatment's)."""

    def __init__(self, row, not_due: bool) -> None:
        self._row, self.not_due = row, not_due

    def __getattr__(self, name: str):
        return getattr(self._row, name)


def _time_point(found: service.PromFollowUpView, row) -> _TimePoint:
    return _TimePoint(row, found.excluded(row))


def _listed(case, found: service.PromFollowUpView) -> dict:
    schedule, treatment = found.schedule, found.treatment
    unit = schedule.treating_unit
    return {"case_id": case.id, "case_number": case.number, "case_state": case.state,
            "treating_unit_hsa_id": unit.hsa_id if unit is not None else None,
            "meeting_on": schedule.meeting_on,
            "treatment_started_on": treatment.started_on if treatment is not None else None,
            "treatment_ended_on": schedule.treatment_ended_on,
            "discharged_on": schedule.discharged_on, "not_treated": found.not_treated,
            "time_points": [_time_point(found, row) for row in found.rows]}


@blp.route("/<int:case_id>/proms")
class CaseProms(MethodView):
    @blp.response(200, PromFollowUpsSchema)
    def get(self, case_id: int):
        """The case's PROM time points (the established care plan's), their due days and
        what became of each. 404 before the case is reported."""
        case = authorize("prom.view", cases.get_case(case_id))
        found = service.read(actor_from_request(), current_principal(), case)
        if found.schedule is None:
            abort(404, message=str(NOT_REPORTED))
        return _listed(case, found)


@blp.route("/<int:case_id>/proms/<int:position>")
class CasePromTimePoint(MethodView):
    @blp.arguments(PromInputSchema)
    @blp.response(200, PromFollowUpSchema)
    @blp.alt_response(409, description="A time point counted from a treatment the patient "
                                       "did not have.")
    def put(self, data, case_id: int, position: int):
        """Record a time point as done (with the day, and a score where the instrument has
        one), declined or not reached; a later record corrects it (audited with what it
        said before)."""
        case = authorize("prom.record", cases.get_case(case_id))
        try:
            row = recording.record(actor_from_request(), current_principal(), case, position,
                                 data)
        except FieldError as error:
            abort_for_field(error)
        return _time_point(service.view_of(case), row)
