"""REST API: /api/v1/cases/<id>/treatment, the treatment start and adherence of a reported
case, for the referring unit's systems (API tokens act as a referrer of their unit): GET
reads it (404 before the case is reported), PUT records it, which closes the case, or
corrects it. Every read is a `treatment.read` audit event."""

from __future__ import annotations

from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from flask_smorest import abort

from mdk.access import authorize, current_principal
from mdk.audit.service import actor_from_request
from mdk.cases import service as cases
from mdk.extensions import Blueprint
from mdk.treatment import service
from mdk.treatment.schemas import TreatmentInputSchema, TreatmentSchema
from mdk.units.api import abort_for_field
from mdk.validation import FieldError

blp = Blueprint("api_treatment", __name__, url_prefix="/api/v1/cases",
                description="Treatment start and adherence")

NOT_REPORTED = _l("The case is not reported yet: its treatment is recorded after the report.")


@blp.route("/<int:case_id>/treatment")
class CaseTreatment(MethodView):
    @blp.response(200, TreatmentSchema)
    def get(self, case_id: int):
        """The case's treatment follow-up: the target's last day, the reminder, and the
        outcome once recorded (null fields before). 404 before the case is reported."""
        case = authorize("treatment.view", cases.get_case(case_id))
        row = service.read(actor_from_request(), current_principal(), case)
        if row is None:
            abort(404, message=str(NOT_REPORTED))
        return row

    @blp.arguments(TreatmentInputSchema)
    @blp.response(200, TreatmentSchema)
    @blp.alt_response(409, description="The case is not reported (nor closed by a record).")
    def put(self, data, case_id: int):
        """Record the treatment start (or that the patient was not treated) and the
        adherence to the recommendation; the first record closes the case, a later one
        corrects it (audited with what it said before)."""
        case = authorize("treatment.record", cases.get_case(case_id))
        try:
            return service.record(actor_from_request(), current_principal(), case, data)
        except FieldError as error:
            abort_for_field(error)
