"""Demo cases: a dozen referrals to click through, on the demo's fictitious patients only.

Every case goes through the case service as a user would make it: the area's demo referrer
registers (and submits) it from their referring unit, the area's demo coordinator triages it
onto the coming meetings. Nothing is written around the service.

Idempotent: a demo patient who already has a case in the area is left alone, so a second run
adds no case and no transition. Needs the calendars (accepted cases go onto coming meetings):
run it after extend_calendars.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from mdk.access.policy import Principal, principal_for
from mdk.audit.service import Actor, actor_for
from mdk.care_areas.domain import CareArea
from mdk.cases import service as cases
from mdk.cases.models import Case
from mdk.conferences.models import Conference
from mdk.extensions import db
from mdk.patients.models import Patient
from mdk.patients.service import (
    FICTITIOUS_GIVEN_NAME,
    NATIONAL,
    Identity,
    fictitious_identity_numbers,
    patient_by_identity,
)
from mdk.people.models import RoleGrant
from mdk.units.models import Unit


@dataclass(frozen=True)
class DemoCase:
    """One demo referral and where it ends up.

    `patient`: the demo patient's number (Testpatient Ett is 1). `outcome`: draft, submitted,
    returned, accepted, deferred, declined or withdrawn. `meeting`: which of the area's coming
    meetings with room an accepted case goes onto (0 = the next). `treated_at_host`: the
    proposed treating unit is the meeting's host, else another of the area's NHV units.
    """

    area: str
    patient: int
    outcome: str
    case_type: str
    question: str
    answers: dict[str, Any] = field(default_factory=dict)
    priority: str = "normal"
    consent: bool = True
    reason: str | None = None
    meeting: int = 0
    treated_at_host: bool = True
    protected: bool = False


DEMO_CASES = (
    # --- anal cancer --------------------------------------------------------------------------
    DemoCase(
        "analcancer", 1, "draft", "primary",
        "Nyupptäckt tumör i analkanalen vid proktoskopi, biopsi tagen och PAD inväntas. "
        "Bedömning av stadium och behandlingsupplägg önskas när PAD är klart.",
        {"diagnosis_basis": "clinical", "histology": "unknown"}, consent=False),
    DemoCase(
        "analcancer", 2, "submitted", "primary",
        "Snabbt växande tumör i analkanalen med tilltagande smärta och begynnande "
        "inkontinens, T4N1aM0 enligt MR bäcken. Kurativt syftande kemoradioterapi? Behövs "
        "avlastande stomi före behandlingsstart?",
        {"diagnosis_basis": "pad_verified", "histology": "squamous_cell",
         "p16_status": "positive", "clinical_tnm": "T4N1aM0", "oligometastatic": False,
         "who_performance_status": 1},
        priority="urgent"),
    DemoCase(
        "analcancer", 3, "submitted", "second_opinion",
        "Second opinion: skivepitelcancer i analkanten, 2,5 cm, T2N0M0. Lokalt föreslås "
        "lokal excision; patienten önskar bedömning av om kemoradioterapi är att föredra.",
        {"diagnosis_basis": "pad_verified", "histology": "squamous_cell",
         "p16_status": "positive", "clinical_tnm": "T2N0M0", "who_performance_status": 0}),
    DemoCase(
        "analcancer", 4, "returned", "primary",
        "Analcancer T3N1bM0. Ställningstagande till kurativ kemoradioterapi och "
        "strålbehandlingsteknik önskas.",
        {"diagnosis_basis": "pad_verified", "histology": "squamous_cell",
         "p16_status": "not_analysed", "clinical_tnm": "T3N1bM0"},
        reason="PAD-svar och MR bäcken saknas i remissen. Komplettera med p16-analys och "
               "MR-utlåtande, så tas ärendet upp på närmaste möte."),
    DemoCase(
        "analcancer", 5, "accepted", "recurrence",
        "Lokalt återfall 14 månader efter avslutad kemoradioterapi för T2N0M0. PET-DT utan "
        "tecken på fjärrspridning. Aktuell för salvagekirurgi (abdominoperineal "
        "rektumamputation)?",
        {"diagnosis_basis": "pad_verified", "histology": "squamous_cell",
         "p16_status": "positive", "clinical_tnm": "rT2N0M0", "oligometastatic": False,
         "who_performance_status": 1},
        protected=True),
    DemoCase(
        "analcancer", 6, "accepted", "primary",
        "p16-negativ skivepitelcancer i analkanalen, T3N1cM0. Förslag på kurativ "
        "kemoradioterapi med IMRT; behandling önskas vid den NHV-enhet som ligger närmast "
        "patientens hemort.",
        {"diagnosis_basis": "pad_verified", "histology": "squamous_cell",
         "p16_status": "negative", "clinical_tnm": "T3N1cM0", "who_performance_status": 1},
        meeting=1, treated_at_host=False),
    DemoCase(
        "analcancer", 7, "deferred", "primary",
        "Analcancer med solitär levermetastas (oligometastatisk sjukdom). Möjlighet till "
        "kurativt syftande behandling: kemoradioterapi mot primärtumören och lokal behandling "
        "av levermetastasen?",
        {"diagnosis_basis": "pad_verified", "histology": "squamous_cell",
         "p16_status": "positive", "clinical_tnm": "T2N1aM1", "oligometastatic": True,
         "who_performance_status": 0},
        reason="PET-DT är inte utförd. Ärendet flyttas till nästa möte så att undersökningen "
               "hinner göras och granskas."),
    DemoCase(
        "analcancer", 8, "declined", "other",
        "Adenocarcinom i analkanalen, sannolikt utgånget från distala rektum. Behandling "
        "enligt vårdprogrammet för analcancer eller rektalcancer?",
        {"diagnosis_basis": "pad_verified", "histology": "adenocarcinoma",
         "p16_status": "negative", "clinical_tnm": "T3N1M0", "who_performance_status": 1},
        reason="Adenocarcinom utgånget från rektum handläggs enligt vårdprogrammet för "
               "rektalcancer vid regional MDK; den nationella analcancer-MDK:n behöver inte "
               "bedöma fallet."),
    # --- CRS/HIPEC ------------------------------------------------------------------------------
    DemoCase(
        "crs_hipec", 9, "accepted", "primary",
        "Koloncancer med synkron peritoneal carcinos, PCI 8 vid diagnostisk laparoskopi. Sex "
        "kurer FOLFOX med stabil sjukdom. Aktuell för cytoreduktiv kirurgi med HIPEC?",
        {"primary_tumour": "colorectal", "previously_operated": False, "pci": 8,
         "previous_chemotherapy": "FOLFOX, sex kurer, avslutad för fyra veckor sedan.",
         "who_performance_status": 0}),
    DemoCase(
        "crs_hipec", 10, "submitted", "primary",
        "Pseudomyxoma peritonei från låggradig mucinös appendixneoplasi (LAMN), upptäckt vid "
        "akut appendektomi. Bedömning inför cytoreduktiv kirurgi med HIPEC önskas.",
        {"primary_tumour": "appendix", "previously_operated": True,
         "who_performance_status": 0}),
    DemoCase(
        "crs_hipec", 11, "withdrawn", "recurrence",
        "Återfall av ovarialcancer med peritoneal spridning två år efter primärkirurgi och "
        "karboplatin/paklitaxel. Möjlighet till sekundär cytoreduktion med HIPEC?",
        {"primary_tumour": "ovarian", "previously_operated": True, "pci": 12,
         "previous_chemotherapy": "Karboplatin och paklitaxel, sex kurer.",
         "who_performance_status": 1},
        reason="Patienten har efter samtal med kontaktsjuksköterskan avböjt ytterligare "
               "kirurgi."),
    DemoCase(
        "crs_hipec", 12, "draft", "primary",
        "Ventrikelcancer med begränsad peritoneal spridning och positiv buksköljvätska. "
        "Aktuell för CRS/HIPEC efter preoperativ cytostatikabehandling?",
        {"primary_tumour": "gastric", "previously_operated": False}),
)


@dataclass(frozen=True)
class _User:
    actor: Actor
    principal: Principal


def load_demo_cases(areas: dict[str, CareArea], patient_count: int) -> int:
    """Register the demo cases that are not there yet; returns how many were added."""
    numbers = fictitious_identity_numbers(patient_count)
    added = 0
    for demo in DEMO_CASES:
        area = areas.get(demo.area)
        if area is None or not 1 <= demo.patient <= len(numbers):
            continue
        patient = patient_by_identity(Identity(kind="personnummer",
                                               value=numbers[demo.patient - 1]))
        # Fictitious demo patients only; one demo case per patient and area.
        if patient is None or not patient.fictitious \
                or any(case.care_area == area.key for case in patient.cases):
            continue
        referrer = _user("referrer", area.key)
        coordinator = _user("coordinator", area.key, area.nhv_units[0].hsa_id)
        if referrer is None or coordinator is None:
            continue
        if _refer(demo, patient, referrer, coordinator) is not None:
            added += 1
    return added


def _user(role: str, area_key: str, unit_hsa_id: str | None = None) -> _User | None:
    """The demo person holding `role` in the area (at that unit), acting in that grant."""
    query = (select(RoleGrant).join(Unit, RoleGrant.unit_id == Unit.id)
             .where(RoleGrant.role == role, RoleGrant.care_area == area_key)
             .order_by(RoleGrant.id))
    if unit_hsa_id is not None:
        query = query.where(Unit.hsa_id == unit_hsa_id)
    grant = db.session.scalars(query).first()
    if grant is None or not grant.person.active:
        return None
    return _User(actor_for(grant.person, grant), principal_for(grant.person))


def _refer(demo: DemoCase, patient: Patient, referrer: _User,
           coordinator: _User) -> Case | None:
    meetings = _meetings_with_room(demo.area)
    needed = demo.meeting + (2 if demo.outcome == "deferred" else 1)
    if demo.outcome in ("accepted", "deferred") and len(meetings) < needed:
        return None  # no calendar to put it on: try again on a later run
    case = register(demo, patient, referrer)
    triage = coordinator.actor, coordinator.principal
    if demo.outcome in ("returned", "declined"):
        action = "return" if demo.outcome == "returned" else "decline"
        cases.move_case(*triage, case, action, {"reason": demo.reason})
    elif demo.outcome == "withdrawn":
        cases.move_case(referrer.actor, referrer.principal, case, "withdraw",
                        {"reason": demo.reason})
    elif demo.outcome in ("accepted", "deferred"):
        meeting = meetings[demo.meeting]
        cases.move_case(*triage, case, "accept", {
            "conference_id": meeting.id,
            "treating_unit_id": _treating_unit(demo, meeting)})
        if demo.outcome == "deferred":
            cases.move_case(*triage, case, "defer", {
                "conference_id": meetings[demo.meeting + 1].id, "reason": demo.reason})
    return case


def register(demo: DemoCase, patient: Patient, referrer: _User) -> Case:
    """The referral as the area's demo referrer registers it from their referring unit."""
    referring_unit = next(iter(sorted(referrer.principal.units("referrer", demo.area))))
    return cases.register_case(referrer.actor, referrer.principal, {
        "care_area": demo.area, "referring_unit_id": referring_unit,
        "identity_kind": NATIONAL, "identity_number": patient.identity_value,
        "given_name": FICTITIOUS_GIVEN_NAME, "family_name": patient.family_name,
        "protected_identity": demo.protected,
        "question": demo.question, "case_type": demo.case_type, "priority": demo.priority,
        "consent_recorded": demo.consent, "answers": demo.answers,
        "submit": demo.outcome != "draft",
    })


def _meetings_with_room(area_key: str) -> list[Conference]:
    return [meeting for meeting in cases.open_conferences(area_key)
            if cases.agenda_size(meeting.id) < meeting.capacity]


def _treating_unit(demo: DemoCase, meeting: Conference) -> int | None:
    if demo.treated_at_host:
        return meeting.host_unit_id
    others = [unit.id for unit in cases.treating_units(demo.area)
              if unit.id != meeting.host_unit_id]
    return others[0] if others else meeting.host_unit_id
