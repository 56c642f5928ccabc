"""API schemas of the report to the referring unit (mdk.reports.api)."""

from __future__ import annotations

from flask import url_for
from marshmallow import Schema, fields

from mdk.schemas import database_id


class ReportLinksSchema(Schema):
    page = fields.String(metadata={"description": "the report page (login needed)"})
    pdf = fields.String()
    text = fields.String()
    fhir = fields.String(metadata={"description": "the FHIR R4 document Bundle"})


class ReportSchema(Schema):
    case_id = fields.Integer()
    case_number = fields.String(attribute="case.number")
    revision = fields.Integer(metadata={"description": "1, then one more for each new "
                                                       "version (an addendum, a new care "
                                                       "plan version)"})
    issued_at = fields.DateTime()
    ack_due_on = fields.Date(metadata={"description": "to be acknowledged by the end of "
                                                      "this day (Europe/Stockholm)"})
    first_opened_at = fields.DateTime(allow_none=True)
    first_opened_by_name = fields.String(allow_none=True)
    acknowledged_at = fields.DateTime(allow_none=True)
    acknowledged_by_name = fields.String(allow_none=True)
    reminded_at = fields.DateTime(allow_none=True)
    escalated_at = fields.DateTime(allow_none=True)
    content_sha256 = fields.String(metadata={"description": "SHA-256 (hex) of `text`"})
    text = fields.Method("_text", metadata={
        "description": "the report as plain text for the journal (Swedish; no identity "
                       "number)"})
    links = fields.Method("_links")

    def _text(self, report) -> str:
        from mdk.reports.document import plain_text

        return plain_text(report)

    def _links(self, report) -> dict[str, str]:
        case_id = report.case_id
        return ReportLinksSchema().dump({
            "page": url_for("reports.show_report", case_id=case_id, _external=True),
            "pdf": url_for("reports.report_pdf", case_id=case_id, _external=True),
            "text": url_for("reports.report_text", case_id=case_id, _external=True),
            "fhir": url_for("api_reports.CaseReportFhir", case_id=case_id, _external=True)})


class AcknowledgementSchema(Schema):
    # Not required here: a missing revision is refused (422) after the access check, so a
    # caller who may not acknowledge gets its 403 or 404 first (as CaseMoveSchema.action).
    revision = database_id(strict=True, metadata={
        "description": "needed: the version acknowledged; it must be the current one (409 "
                       "if a newer version has been issued)"})
