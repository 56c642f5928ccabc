"""The audit log as CSV and a patient's log extract as CSV and PDF.

Rows and labels are built here; the views only choose the format. The PDF is the template
audit/extract_pdf.html through mdk.documents.pdf (WeasyPrint, DejaVu Sans for å, ä and ö).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime

from flask_babel import gettext as _

from mdk.audit.labels import action_label, area_label, object_type_label
from mdk.audit.models import AuditEvent
from mdk.documents.pdf import template_to_pdf
from mdk.i18n import format_datetime_local, to_local

# Spreadsheet programs run cells starting with these as formulas; a leading ' disarms them.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def disarmed(value: object) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


def spreadsheet_csv(header: list[str], rows: Iterable[list[object]]) -> str:
    """CSV as Swedish Excel opens it (also mdk.exports): `;`, UTF-8 with a BOM, formulas
    disarmed."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")  # Swedish spreadsheet default
    writer.writerow(header)
    for row in rows:
        writer.writerow([disarmed(value) for value in row])
    return "\ufeff" + out.getvalue()  # BOM: Excel then reads UTF-8


def _local_iso(moment: datetime) -> str:
    return to_local(moment).isoformat(timespec="seconds")


def events_csv(events: Iterable[AuditEvent], role_label) -> str:
    """Labels for people, codes kept beside them (the action code) for sorting and scripts."""
    header = [_("Time"), _("User id"), _("User"), _("Role"), _("Care area"), _("Unit"),
              _("Unit HSA-id"), _("Care provider"), _("Action"), _("Action code"),
              _("Object type"), _("Object id"), _("Patient id"), _("Client address"),
              _("Details")]
    return spreadsheet_csv(header, ([
        _local_iso(e.occurred_at), e.actor_id, e.actor_name,
        role_label(e.role) if e.role else "", area_label(e.care_area), e.unit_name,
        e.unit_hsa_id, e.care_provider_name, action_label(e.action), e.action,
        object_type_label(e.object_type), e.object_id, e.patient_id, e.client_address,
        _details(e.details)] for e in events))


def _details(details: dict | None) -> str:
    return ", ".join(f"{key}={value}" for key, value in (details or {}).items())


def _extract_rows(events: Iterable[AuditEvent], role_label) -> list[list[str]]:
    return [[format_datetime_local(e.occurred_at), e.actor_name,
             " ".join(part for part in (e.unit_name, f"({e.unit_hsa_id})" if e.unit_hsa_id
                                        else None) if part) or "–",
             e.care_provider_name or "–", role_label(e.role) if e.role else "–",
             action_label(e.action)] for e in events]


def _extract_header() -> list[str]:
    return [_("When"), _("Who"), _("Unit"), _("Care provider"), _("Role"), _("What")]


def patient_extract_csv(events: Iterable[AuditEvent], role_label) -> str:
    return spreadsheet_csv(_extract_header(), _extract_rows(events, role_label))


def patient_extract_pdf(patient, events: list[AuditEvent], role_label,
                        produced_at: datetime, *, show_identity: bool = True) -> bytes:
    """A4 landscape: the patient, when it was produced, then one row per event. Without
    `show_identity` (a protected identity) the patient is named by internal id only."""
    who = f"{patient.name}, {patient.display_identity}" if show_identity \
        else _("Patient %(id)s", id=patient.id)
    return template_to_pdf("audit/extract_pdf.html", title=_("Patient log extract"),
                           created_at=produced_at, who=who, produced_at=produced_at,
                           header=_extract_header(),
                           rows=_extract_rows(events, role_label))
