"""The report's forms, all from one content: the authenticated page and the PDF share the
template templates/reports/_document.html; the plain text for the referrer's journal and
the FHIR bundle (mdk.reports.fhir) carry the same sections.

The document is Swedish whoever opens it (a journal document of a Swedish care unit); the
page around it follows the reader's language. The patient's identity is in the page and the
PDF when the identity rule lets the reader see it (mdk.cases.identity); never in the plain
text, which is pasted into a journal that already has the patient.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import force_locale

from mdk.access import policy
from mdk.care_areas.service import care_area
from mdk.cases.identity import ShownPatient, shown_patient
from mdk.protocols.models import ProtocolAddendum
from mdk.reports.models import Report

DOCUMENT_LANGUAGE = "sv"
NO_IDENTITY = ShownPatient(False, "", "", False)


@dataclass(frozen=True)
class ReportDocument:
    report: Report
    area_name: str
    patient: ShownPatient
    addenda: list[ProtocolAddendum]
    protocol_sections: list[dict[str, Any]]
    care_plan_sections: list[dict[str, Any]]

    @property
    def case(self):
        return self.report.case

    @property
    def protocol(self):
        return self.report.protocol

    @property
    def care_plan(self):
        return self.report.care_plan

    @property
    def conference(self):
        return self.report.conference


def document_of(report: Report, principal: policy.Principal | None = None, *,
                as_issued: bool = False) -> ReportDocument:
    """The report as one reader reads it: with the patient's identity if they may see it;
    `as_issued`: with the registered identity, as the referring unit reads it (the CLI)."""
    protocol, plan = report.protocol, report.care_plan
    patient = registered = report.case.patient
    if as_issued:
        patient = ShownPatient(not registered.protected_identity, registered.given_name,
                               registered.family_name, registered.protected_identity)
    elif principal is not None:
        patient = shown_patient(principal, report.case)
    else:
        patient = NO_IDENTITY
    return ReportDocument(
        report=report, area_name=care_area(report.case.care_area).name(DOCUMENT_LANGUAGE),
        patient=patient, addenda=list(protocol.addenda)[:report.addenda_count],
        protocol_sections=protocol.sections or [], care_plan_sections=plan.sections or [])


def _render(template: str, document: ReportDocument, **context) -> str:
    """Rendered without the page's context processors (navigation, the reader): the
    document is the same whoever and wherever it is made, in a request or not."""
    with force_locale(DOCUMENT_LANGUAGE):
        return current_app.jinja_env.get_template(template).render(doc=document, **context)


def html_body(document: ReportDocument) -> str:
    """The document part of the report page."""
    return _render("reports/_document.html", document)


def print_html(document: ReportDocument) -> str:
    """The whole HTML the PDF is made from (the same document part, a print stylesheet)."""
    return _render("reports/print.html", document)


def plain_text(report: Report) -> str:
    """The block the referrer pastes into their journal: no patient identity."""
    return _render("reports/report.txt", document_of(report)).strip() + "\n"


def pdf_title(report: Report) -> str:
    return f"MDK-rapport {report.case.number}"


def pdf_bytes(document: ReportDocument, created_at: datetime | None = None) -> bytes:
    from mdk.documents.pdf import html_to_pdf

    return html_to_pdf(print_html(document), title=pdf_title(document.report),
                       created_at=created_at or document.report.issued_at,
                       lang=DOCUMENT_LANGUAGE)


def pdf_filename(report: Report) -> str:
    """Case number only: a file name travels (downloads folders, mail) with no identity."""
    return f"mdk-rapport-{report.case.number}-v{report.revision}.pdf"
