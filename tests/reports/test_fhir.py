"""The report as a FHIR R4 document (mdk.reports.fhir), built from a signed protocol and an
established care plan made through the services, checked with fhir.resources' R4B models
(tests/reports/fhir_check.py): the Swedish identifier systems, the plan's activities from
its rows as written, references inside the bundle, the same output every time, the latest
established revision; and a tampered bundle fails the check."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from mdk.care_plans import service as care_plans
from mdk.cases import identity
from mdk.extensions import db
from mdk.patients.models import Patient
from mdk.protocols import service as protocols
from mdk.reports import fhir
from tests.care_plans.factories import OWN_SECTIONS, establish, established, saved
from tests.cases.factories import NUMBERS
from tests.protocols import factories as protocol_steps
from tests.reports.fhir_check import NotValid, checked

ISSUED_AT = datetime(2026, 12, 1, 10, 30, tzinfo=UTC)
BASE_URL = "https://mdk.test.example/"
SIGNER_HSA_ID = "SE2321000131-P000000000001"
TREATING_HSA_ID = "SE2321000131-AC02"  # tests.protocols.factories.COMPLETE


def _report(case, plan, **options):
    return fhir.bundle(case, plan.protocol, plan, issued_at=ISSUED_AT, base_url=BASE_URL,
                       **options)


def _resources(data, resource_type):
    return [entry["resource"] for entry in data["entry"]
            if entry["resource"]["resourceType"] == resource_type]


def _one(data, resource_type):
    found = _resources(data, resource_type)
    assert len(found) == 1, resource_type
    return found[0]


def _by_url(data):
    return {entry["fullUrl"]: entry["resource"] for entry in data["entry"]}


@pytest.fixture()
def plan(chaired, case_on_meeting):
    """The case's established care plan, its protocol signed by a chair with an HSA-id."""
    chaired.people["host_member"].hsa_id = SIGNER_HSA_ID
    db.session.commit()
    return established(chaired, case_on_meeting)


def test_the_report_is_a_valid_fhir_r4_document(chaired, case_on_meeting, plan):
    data = _report(case_on_meeting, plan)
    model = checked(data)
    assert model.type == "document" and model.entry[0].resource.get_resource_type() == \
        "Composition"
    kinds = sorted(entry["resource"]["resourceType"] for entry in data["entry"])
    assert kinds == ["CarePlan", "CareTeam", "Composition", "Organization", "Organization",
                     "Organization", "Patient", "Practitioner", "Practitioner",
                     "ServiceRequest", "ServiceRequest"]
    assert all(entry["fullUrl"] == f"urn:uuid:{entry['resource']['id']}"
               for entry in data["entry"])
    composition = data["entry"][0]["resource"]
    assert composition["status"] == "final" and composition["confidentiality"] == "N"
    assert composition["title"] == f"MDK-protokoll och vårdplan, {case_on_meeting.number}"
    assert [a["mode"] for a in composition["attester"]] == ["legal", "professional"]
    json.dumps(data)  # JSON-ready as it is


def test_identifiers_use_the_swedish_systems(chaired, case_on_meeting, plan):
    data = _report(case_on_meeting, plan)
    by_url = _by_url(data)
    patient = _one(data, "Patient")
    assert patient["identifier"] == [{"use": "official", "system": "urn:oid:1.2.752.129.2.1.3.1",
                                      "value": NUMBERS[0]}]
    assert patient["name"][0]["family"] == "Nummer0"
    hsa = "urn:oid:1.2.752.29.4.19"
    organizations = {o["identifier"][0]["value"]: o for o in _resources(data, "Organization")}
    assert {o["identifier"][0]["system"] for o in organizations.values()} == {hsa}
    assert set(organizations) == {chaired.referring.hsa_id, chaired.nhv[0].hsa_id,
                                  TREATING_HSA_ID}
    referral, recommendation = _resources(data, "ServiceRequest")
    assert by_url[referral["requester"]["reference"]]["identifier"][0]["value"] == \
        chaired.referring.hsa_id
    assert by_url[referral["performer"][0]["reference"]]["name"] == chaired.nhv[0].name
    assert referral["identifier"][0]["value"] == case_on_meeting.number
    assert by_url[recommendation["performer"][0]["reference"]]["identifier"][0]["value"] == \
        TREATING_HSA_ID
    assert recommendation["intent"] == "proposal"
    assert recommendation["note"] == [{"text": protocol_steps.COMPLETE["recommendation"]}]
    signer = by_url[recommendation["requester"]["reference"]]
    assert signer["identifier"] == [{"use": "official", "system": hsa,
                                     "value": SIGNER_HSA_ID}]
    establisher = by_url[_one(data, "CarePlan")["author"]["reference"]]
    assert "identifier" not in establisher  # the coordinator has no HSA-id in this world
    assert establisher["name"] == [{"text": chaired.people["coordinator"].name}]
    team = _one(data, "CareTeam")
    assert by_url[team["participant"][0]["member"]["reference"]]["identifier"][0]["value"] \
        == TREATING_HSA_ID


def test_the_identity_kinds_have_their_systems_and_a_reservnummer_none():
    def identifier(kind):
        return fhir.patient_identifier(Patient(identity_kind=kind, identity_value="x"))

    assert identifier("personnummer")["system"] == "urn:oid:1.2.752.129.2.1.3.1"
    assert identifier("samordningsnummer")["system"] == "urn:oid:1.2.752.129.2.1.3.3"
    assert identifier("reservnummer") is None


def test_a_reservnummer_patient_is_named_without_an_identifier(chaired, case_on_meeting,
                                                               plan):
    patient = case_on_meeting.patient
    patient.identity_kind, patient.identity_issuer = "reservnummer", "Region Östergötland"
    patient.identity_value = "9001019999"
    db.session.commit()
    data = _report(case_on_meeting, plan)
    checked(data)
    assert "identifier" not in _one(data, "Patient")
    assert _one(data, "Patient")["name"][0]["family"] == "Nummer0"


def test_the_care_plan_activities_are_its_rows_as_written(chaired, case_on_meeting, plan):
    data = _report(case_on_meeting, plan)
    care_plan = _one(data, "CarePlan")
    assert (care_plan["status"], care_plan["intent"]) == ("active", "plan")
    assert care_plan["description"] == protocol_steps.COMPLETE["recommendation"]
    assert care_plan["created"] == fhir.instant(plan.established_at)
    recommendation = _resources(data, "ServiceRequest")[1]
    first, *rest = care_plan["activity"]
    assert _by_url(data)[first["reference"]["reference"]] is recommendation
    details = [activity["detail"] for activity in rest]
    by_kind = {}
    for detail in details:
        by_kind.setdefault(detail["code"]["coding"][0]["code"], []).append(detail)
    rehabilitation = plan.values["rehabilitation"]
    assert [(d["reasonCode"][0]["text"], d["performer"][0]["display"], d["description"],
             d["scheduledString"]) for d in by_kind["rehabilitation"]] == [
        (row["need"], row["profession"], row["action"], row["time_point"])
        for row in rehabilitation]
    assert by_kind["rehabilitation"][3]["performer"] == [{"display": "Kontaktsjuksköterska"}]
    assert by_kind["rehabilitation"][0]["reasonCode"] == [
        {"text": "Tarmfunktion (diarré, trängningar, läckage)"}]
    checks = by_kind["check"]
    assert [d["description"] for d in checks] == [row["what"]
                                                  for row in plan.values["follow_up"]]
    assert checks[0]["scheduledString"] == "3 månader efter avslutad behandling"
    assert checks[3]["scheduledString"] == "2 år efter avslutad behandling"
    proms = by_kind["prom"]
    assert [(d["code"]["text"], d["description"]) for d in proms] == [
        (row["instrument"], row["what"]) for row in plan.values["prom"]]
    assert proms[0]["scheduledString"] == "0 dagar efter behandlingsstart"
    assert proms[0]["code"]["coding"][0]["display"] == "Patientrapporterat mått (PROM)"
    assert all(d["status"] == "not-started" for d in details)
    text = json.dumps(data, ensure_ascii=False)
    assert "Sexuell hälsa" in text and "Kontaktsjuksköterska" in text and "\\u" not in text


def test_the_composition_has_a_section_per_filled_section_in_swedish(chaired,
                                                                     case_on_meeting, plan):
    data = _report(case_on_meeting, plan)
    protocol_part, plan_part = data["entry"][0]["resource"]["section"]
    titles = {s["title"]: s for s in protocol_part["section"]}
    assert titles["Behandlingsrekommendation"]["text"]["div"] == (
        '<div xmlns="http://www.w3.org/1999/xhtml"><p>Kurativt syftande kemoradioterapi.</p>'
        "</div>")
    assert "<p>Ja</p>" in titles["Studieinklusion övervägd"]["text"]["div"]
    assert "<p>Kurativ</p>" in titles["Behandlingsintention"]["text"]["div"]
    assert titles["Frågeställning"]["text"]["div"].count("Kurativ kemoradioterapi?") == 1
    plan_titles = {s["title"]: s for s in plan_part["section"]}
    assert "Rehabilitering efter kemoradioterapi" in plan_titles
    assert plan_titles["Patientrapporterade mått (PROM)"]["entry"] == plan_part["entry"]
    assert plan_titles["Min kontaktsjuksköterska"]["text"]["div"].count(
        "Anna Testsköterska") == 1


def test_two_exports_of_the_same_report_are_equal(chaired, case_on_meeting, plan):
    first = _report(case_on_meeting, plan)
    db.session.expire_all()
    assert _report(case_on_meeting, plan) == first
    assert json.dumps(_report(case_on_meeting, plan)) == json.dumps(first)
    elsewhere = fhir.bundle(case_on_meeting, plan.protocol, plan, issued_at=ISSUED_AT,
                            base_url="https://other.example")
    assert {e["fullUrl"] for e in elsewhere["entry"]}.isdisjoint(
        e["fullUrl"] for e in first["entry"])


def test_the_latest_established_revision_is_exported(chaired, case_on_meeting, plan):
    first = plan
    second = care_plans.revise(chaired.actor("coordinator"), chaired.principal("coordinator"),
                               case_on_meeting, first)
    rehabilitation = [{**row, "time_point": "Vid behov, även efter ett år"}
                      for row in second.values["rehabilitation"][:2]]
    second = saved(chaired, case_on_meeting, second,
                   {**second.values, "rehabilitation": rehabilitation})
    revisions = care_plans.revisions_of(case_on_meeting, first.protocol)
    assert fhir.latest_established(revisions).id == first.id  # the draft waits
    with pytest.raises(fhir.NotReportable):
        _report(case_on_meeting, second)
    establish(chaired, case_on_meeting, second)
    latest = fhir.latest_established(care_plans.revisions_of(case_on_meeting, first.protocol))
    assert (latest.id, latest.revision) == (second.id, 2)
    data = _report(case_on_meeting, latest)
    checked(data)
    care_plan = _one(data, "CarePlan")
    assert care_plan["identifier"][0]["value"] == f"{case_on_meeting.number}/2"
    assert care_plan["title"] == "Min vårdplan, version 2"
    rows = [a["detail"] for a in care_plan["activity"][1:]
            if a["detail"]["code"]["coding"][0]["code"] == "rehabilitation"]
    assert [d["scheduledString"] for d in rows] == ["Vid behov, även efter ett år"] * 2
    assert _report(case_on_meeting, first)["entry"][0]["fullUrl"] != \
        data["entry"][0]["fullUrl"]


def test_an_addendum_amends_the_document(chaired, case_on_meeting, plan):
    before = _report(case_on_meeting, plan)
    protocols.add_addendum(chaired.actor("coordinator"), chaired.principal("coordinator"),
                           case_on_meeting, plan.protocol, "Rättelse: T2N1.", "Fel i stadium.")
    db.session.expire_all()
    data = _report(case_on_meeting, plan)
    checked(data)
    composition = data["entry"][0]["resource"]
    assert composition["status"] == "amended"
    assert composition["section"][1]["title"] == "Tillägg till protokollet"
    assert "Rättelse: T2N1.<br/>Skäl: Fel i stadium." in \
        composition["section"][1]["section"][0]["text"]["div"]
    assert data["identifier"] != before["identifier"]  # another document
    assert composition["identifier"] == before["entry"][0]["resource"]["identifier"]


def test_a_protected_or_hidden_identity(chaired, case_on_meeting, plan):
    shown = {"visible": False, "given_name": "", "family_name": "",
             "protected_identity": True}
    data = _report(case_on_meeting, plan, names=shown)
    checked(data)
    patient = _one(data, "Patient")
    assert "identifier" not in patient and "name" not in patient
    assert patient["meta"]["security"][0]["code"] == "R"
    assert data["entry"][0]["resource"]["confidentiality"] == "R"
    assert NUMBERS[0] not in json.dumps(data)


def test_a_tampered_bundle_fails_the_check(chaired, case_on_meeting, plan):
    data = _report(case_on_meeting, plan)
    checked(data)

    def tampered(change):
        copied = copy.deepcopy(data)
        change(copied)
        return copied

    def care_plan(bundle):
        return _one(bundle, "CarePlan")

    bogus = tampered(lambda b: care_plan(b).update(status="bogus"))
    with pytest.raises(NotValid, match="bogus"):  # the models pass it; their metadata not
        checked(bogus)
    with pytest.raises(ValidationError):  # a required element missing
        checked(tampered(lambda b: care_plan(b).pop("subject")))
    with pytest.raises(ValidationError):  # an element R4 does not have
        checked(tampered(lambda b: care_plan(b).update(recommendation="x")))
    with pytest.raises(NotValid, match="not in the bundle"):
        checked(tampered(lambda b: care_plan(b)["subject"].update(
            reference="urn:uuid:00000000-0000-0000-0000-000000000000")))
    with pytest.raises(NotValid, match="Organization"):  # a CarePlan's subject is a Patient
        checked(tampered(lambda b: care_plan(b).update(
            subject=_resources(b, "CareTeam")[0]["managingOrganization"][0])))
    with pytest.raises(NotValid, match="first entry"):
        checked(tampered(lambda b: b["entry"].reverse()))


def test_the_names_as_the_reader_is_shown_them(chaired, case_on_meeting, plan):
    shown = identity.shown_patient(chaired.principal("referrer"), case_on_meeting)
    data = _report(case_on_meeting, plan, names=shown)
    assert _one(data, "Patient")["identifier"][0]["value"] == NUMBERS[0]
    assert data == _report(case_on_meeting, plan)  # the referrer sees the registered ones


def test_a_patient_treated_in_the_home_region(chaired, case_on_meeting):
    signer = chaired.people["host_member"]
    protocol = protocol_steps.filled(chaired, case_on_meeting, treating_unit="home_region")
    protocols.sign(chaired.actor("host_member"), chaired.principal("host_member"),
                   case_on_meeting, protocol, protocol.version, True)
    draft = care_plans.open_draft(chaired.actor("coordinator"),
                                  chaired.principal("coordinator"), case_on_meeting)
    draft = saved(chaired, case_on_meeting, draft, {
        **draft.values, **OWN_SECTIONS, "nhv_unit_contact": "Hemregionens onkologi."})
    plan = establish(chaired, case_on_meeting, draft)
    data = _report(case_on_meeting, plan)
    checked(data)
    assert _resources(data, "CareTeam") == []
    assert "careTeam" not in _one(data, "CarePlan")
    recommendation = _resources(data, "ServiceRequest")[1]
    assert "performer" not in recommendation
    assert recommendation["performerType"] == {"text": "Hemregionen (patientens hemort)"}
    assert {o["name"] for o in _resources(data, "Organization")} == {
        chaired.referring.name, chaired.nhv[0].name}
    assert _by_url(data)[recommendation["requester"]["reference"]]["name"] == [
        {"text": signer.name}]
