"""The report to the referring unit as an HL7 FHIR R4 document (issue 14, point 4).

One Bundle of type `document`, its Composition first: the signed protocol and the
established care plan are one fixed, attested whole, and a journal files a document as it
came (a note with its sections, its attesting chair, its custodian), which a `collection`
would not say. The resources the Composition points to carry the same content as data for
a system that takes it in structured form:

- Patient: the identity number under its Swedish system (personnummer, samordningsnummer;
  a reservnummer has no national system and the project keeps no regional one, so it is
  left out) and the name;
- Organization: the referring unit, the host unit, the treating NHV unit (HSA-id);
- Practitioner: the chair who signed the protocol, the one who established the plan
  (HSA-id when the person has one);
- ServiceRequest: the referral (the case, requested by the referring unit of the host) and
  the recommendation, a proposal to the treating unit based on it;
- CareTeam: the treating NHV unit, the plan's care team;
- CarePlan: the established revision, its activities the recommendation and the plan's
  rows (rehabilitation, checks, PROM time points, each marked by kind).

Every fullUrl is a urn:uuid made with uuid5 from the service's address and the database
ids, so two exports of the same report are equal (issued_at aside, which the caller
gives). Text is in Swedish, as written; section titles are the templates' Swedish labels
as signed (established). The export holds the patient's identity: only for an
authenticated, audited download (the caller checks access and writes the audit event).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import asdict, is_dataclass
from datetime import UTC, datetime
from functools import cached_property
from html import escape
from typing import Any

from flask_babel import force_locale

from mdk.care_areas.domain import HOME_REGION, ROW_KINDS
from mdk.care_areas.service import care_area
from mdk.care_plans.models import CarePlan
from mdk.cases.models import Case
from mdk.extensions import db
from mdk.patients.models import Patient
from mdk.people.models import Person
from mdk.protocols import fields, rows
from mdk.protocols.models import Protocol
from mdk.units.models import Unit
from mdk.units.service import unit_by_hsa_id

PERSONNUMMER_SYSTEM = "urn:oid:1.2.752.129.2.1.3.1"
SAMORDNINGSNUMMER_SYSTEM = "urn:oid:1.2.752.129.2.1.3.3"
HSA_ID_SYSTEM = "urn:oid:1.2.752.29.4.19"
IDENTITY_SYSTEMS = {"personnummer": PERSONNUMMER_SYSTEM,
                    "samordningsnummer": SAMORDNINGSNUMMER_SYSTEM}
URI_SYSTEM = "urn:ietf:rfc:3986"
CONFIDENTIALITY_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
XHTML = "http://www.w3.org/1999/xhtml"
LANGUAGE = "sv"
# Section keys the report reads by name; both shipped area files use them.
RECOMMENDATION, TREATMENT, INTENT = "recommendation", "treatment", "intent"
# The service's own code systems and identifiers, under its address (base_url).
ACTIVITY_KINDS = {"rehabilitation": "Rehabilitering", "check": "Uppföljning och kontroll",
                  "prom": "Patientrapporterat mått (PROM)"}
# Fixed for ever: every uuid5 of an export hangs on it.
_NAMESPACE = uuid.UUID("cbf7f774-7157-42f3-9cb3-ed24689bc5a6")


class NotReportable(ValueError):
    """The protocol is not signed, or the plan not established, or not the case's."""


def latest_established(revisions: list[CarePlan]) -> CarePlan | None:
    """The revision a report shows: the latest established one (a newer draft waits)."""
    return next((plan for plan in reversed(revisions) if plan.established), None)


def bundle(case: Case, protocol: Protocol, care_plan: CarePlan, *, issued_at: datetime,
           base_url: str, names: Any = None) -> dict[str, Any]:
    """The report as a FHIR R4 document Bundle (a JSON-ready dict).

    `names`: the patient as the reader is shown them (mdk.cases.identity.shown_patient's
    ShownPatient, or a mapping of its fields: visible, given_name, family_name,
    protected_identity); by default the registered identity. Not visible: the Patient
    carries neither number nor name, the case number alone ties the document to the
    referral."""
    _check_reportable(case, protocol, care_plan)
    with force_locale(LANGUAGE):  # shown values (yes/no, "3 månader efter ...") in Swedish
        return _Document(case, protocol, care_plan, base_url.rstrip("/"), names).build(
            issued_at)


def _check_reportable(case: Case, protocol: Protocol, care_plan: CarePlan) -> None:
    if not protocol.signed or protocol.case_id != case.id:
        raise NotReportable("the report is made from the case's signed protocol")
    if not care_plan.established or care_plan.protocol_id != protocol.id:
        raise NotReportable("the report is made from an established plan of the protocol")


def patient_identifier(patient: Patient) -> dict[str, str] | None:
    """The identity number under its national system; None for a reservnummer."""
    system = IDENTITY_SYSTEMS.get(patient.identity_kind)
    return {"use": "official", "system": system, "value": patient.identity_value} \
        if system else None


def hsa_identifier(hsa_id: str) -> dict[str, str]:
    return {"use": "official", "system": HSA_ID_SYSTEM, "value": hsa_id}


def instant(moment: datetime) -> str:
    """A FHIR instant in UTC, to the second: 2026-12-01T09:30:00Z."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def narrative(lines: list[str], *, as_list: bool = False) -> dict[str, str]:
    """XHTML narrative of text lines (escaped): a paragraph with line breaks, or a list."""
    if as_list:
        body = "<ul>" + "".join(f"<li>{escape(line, quote=False)}</li>" for line in lines) \
            + "</ul>"
    else:
        body = "<p>" + "<br/>".join(escape(line, quote=False) for line in lines) + "</p>"
    return {"status": "generated", "div": f'<div xmlns="{XHTML}">{body}</div>'}


def treating_unit_of(case: Case, protocol: Protocol, plan: CarePlan) -> Unit | str | None:
    """The treating NHV unit: the plan's (it may be revised), else the protocol's, else the
    case's; HOME_REGION when the patient is treated in the home region (also the unit the
    treatment follow-up, mdk.treatment, lists the case for)."""
    for document in (plan, protocol):
        for section in document.sections or []:
            value = document.values.get(section["key"])
            if section["kind"] == "unit" and value:
                return HOME_REGION if value == HOME_REGION else unit_by_hsa_id(value)
    return case.treating_unit


class _Document:
    """One export: its entries by fullUrl in the order they are first referenced."""

    def __init__(self, case: Case, protocol: Protocol, plan: CarePlan, base_url: str,
                 names: Any) -> None:
        self.case, self.protocol, self.plan, self.base_url = case, protocol, plan, base_url
        self.names = _names(case.patient, names)
        self.area = care_area(case.care_area)
        self.entries: dict[str, dict[str, Any]] = {}

    # --- addresses -----------------------------------------------------------------------

    def urn(self, kind: str, key: object) -> str:
        return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{self.base_url}/{kind}/{key}')}"

    def system(self, path: str) -> str:
        return f"{self.base_url}/fhir/{path}"

    def add(self, url: str, resource_type: str, build: Any) -> dict[str, str]:
        """A reference to the resource at `url`, made by `build()` the first time."""
        if url not in self.entries:
            self.entries[url] = {"resourceType": resource_type, "id": url.rsplit(":", 1)[1],
                                 **build()}
        return {"reference": url}

    # --- the parties ---------------------------------------------------------------------

    def patient(self) -> dict[str, str]:
        patient = self.case.patient
        return self.add(self.urn("patient", patient.id), "Patient",
                        lambda: _patient(patient, self.names))

    def organization(self, unit: Unit) -> dict[str, str]:
        return self.add(self.urn("unit", unit.id), "Organization", lambda: _organization(unit))

    def practitioner(self, person_id: int | None, name: str) -> dict[str, str]:
        person = db.session.get(Person, person_id) if person_id is not None else None

        def build() -> dict[str, Any]:
            found: dict[str, Any] = {}
            if person is not None and person.hsa_id:
                found["identifier"] = [hsa_identifier(person.hsa_id)]
            return {**found, "name": [{"text": name}]}

        return self.add(self.urn("person", person_id if person else f"name:{name}"),
                        "Practitioner", build)

    def signer(self) -> dict[str, str]:
        return self.practitioner(self.protocol.signed_by, self.protocol.signed_by_name or "")

    def establisher(self) -> dict[str, str]:
        return self.practitioner(self.plan.established_by, self.plan.established_by_name or "")

    def host(self) -> dict[str, str] | None:
        host = self.protocol.conference.host_unit
        return self.organization(host) if host is not None else None

    @cached_property
    def treating_unit(self) -> Unit | str | None:
        return treating_unit_of(self.case, self.protocol, self.plan)

    # --- the requests, the team, the plan ------------------------------------------------

    def referral(self) -> dict[str, str]:
        case = self.case

        def build() -> dict[str, Any]:
            identifiers = [{"use": "official", "system": self.system("identifier/case-number"),
                            "value": case.number}]
            if case.remiss_reference:  # the sender's own reference of a remiss sent to us
                identifiers.append({"type": {"text": "Remittentens referens"},
                                    "value": case.remiss_reference,
                                    "assigner": self.organization(case.referring_unit)})
            found: dict[str, Any] = {
                "identifier": identifiers, "status": "completed", "intent": "order",
                "priority": "urgent" if case.priority == "urgent" else "routine",
                "code": {"text": f"Bedömning vid nationell MDK: {self.area.name.sv}"},
                "subject": self.patient()}
            if case.submitted_at is not None:
                found["authoredOn"] = instant(case.submitted_at)
            found["requester"] = self.organization(case.referring_unit)
            host = self.host()
            if host is not None:
                found["performer"] = [host]
            found["note"] = [{"text": case.question}]
            return found

        return self.add(self.urn("referral", case.id), "ServiceRequest", build)

    def recommendation(self) -> dict[str, str]:
        protocol = self.protocol
        values = protocol.values

        def build() -> dict[str, Any]:
            found: dict[str, Any] = {"basedOn": [self.referral()], "status": "active",
                                     "intent": "proposal"}  # the treating unit decides
            intent = _section(protocol.sections, INTENT)
            if intent is not None and values.get(INTENT):
                found["category"] = [{"coding": [{
                    "system": self.system("CodeSystem/treatment-intent"),
                    "code": values[INTENT],
                    "display": fields.shown_value(intent, values[INTENT], LANGUAGE)}],
                    "text": fields.shown_value(intent, values[INTENT], LANGUAGE)}]
            found["code"] = {"text": values.get(TREATMENT) or values.get(RECOMMENDATION)
                             or "Behandlingsrekommendation från MDK"}
            found["subject"] = self.patient()
            found["authoredOn"] = instant(protocol.signed_at)
            found["requester"] = self.signer()
            treating = self.treating_unit
            if isinstance(treating, Unit):
                found["performer"] = [self.organization(treating)]
            elif treating == HOME_REGION:
                found["performerType"] = {"text": fields.HOME_REGION_LABEL[LANGUAGE]}
            if values.get(RECOMMENDATION):
                found["note"] = [{"text": values[RECOMMENDATION]}]
            return found

        return self.add(self.urn("recommendation", protocol.id), "ServiceRequest", build)

    def care_team(self) -> dict[str, str] | None:
        treating = self.treating_unit
        if not isinstance(treating, Unit):
            return None

        def build() -> dict[str, Any]:
            unit = self.organization(treating)
            return {"status": "active", "name": f"Behandlande enhet: {treating.name}",
                    "subject": self.patient(),
                    "participant": [{"role": [{"text": "Behandlande NHV-enhet"}],
                                     "member": unit}],
                    "managingOrganization": [unit]}

        return self.add(self.urn("care-team", self.plan.id), "CareTeam", build)

    def care_plan(self) -> dict[str, str]:
        plan = self.plan

        def build() -> dict[str, Any]:
            found: dict[str, Any] = {
                "identifier": [{"use": "official",
                                "system": self.system("identifier/care-plan"),
                                "value": f"{self.case.number}/{plan.revision}"}],
                "status": "active", "intent": "plan",
                "category": [{"text": "Individuell vårdplan (Min vårdplan)"}],
                "title": f"Min vårdplan, version {plan.revision}"}
            description = plan.values.get(RECOMMENDATION) \
                or self.protocol.values.get(RECOMMENDATION)
            if description:
                found["description"] = description
            found.update(subject=self.patient(),
                         period={"start": instant(plan.established_at)},
                         created=instant(plan.established_at), author=self.establisher())
            team = self.care_team()
            if team is not None:
                found["careTeam"] = [team]
            found["activity"] = [{"reference": self.recommendation()}, *self.activities()]
            return found

        return self.add(self.urn("care-plan", plan.id), "CarePlan", build)

    def activities(self) -> list[dict[str, Any]]:
        """One activity per row of the plan's tables, in the plan's order."""
        found = []
        for section in self.plan.sections or []:
            if section["kind"] not in ROW_KINDS:
                continue
            for row in self.plan.values.get(section["key"], []):
                detail = (self.rehabilitation(section, row)
                          if section["kind"] == "rehabilitation"
                          else self.time_point(section, row))
                found.append({"detail": {**detail, "status": "not-started",
                                         **_scheduled(section["kind"], row)}})
        return found

    def activity_code(self, kind: str, text: str) -> dict[str, Any]:
        return {"coding": [{"system": self.system("CodeSystem/care-plan-activity"),
                            "code": kind, "display": ACTIVITY_KINDS[kind]}], "text": text}

    def rehabilitation(self, section: Mapping[str, Any], row: Mapping[str, str]) -> dict:
        return {"code": self.activity_code("rehabilitation", section["label"][LANGUAGE]),
                "reasonCode": [{"text": row["need"]}],
                "description": row.get("action") or row["need"],
                "performer": [{"display": row["profession"]}]}

    def time_point(self, section: Mapping[str, Any], row: Mapping[str, Any]) -> dict:
        if section.get("prom"):  # marked: the follow-up sends these questionnaires
            code = self.activity_code("prom", row.get("instrument") or ACTIVITY_KINDS["prom"])
        else:
            code = self.activity_code("check", section["label"][LANGUAGE])
        description = row["what"]
        if row.get("instrument") and not section.get("prom"):
            description = f"{description} ({row['instrument']})"
        return {"code": code, "description": description}

    # --- the Composition -----------------------------------------------------------------

    def sections(self, kind: str, document: Protocol | CarePlan,
                 entries: Mapping[str, list[dict[str, str]]]) -> list[dict[str, Any]]:
        """A Composition section per filled section of the document, as signed."""
        found = []
        for section in document.sections or []:
            value = document.values.get(section["key"])
            if value is None or value == "" or value == []:
                continue
            if section["kind"] in ROW_KINDS:
                text = narrative([rows.shown_row(section["kind"], row) for row in value],
                                 as_list=True)
            else:
                text = narrative(fields.shown_value(section, value, LANGUAGE).splitlines()
                                 or [""])
            one = {"title": section["label"][LANGUAGE],
                   "code": self.section_code(f"{kind}.{section['key']}"), "text": text}
            if section["key"] in entries:
                one["entry"] = entries[section["key"]]
            found.append(one)
        return found

    def section_code(self, key: str) -> dict[str, Any]:
        return {"coding": [{"system": self.system("CodeSystem/document-section"),
                            "code": key}]}

    def addenda(self) -> dict[str, Any] | None:
        addenda = self.protocol.addenda
        if not addenda:
            return None
        return {"title": "Tillägg till protokollet", "code": self.section_code("addenda"),
                "section": [{
                    "title": f"Tillägg {instant(one.created_at)[:10]}, {one.author_name}",
                    "text": narrative([*one.text.splitlines(), f"Skäl: {one.reason}"])}
                    for one in addenda]}

    def composition(self) -> dict[str, Any]:
        case, protocol, plan = self.case, self.protocol, self.plan
        conference = protocol.conference
        treating = self.treating_unit
        unit_entry = [self.organization(treating)] if isinstance(treating, Unit) else []
        protocol_entries = {RECOMMENDATION: [self.recommendation()]}
        plan_entries = {RECOMMENDATION: [self.recommendation()]}
        for section in plan.sections or []:
            if section["kind"] in ROW_KINDS:
                plan_entries[section["key"]] = [self.care_plan()]
        for document, entries in ((protocol, protocol_entries), (plan, plan_entries)):
            for section in document.sections or []:
                if section["kind"] == "unit" and unit_entry:
                    entries[section["key"]] = unit_entry
        addenda = self.addenda()
        changed = [protocol.signed_at, plan.established_at,
                   *(one.created_at for one in protocol.addenda)]
        found: dict[str, Any] = {
            "language": LANGUAGE,
            "identifier": {"system": URI_SYSTEM,
                           "value": self.urn("composition", f"{protocol.id}/{plan.id}")},
            "status": "amended" if addenda else "final",
            "type": {"text": "Protokoll från nationell multidisciplinär konferens (MDK) med "
                             "individuell vårdplan"},
            "category": [{"text": self.area.name.sv}],
            "subject": self.patient(),
            "date": instant(max(_aware(moment) for moment in changed)),
            "author": [self.signer()],
            "title": f"MDK-protokoll och vårdplan, {case.number}",
            "confidentiality": "R" if self.names["protected_identity"] else "N",
            "attester": [{"mode": "legal", "time": instant(protocol.signed_at),
                          "party": self.signer()},
                         {"mode": "professional", "time": instant(plan.established_at),
                          "party": self.establisher()}]}
        host = self.host()
        if host is not None:
            found["custodian"] = host
        event: dict[str, Any] = {"code": [{"text": "Multidisciplinär konferens (MDK)"}],
                                 "period": {"start": instant(conference.starts_at),
                                            "end": instant(conference.ends_at)}}
        if host is not None:
            event["detail"] = [host]
        found["event"] = [event]
        found["section"] = [
            {"title": "Protokoll", "code": self.section_code("protocol"),
             "entry": [self.referral(), self.recommendation()],
             "section": self.sections("protocol", protocol, protocol_entries)},
            *([addenda] if addenda else []),
            {"title": f"Min vårdplan, version {plan.revision}",
             "code": self.section_code("care_plan"), "entry": [self.care_plan()],
             "section": self.sections("care_plan", plan, plan_entries)}]
        return found

    def build(self, issued_at: datetime) -> dict[str, Any]:
        key = f"{self.protocol.id}/{self.plan.id}"
        composition_url = self.urn("composition", key)
        composition = self.composition()
        # Any addendum makes another document: its own identifier.
        last_addendum = self.protocol.addenda[-1].id if self.protocol.addenda else 0
        bundle_url = self.urn("bundle", f"{key}/{last_addendum}")
        entries = {composition_url: {"resourceType": "Composition",
                                     "id": composition_url.rsplit(":", 1)[1],
                                     **composition}, **self.entries}
        return {"resourceType": "Bundle", "id": bundle_url.rsplit(":", 1)[1],
                "language": LANGUAGE,
                "identifier": {"system": URI_SYSTEM, "value": bundle_url},
                "type": "document", "timestamp": instant(issued_at),
                "entry": [{"fullUrl": url, "resource": resource}
                          for url, resource in entries.items()]}


def _names(patient: Patient, names: Any) -> dict[str, Any]:
    if names is None:
        return {"visible": True, "given_name": patient.given_name,
                "family_name": patient.family_name,
                "protected_identity": patient.protected_identity}
    if is_dataclass(names):  # mdk.cases.identity.ShownPatient
        names = asdict(names)
    return {"visible": bool(names.get("visible", True)),
            "given_name": names.get("given_name") or "",
            "family_name": names.get("family_name") or "",
            "protected_identity": bool(names.get("protected_identity"))}


def _patient(patient: Patient, names: Mapping[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if names["protected_identity"]:
        found["meta"] = {"security": [{"system": CONFIDENTIALITY_SYSTEM, "code": "R"}]}
    if not names["visible"]:
        return found
    identifier = patient_identifier(patient)
    if identifier is not None:
        found["identifier"] = [identifier]
    given, family = names["given_name"], names["family_name"]
    found["name"] = [{"use": "official", "text": f"{given} {family}".strip(),
                      "family": family, "given": given.split()}]
    return found


def _organization(unit: Unit) -> dict[str, Any]:
    found: dict[str, Any] = {
        "identifier": [hsa_identifier(unit.hsa_id)], "active": unit.active,
        "name": unit.name, "alias": [unit.short_name],
        "telecom": [{"system": "phone", "value": unit.phone, "use": "work"},
                    {"system": "email", "value": unit.mailbox, "use": "work"}]}
    if unit.address or unit.city:
        address: dict[str, Any] = {"use": "work", "type": "both", "country": "SE"}
        if unit.address:
            address["line"] = [unit.address]
        if unit.city:
            address["city"] = unit.city
        found["address"] = [address]
    provider = unit.provider
    part_of: dict[str, Any] = {"display": provider.name}  # the care provider (vårdgivare)
    if provider.hsa_id:
        part_of["identifier"] = hsa_identifier(provider.hsa_id)
    found["partOf"] = part_of
    return found


def _section(sections: list[dict[str, Any]] | None, key: str) -> dict[str, Any] | None:
    return next((section for section in sections or [] if section["key"] == key), None)


def _scheduled(kind: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """When: a rehabilitation row's time point as written; a schedule row's date as a
    timing, or its time after an event as read ("3 månader efter avslutad behandling")."""
    if kind == "rehabilitation":
        return {"scheduledString": row["time_point"]} if row.get("time_point") else {}
    if row.get("date"):
        return {"scheduledTiming": {"event": [row["date"]]}}
    return {"scheduledString": rows.when(row)}


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
