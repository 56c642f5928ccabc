"""The report page of a case and its downloads: PDF, plain text and FHIR (JSON).

URLs carry the case id only. Every form of the report is a read of patient data (audited,
mdk.reports.service.read_report); the referring unit's first opening is kept on the report,
and its referrers acknowledge it from the page.
"""

from __future__ import annotations

import json
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from mdk.access import authorize, current_principal
from mdk.audit.service import actor_from_request
from mdk.cases import service as cases
from mdk.cases.models import Case
from mdk.protocols import fields
from mdk.protocols import rows as row_kinds
from mdk.reports import document, service
from mdk.reports.models import Report
from mdk.validation import FieldError

blp = Blueprint("reports", __name__)


@blp.app_template_global()
def document_text(section: dict, value: Any) -> str:
    """A section's value after its label's colon, for the plain-text report: on the same
    line, or as an indented block under it."""
    if section["kind"] in ("rehabilitation", "schedule"):
        lines = [row_kinds.shown_row(section["kind"], row) for row in value or []]
    else:
        lines = (fields.shown_value(section, value, document.DOCUMENT_LANGUAGE) or "—") \
            .splitlines()
    if len(lines) == 1:
        return f" {lines[0]}"
    return "".join(f"\n  {line}" for line in lines) or " —"


class NoReport(Exception):
    """The case has no report yet: the page says so, a download leads to the page."""


def _case_and_report(case_id: int, action: str = "report.view") -> tuple[Case, Report]:
    case = authorize(action, cases.get_case(case_id))
    report = service.current_report(case)
    if report is None:
        raise NoReport(case)
    return case, report


@blp.errorhandler(NoReport)
def _no_report(error: NoReport):
    return redirect(url_for("reports.show_report", case_id=error.args[0].id), code=303)


def _read(case_id: int, form: str) -> tuple[Case, Report, document.ReportDocument]:
    case, report = _case_and_report(case_id)
    principal = current_principal()
    service.read_report(actor_from_request(), principal, case, report, form)
    return case, report, document.document_of(report, principal)


@blp.get("/cases/<int:case_id>/report")
def show_report(case_id: int):
    case = authorize("report.view", cases.get_case(case_id))
    if service.current_report(case) is None:
        return render_template("reports/none.html", case=case)
    case, report, doc = _read(case_id, "page")
    principal = current_principal()
    return render_template(
        "reports/show.html", case=case, report=report, doc=doc,
        body=document.html_body(doc), text=document.plain_text(report),
        earlier=[item for item in service.reports_of(case) if item.id != report.id],
        may_acknowledge=service.is_receiver(principal, case) and not report.acknowledged)


@blp.post("/cases/<int:case_id>/report/acknowledge")
def acknowledge(case_id: int):
    case, report = _case_and_report(case_id, "report.acknowledge")
    try:
        service.acknowledge(actor_from_request(), current_principal(), case, report,
                            request.form.get("revision"))
    except FieldError as error:
        flash(str(error.message), "error")
        return redirect(url_for("reports.show_report", case_id=case.id), code=303)
    flash(_("Thank you: the report is acknowledged as received."), "success")
    return redirect(url_for("reports.show_report", case_id=case.id), code=303)


@blp.get("/cases/<int:case_id>/report.pdf")
def report_pdf(case_id: int):
    _case, report, doc = _read(case_id, "pdf")
    return Response(document.pdf_bytes(doc), mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{document.pdf_filename(report)}"',
        "Cache-Control": "no-store"})


@blp.get("/cases/<int:case_id>/report.txt")
def report_text(case_id: int):
    _case, report, _doc = _read(case_id, "text")
    return Response(document.plain_text(report), mimetype="text/plain", headers={
        "Cache-Control": "no-store"})


@blp.get("/cases/<int:case_id>/report.fhir.json")
def report_fhir(case_id: int):
    from mdk.reports import fhir

    case, report, doc = _read(case_id, "fhir")
    bundle = fhir.bundle(case, report.protocol, report.care_plan, issued_at=report.issued_at,
                         base_url=current_app.config["MDK"].base_url, names=doc.patient)
    return Response(json.dumps(bundle, ensure_ascii=False, indent=2),
                    mimetype="application/fhir+json", headers={
                        "Content-Disposition":
                            f'attachment; filename="mdk-rapport-{case.number}.fhir.json"',
                        "Cache-Control": "no-store"})


def case_section(case: Case, principal) -> dict[str, Any]:
    """The case page's part on the report: its state and the link, for its readers."""
    from mdk.access import policy

    if not policy.can(principal, "report.view", case):
        return {"shown": False}
    report = service.current_report(case)
    return {"shown": report is not None, "report": report}
