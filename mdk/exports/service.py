"""Exports of a care area's discussed cases: the quality-register export and the research
extract.

- Which cases: one row per signed protocol of the area whose meeting's day (Europe/Stockholm)
  lies in the period, both days included; a case discussed at two meetings is two rows.
- The register export (`export.register`, the area's registrars) is identified: the
  personnummer and name the register is keyed on, the referring unit, the dates, the signed
  protocol's structured fields and its stage and recommendation texts, the report's and the
  treatment record's dates and adherence. A protected identity (skyddad identitet) is not
  shown to a registrar (DESIGN.md §5: only the coordinators handling the case see it): its
  identity, identity kind, name and referring-unit columns and its free-text sections are
  left empty (the stage or PCI kept only as a bare code) and the row is marked, so the
  registrar reports it through the handling coordinators by case number.
- The research extract (`export.research`, the area's coordinators and registrars) needs an
  ethics approval (etikprövningsnummer, Etikprövningsmyndigheten's Dnr YYYY-NNNNN-NN) and
  carries no identity: a study-specific pseudonym per patient (an HMAC of the patient's id
  under the study's secret), the age at referral in whole years, the referring care
  provider (the region), the dates, the protocol's coded fields (choices, units, yes/no,
  and a stage or PCI text only when it is a bare TNM or PCI code: free text may hold names),
  the treatment outcome and adherence. No case number (the service links it to the
  identity), no referring unit, no free text. A protected identity's row leaves the care
  provider empty (where the patient is cared for is what the protection hides).
- The referral day (both exports, and the age at referral) is the statistics' one: the day
  a remiss registered on the referring unit's behalf arrived, else the day the referral was
  submitted (Europe/Stockholm).
- Each export is a row in `exports` and an audit event with its purpose and row count, plus
  one event per case it holds (`export.register.case`, `export.research.case`), so a
  patient's log extract shows that their data left the service, and why (the export's id).
  A refused export writes nothing.

Both are CSV for Excel: UTF-8 with a byte-order mark, `;` between cells (the Swedish list
separator), ISO dates, and codes rather than labels for the coded fields (a label may change
in the area file; a code is what a register or a statistics program maps).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from mdk.access import policy
from mdk.audit import service as audit
from mdk.audit.export import spreadsheet_csv
from mdk.audit.service import Actor, looks_like_identity_number
from mdk.care_areas.domain import CareArea, TemplateSection
from mdk.care_areas.service import care_area, care_areas
from mdk.cases.models import Case
from mdk.conferences.models import Conference
from mdk.db import utcnow
from mdk.exports.models import (
    ETHICS_REFERENCE_LENGTH,
    PURPOSE_LENGTH,
    STUDY_NAME_LENGTH,
    Export,
    ResearchStudy,
)
from mdk.extensions import db
from mdk.patients.identity import IdentityNumberError, parse_identity_number
from mdk.patients.models import NATIONAL_KINDS, Patient
from mdk.protocols.models import Protocol
from mdk.reports.models import Report
from mdk.treatment.models import TreatmentOutcome
from mdk.units.models import Unit
from mdk.validation import FieldError, Problems, clean_text, parse_day

REGISTER, RESEARCH = "register", "research"
ACTIONS = {REGISTER: "export.register", RESEARCH: "export.research"}
FIELDS = {REGISTER: ("care_area", "period_from", "period_to", "purpose"),
          RESEARCH: ("care_area", "period_from", "period_to", "purpose", "study_name",
                     "ethics_reference")}
# Etikprövningsmyndigheten (from 2019): Dnr YYYY-NNNNN-NN, e.g. 2024-01234-01. The regional
# boards' older numbers (e.g. 2015/1234-31) are not taken: a study approved then names its
# current approval (an amendment gets a Dnr of this form).
ETHICS_REFERENCE = re.compile(r"(?P<year>[0-9]{4})-[0-9]{5}-[0-9]{2}", re.ASCII)
FIRST_ETHICS_YEAR = 2019
# Sections of these kinds are codes chosen from a list: they go into both exports.
CODED_KINDS = ("choice", "unit", "boolean")
# Free-text sections the register export carries (when the area's protocol has them): the
# stage, PCI and the recommendation the register records. Others (the question, the review
# statement, the patient's wishes, the participants, who informs the patient) are not the
# register's, and may name people.
REGISTER_TEXT_SECTIONS = ("stage", "pci", "recommendation", "treatment")
# Free-text sections the research extract carries only when the text is a bare code.
_TNM = re.compile(r"(?:[cpyar]{0,3}T(?:is|x|X|[0-4])[a-d]?)\s*,?\s*"
                  r"(?:[cpyar]{0,3}N(?:x|X|[0-3])[a-c]?)?\s*,?\s*"
                  r"(?:[cpyar]{0,3}M(?:x|X|[01])[a-c]?)?", re.ASCII)
_PCI = re.compile(r"(?:PCI\s*)?(?:[0-9]|[1-3][0-9])", re.ASCII)
RESEARCH_CODED_TEXT = {"stage": _TNM, "pci": _PCI}
# The register export's cells left empty for a protected identity (skyddad identitet).
PROTECTED_EMPTY = ("identity_number", "identity_kind", "family_name", "given_name",
                   "referring_unit_hsa_id", "referring_unit")
PSEUDONYM_BYTES = 10  # 80 bits: 16 base32 characters


@dataclass(frozen=True)
class ExportRequest:
    kind: str
    area: CareArea
    period_from: date
    period_to: date
    purpose: str
    study_name: str | None = None
    ethics_reference: str | None = None


@dataclass(frozen=True)
class Column:
    key: str
    label: str


@dataclass(frozen=True)
class Discussed:
    """One signed protocol of the period, with what the export reads around it."""

    protocol: Protocol
    case: Case
    conference: Conference
    report_issued_at: datetime | None
    report_acknowledged_at: datetime | None
    treatment: TreatmentOutcome | None


@dataclass(frozen=True)
class Made:
    export: Export
    columns: list[Column]
    rows: list[dict[str, Any]]

    @property
    def csv(self) -> str:
        return spreadsheet_csv([column.label for column in self.columns],
                               ([row.get(column.key) for column in self.columns]
                                for row in self.rows))

    @property
    def filename(self) -> str:
        """No patient data: the kind, the area and the period."""
        export = self.export
        return (f"mdk-{export.kind}-{export.care_area}-{export.period_from.isoformat()}-"
                f"{export.period_to.isoformat()}.csv")


# --- the request -------------------------------------------------------------------------------

def clean_area(value: object) -> CareArea:
    if not isinstance(value, str) or value not in care_areas():
        raise FieldError("care_area", _l("Choose one of the care areas."))
    return care_area(value)


def clean_ethics_reference(value: object, today: date) -> str:
    text = clean_text(value, "ethics_reference", max_length=ETHICS_REFERENCE_LENGTH)
    match = ETHICS_REFERENCE.fullmatch(text)
    if match is None or not FIRST_ETHICS_YEAR <= int(match["year"]) <= today.year:
        raise FieldError("ethics_reference", _l(
            "Enter the Swedish Ethical Review Authority's Dnr as YYYY-NNNNN-NN, e.g. "
            "2024-01234-01."))
    return text


def _clean_purpose(value: object) -> str:
    text = clean_text(value, "purpose", max_length=PURPOSE_LENGTH)
    if looks_like_identity_number(text):  # the purpose is kept in the log, never a number
        raise FieldError("purpose", _l(
            "The purpose may not hold an identity number or another number of 10 digits or "
            "more; write the ethics approval in its own field."))
    return text


def clean_request(kind: str, data: Mapping[str, Any], today: date) -> ExportRequest:
    """Every field checked, every problem at once, each named (FieldErrors)."""
    problems = Problems()
    for key in sorted(set(data) - set(FIELDS[kind])):
        problems.add(FieldError(str(key), _l("Unknown field.")))
    area = problems.check(clean_area, data.get("care_area"))
    first = problems.check(parse_day, data.get("period_from"), "period_from")
    last = problems.check(parse_day, data.get("period_to"), "period_to")
    if first is not None and last is not None and last < first:
        problems.add(FieldError("period_to", _l("The period ends before it begins.")))
    purpose = problems.check(_clean_purpose, data.get("purpose"))
    study_name = ethics_reference = None
    if kind == RESEARCH:
        study_name = problems.check(clean_text, data.get("study_name"), "study_name",
                                    max_length=STUDY_NAME_LENGTH)
        ethics_reference = problems.check(clean_ethics_reference,
                                          data.get("ethics_reference"), today)
    problems.raise_any()
    return ExportRequest(kind, area, first, last, purpose, study_name, ethics_reference)


def may_export(principal: policy.Principal, kind: str, area: CareArea | None = None) -> bool:
    return policy.can(principal, ACTIONS[kind], area)


def areas_for(principal: policy.Principal, kind: str) -> dict[str, CareArea]:
    """The care areas in which the principal may make this kind of export."""
    allowed = policy.areas_in_scope(principal, ACTIONS[kind])
    return {key: area for key, area in care_areas().items() if key in allowed}


# --- the cases of a period ---------------------------------------------------------------------

def _zone():
    return current_app.config["MDK"].tz


def local_today() -> date:
    return utcnow().astimezone(_zone()).date()


def local_day_of(moment: datetime | None) -> date | None:
    return moment.astimezone(_zone()).date() if moment is not None else None


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The period's first midnight and the midnight after its last day, local time, in UTC."""
    zone = _zone()
    return (datetime.combine(first, time(), zone),
            datetime.combine(last + timedelta(days=1), time(), zone))


def discussed_cases(area_key: str, first: date, last: date) -> list[Discussed]:
    """The area's signed protocols of meetings in the period, in meeting and case order:
    four statements whatever the number of cases."""
    start, end = _bounds(first, last)
    protocols = list(db.session.scalars(
        select(Protocol).join(Conference, Protocol.conference_id == Conference.id)
        .join(Case, Protocol.case_id == Case.id)
        .where(Protocol.state == "signed", Conference.care_area == area_key,
               Case.care_area == area_key, Conference.starts_at >= start,
               Conference.starts_at < end)
        .options(joinedload(Protocol.conference),
                 joinedload(Protocol.case).joinedload(Case.patient),
                 joinedload(Protocol.case).joinedload(Case.referring_unit)
                 .joinedload(Unit.provider))
        .order_by(Conference.starts_at, Case.number, Protocol.id)))
    case_ids = sorted({protocol.case_id for protocol in protocols})
    reports = _report_dates(case_ids)
    treatments = {row.case_id: row for row in db.session.scalars(
        select(TreatmentOutcome).where(TreatmentOutcome.case_id.in_(case_ids)))} \
        if case_ids else {}
    found = []
    for protocol in protocols:
        issued, acknowledged = reports.get((protocol.case_id, protocol.conference_id),
                                           (None, None))
        treatment = treatments.get(protocol.case_id)
        if treatment is not None and treatment.conference_id not in (
                None, protocol.conference_id):
            treatment = None  # the follow-up of another meeting's recommendation
        found.append(Discussed(protocol, protocol.case, protocol.conference, issued,
                               acknowledged, treatment))
    return found


def _report_dates(case_ids: list[int]) -> dict[tuple[int, int], tuple[Any, Any]]:
    """(case, meeting) -> (the first report's issue, the first acknowledgement of any
    revision): when the referring unit had the answer, not when an addendum re-issued it."""
    if not case_ids:
        return {}
    rows = db.session.execute(
        select(Report.case_id, Report.conference_id, func.min(Report.issued_at),
               func.min(Report.acknowledged_at))
        .where(Report.case_id.in_(case_ids))
        .group_by(Report.case_id, Report.conference_id))
    return {(case_id, conference_id): (_aware(issued), _aware(acknowledged))
            for case_id, conference_id, issued, acknowledged in rows}


def _aware(moment: datetime | None) -> datetime | None:
    """An aggregate bypasses the column type: SQLite hands back a naive UTC time (or text)."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# --- the columns and rows ----------------------------------------------------------------------

def _section_label(section: TemplateSection, language: str) -> str:
    return f"{section.label(language)} ({section.key})"


def _coded_value(section: TemplateSection, value: Any) -> str | None:
    if value is None or value == "":
        return None
    if section.kind == "boolean":
        return "yes" if value is True else "no" if value is False else None
    return str(value)


def _protocol_sections(area: CareArea, kind: str) -> list[TemplateSection]:
    template = area.template("protocol")
    sections = template.sections if template is not None else ()
    if kind == REGISTER:
        return [section for section in sections if section.kind in CODED_KINDS
                or (section.kind == "text" and section.key in REGISTER_TEXT_SECTIONS)]
    return [section for section in sections if section.kind in CODED_KINDS
            or (section.kind == "text" and section.key in RESEARCH_CODED_TEXT)]


def _section_value(section: TemplateSection, value: Any, kind: str) -> str | None:
    if section.kind in CODED_KINDS:
        return _coded_value(section, value)
    text = value.strip() if isinstance(value, str) else None
    if not text:
        return None
    if kind == RESEARCH:
        code = RESEARCH_CODED_TEXT[section.key]
        return text if code.fullmatch(text) else None
    return text


def _treatment_columns() -> list[Column]:
    return [Column("treatment_outcome", _("Treatment outcome (code)")),
            Column("treatment_started_on", _("Treatment started")),
            Column("adherence", _("Recommendation followed (code)")),
            Column("deviation_reason", _("Reason for the deviation (code)"))]


def register_columns(area: CareArea, language: str) -> list[Column]:
    return [
        Column("case_number", _("Case number")),
        Column("identity_number", _("Personnummer / samordningsnummer / reservnummer")),
        Column("identity_kind", _("Kind of identity number")),
        Column("family_name", _("Family name")),
        Column("given_name", _("Given name")),
        Column("protected_identity", _("Protected identity")),
        Column("referring_unit_hsa_id", _("Referring unit, HSA-id")),
        Column("referring_unit", _("Referring unit")),
        Column("care_area", _("Care area")),
        Column("referred_on", _("Referral day")),
        Column("meeting_day", _("MDK meeting")),
        *(Column(f"protocol.{section.key}", _section_label(section, language))
          for section in _protocol_sections(area, REGISTER)),
        Column("report_issued_on", _("Report issued")),
        Column("report_acknowledged_on", _("Report acknowledged")),
        *_treatment_columns(),
    ]


def research_columns(area: CareArea, language: str) -> list[Column]:
    return [
        Column("pseudonym", _("Study pseudonym")),
        Column("age_at_referral", _("Age at referral (years)")),
        Column("care_area", _("Care area")),
        Column("referring_region", _("Referring region (care provider)")),
        Column("referred_on", _("Referral day")),
        Column("meeting_day", _("MDK meeting")),
        *(Column(f"protocol.{section.key}", _section_label(section, language))
          for section in _protocol_sections(area, RESEARCH)),
        Column("report_issued_on", _("Report issued")),
        *_treatment_columns(),
    ]


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def referral_day(case: Case) -> date | None:
    """The day of the referral, as the statistics count it (mdk.stats.queries): the day a
    remiss registered on the referring unit's behalf arrived, else the day the referral was
    submitted (Europe/Stockholm)."""
    if case.remiss_received_on is not None:
        return case.remiss_received_on
    return local_day_of(case.submitted_at)


def _shared_cells(item: Discussed, area: CareArea, kind: str) -> dict[str, Any]:
    treatment = item.treatment
    recorded = treatment is not None and treatment.recorded
    cells = {
        "care_area": area.key,
        "referred_on": _iso(referral_day(item.case)),
        "meeting_day": _iso(local_day_of(item.conference.starts_at)),
        "report_issued_on": _iso(local_day_of(item.report_issued_at)),
        "treatment_outcome": treatment.outcome if recorded else None,
        "treatment_started_on": _iso(treatment.started_on) if recorded else None,
        "adherence": treatment.adherence if recorded else None,
        "deviation_reason": treatment.deviation_reason if recorded else None,
    }
    values = item.protocol.values or {}
    for section in _protocol_sections(area, kind):
        cells[f"protocol.{section.key}"] = _section_value(section, values.get(section.key),
                                                          kind)
    return cells


def _protected_text_cells(area: CareArea, row: dict[str, Any]) -> None:
    """A protected identity's row keeps no free text (it may name the patient or where they
    are cared for): the stage and PCI only as a bare code, like the research extract."""
    for section in _protocol_sections(area, REGISTER):
        if section.kind != "text":
            continue
        key = f"protocol.{section.key}"
        code, text = RESEARCH_CODED_TEXT.get(section.key), row[key]
        row[key] = text if code is not None and text and code.fullmatch(text) else None


def register_row(item: Discussed, area: CareArea) -> dict[str, Any]:
    case, patient, unit = item.case, item.case.patient, item.case.referring_unit
    protected = patient.protected_identity
    row = _shared_cells(item, area, REGISTER)
    row.update({
        "case_number": case.number,
        "identity_number": patient.display_identity,
        "identity_kind": patient.identity_kind,
        "family_name": patient.family_name,
        "given_name": patient.given_name,
        "protected_identity": "yes" if protected else "no",
        "referring_unit_hsa_id": unit.hsa_id,
        "referring_unit": unit.name,
        "report_acknowledged_on": _iso(local_day_of(item.report_acknowledged_at)),
    })
    if protected:
        # Who the patient is and where they are cared for is what the protection hides:
        # the registrar reports the case through its coordinators by case number.
        row.update(dict.fromkeys(PROTECTED_EMPTY))
        _protected_text_cells(area, row)
    return row


def birth_date(patient: Patient) -> date | None:
    """From a personnummer or samordningsnummer; a reservnummer tells none."""
    if patient.identity_kind not in NATIONAL_KINDS:
        return None
    try:
        return parse_identity_number(patient.identity_value).birth_date
    except IdentityNumberError:
        return None


def age_on(born: date | None, day: date | None) -> int | None:
    if born is None or day is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def research_row(item: Discussed, area: CareArea, pseudonym: Callable[[Patient], str]
                 ) -> dict[str, Any]:
    patient = item.case.patient
    row = _shared_cells(item, area, RESEARCH)
    provider = item.case.referring_unit.provider
    row.update({
        "pseudonym": pseudonym(patient),
        "age_at_referral": age_on(birth_date(patient), referral_day(item.case)),
        "referring_region": None if patient.protected_identity else provider.name,
    })
    return row


# --- pseudonyms --------------------------------------------------------------------------------

def pseudonym_for(study: ResearchStudy, patient_id: int) -> str:
    """The patient's pseudonym in this study: the same every time, unrelated across studies
    (an HMAC-SHA256 of the patient's id under the study's secret), and without the secret
    not traceable to the patient."""
    digest = hmac.new(bytes.fromhex(study.secret), f"patient:{patient_id}".encode(),
                      hashlib.sha256).digest()
    return base64.b32encode(digest[:PSEUDONYM_BYTES]).decode("ascii")


def study_for(actor: Actor, ethics_reference: str, name: str) -> ResearchStudy:
    """The study of this ethics approval, made at its first extract (the name given then is
    kept). Two first extracts at once: the unique reference lets one make it."""
    found = db.session.scalar(select(ResearchStudy).where(
        ResearchStudy.ethics_reference == ethics_reference))
    if found is not None:
        return found
    study = ResearchStudy(ethics_reference=ethics_reference, name=name,
                          secret=secrets.token_hex(32), created_by=actor.person_id)
    try:
        with db.session.begin_nested():
            db.session.add(study)
    except IntegrityError:
        return db.session.scalar(select(ResearchStudy).where(
            ResearchStudy.ethics_reference == ethics_reference))
    return study


# --- making an export --------------------------------------------------------------------------

def _refuse_unless_allowed(principal: policy.Principal, kind: str, area: CareArea) -> None:
    policy.require(principal, ACTIONS[kind], area)  # 403 (the area is visible to all)


def _acting_in(actor: Actor, principal: policy.Principal, kind: str, area: CareArea) -> Actor:
    """The log says in which role and area the export was made (the grant that allowed it)."""
    role = next((role for role in policy.ACTIONS[ACTIONS[kind]]
                 if area.key in principal.areas(role)), actor.role)
    return replace(actor, role=role, care_area=area.key)


def _record(actor: Actor, request: ExportRequest, row_count: int,
            study: ResearchStudy | None) -> Export:
    export = Export(kind=request.kind, care_area=request.area.key,
                    period_from=request.period_from, period_to=request.period_to,
                    purpose=request.purpose, ethics_reference=request.ethics_reference,
                    study_id=study.id if study else None, made_by=actor.person_id,
                    made_by_name=actor.name, row_count=row_count)
    db.session.add(export)
    db.session.flush()
    return export


def _details(export: Export) -> dict[str, Any]:
    return {"export_id": export.id, "care_area": export.care_area,
            "period_from": export.period_from.isoformat(),
            "period_to": export.period_to.isoformat(), "purpose": export.purpose,
            "row_count": export.row_count}


def make_register_export(actor: Actor, principal: policy.Principal,
                         data: Mapping[str, Any], language: str = "sv") -> Made:
    """The identified export for the quality register: refused (403) without the area's
    registrar grant, before anything is read or written."""
    request = _checked(principal, REGISTER, data)
    actor = _acting_in(actor, principal, REGISTER, request.area)
    found = discussed_cases(request.area.key, request.period_from, request.period_to)
    rows = [register_row(item, request.area) for item in found]
    export = _record(actor, request, len(rows), None)
    audit.record(actor, "export.register", export, details=_details(export))
    audit.record_reads(actor, [item.case for item in found], action="export.register.case",
                       details={"export_id": export.id})
    db.session.commit()
    return Made(export, register_columns(request.area, language), rows)


def make_research_extract(actor: Actor, principal: policy.Principal,
                          data: Mapping[str, Any], language: str = "sv") -> Made:
    """The pseudonymised extract for a study with an ethics approval."""
    request = _checked(principal, RESEARCH, data)
    actor = _acting_in(actor, principal, RESEARCH, request.area)
    study = study_for(actor, request.ethics_reference, request.study_name)
    found = discussed_cases(request.area.key, request.period_from, request.period_to)
    pseudonyms: dict[int, str] = {}

    def pseudonym(patient: Patient) -> str:
        if patient.id not in pseudonyms:
            pseudonyms[patient.id] = pseudonym_for(study, patient.id)
        return pseudonyms[patient.id]

    rows = [research_row(item, request.area, pseudonym) for item in found]
    export = _record(actor, request, len(rows), study)
    audit.record(actor, "export.research", export,
                 details={**_details(export), "study_id": study.id})
    audit.record_reads(actor, [item.case for item in found], action="export.research.case",
                       details={"export_id": export.id})
    db.session.commit()
    return Made(export, research_columns(request.area, language), rows)


def _checked(principal: policy.Principal, kind: str, data: Mapping[str, Any]
             ) -> ExportRequest:
    """The care area first and whether the principal may export it (403: the refusal is
    not an export and writes nothing), then every other field."""
    area = clean_area(data.get("care_area"))
    _refuse_unless_allowed(principal, kind, area)
    return clean_request(kind, data, local_today())


# --- the list of past exports ------------------------------------------------------------------

PAGE_SIZE = 100


def past_exports(principal: policy.Principal) -> list[Export]:
    """The exports of the areas the principal may see exports of, newest first."""
    areas = sorted(policy.areas_in_scope(principal, "export.view"))
    if not areas:
        return []
    return list(db.session.scalars(
        select(Export).where(Export.care_area.in_(areas)).options(joinedload(Export.study))
        .order_by(Export.made_at.desc(), Export.id.desc()).limit(PAGE_SIZE)))
