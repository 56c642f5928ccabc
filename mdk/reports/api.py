"""REST API: /api/v1/cases/<id>/report (the current report: its delivery state and the
plain text), /report/fhir (the FHIR R4 document Bundle) and /report/acknowledgement.

For the referring unit's systems (API tokens act as a referrer of their unit): a clinic's
journal system fetches the report when it is issued and acknowledges it, which counts as
the unit's opening and acknowledgement. Every read is a `report.read` audit event."""

from __future__ import annotations

import json

from flask import Response, current_app
from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from flask_smorest import abort

from mdk.access import authorize, current_principal
from mdk.audit.service import actor_from_request
from mdk.cases import service as cases
from mdk.cases.models import Case
from mdk.extensions import Blueprint
from mdk.reports import service
from mdk.reports.document import document_of
from mdk.reports.models import Report
from mdk.reports.schemas import AcknowledgementSchema, ReportSchema
from mdk.units.api import abort_for_field
from mdk.validation import FieldError

blp = Blueprint("api_reports", __name__, url_prefix="/api/v1/cases",
                description="The report to the referring unit")

NO_REPORT = _l("The case has no report yet: it is issued when the care plan is established.")


def _current(case_id: int, action: str) -> tuple[Case, Report]:
    case = authorize(action, cases.get_case(case_id))
    report = service.current_report(case)
    if report is None:
        abort(404, message=str(NO_REPORT))
    return case, report


def _read(case_id: int, form: str) -> tuple[Case, Report]:
    case, report = _current(case_id, "report.view")
    service.read_report(actor_from_request(), current_principal(), case, report, form)
    return case, report


@blp.route("/<int:case_id>/report")
class CaseReport(MethodView):
    @blp.response(200, ReportSchema)
    def get(self, case_id: int):
        """The case's current report: version, issue, the day to acknowledge by, the
        referring unit's first opening and acknowledgement, the reminder and escalation,
        the plain text and the links to the page, the PDF and the FHIR bundle. 404 before
        the report is issued."""
        return _read(case_id, "api")[1]


@blp.route("/<int:case_id>/report/fhir")
class CaseReportFhir(MethodView):
    @blp.response(200, description="The report as a FHIR R4 document Bundle "
                                   "(application/fhir+json).")
    def get(self, case_id: int):
        """The current report as a FHIR R4 document Bundle (Composition, Patient,
        Organizations with HSA-ids, Practitioner, ServiceRequests, CareTeam, CarePlan)."""
        from mdk.reports import fhir

        case, report = _read(case_id, "fhir")
        names = document_of(report, current_principal()).patient
        bundle = fhir.bundle(case, report.protocol, report.care_plan,
                             issued_at=report.issued_at,
                             base_url=current_app.config["MDK"].base_url, names=names)
        return Response(json.dumps(bundle, ensure_ascii=False),
                        mimetype="application/fhir+json")


@blp.route("/<int:case_id>/report/acknowledgement")
class CaseReportAcknowledgement(MethodView):
    @blp.arguments(AcknowledgementSchema)
    @blp.response(200, ReportSchema)
    @blp.alt_response(409, description="A newer version of the report has been issued.")
    def post(self, data, case_id: int):
        """Acknowledge the report as received (the referring unit's referrers and API
        tokens). Names the version read; acknowledging it again changes nothing."""
        case, report = _current(case_id, "report.acknowledge")
        try:
            return service.acknowledge(actor_from_request(), current_principal(), case,
                                       report, data.get("revision"))
        except FieldError as error:
            abort_for_field(error)
