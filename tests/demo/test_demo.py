"""`mdk demo load`: complete, fictitious, and idempotent."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from mdk.audit.models import AuditEvent
from mdk.care_areas.service import care_areas
from mdk.care_plans.models import CarePlan
from mdk.cases.models import Case, CaseTransition
from mdk.conference_day.models import Attendance
from mdk.conferences.models import Conference
from mdk.extensions import db
from mdk.material.models import (
    MaterialAvailability,
    MaterialFile,
    MaterialItem,
    ReadinessCheck,
)
from mdk.material.readiness import NOT_AT_HOST, TOO_OLD, assess
from mdk.outbox.models import OutboxMessage
from mdk.patients.models import Patient
from mdk.people import service as people
from mdk.people.models import Absence, Person, PersonCompetence, RoleGrant
from mdk.protocols.models import Protocol
from mdk.reports.models import Report
from mdk.reviews.models import ReviewStatement, ReviewTask
from mdk.units import service as units
from mdk.units.models import CareProvider, Unit
from mdk.validation import luhn_ok
from tests.support import demo_output

TABLES = (CareProvider, Unit, Person, PersonCompetence, Absence, RoleGrant, Conference, Patient,
          Case, CaseTransition, MaterialItem, MaterialAvailability, MaterialFile,
          ReadinessCheck, ReviewTask, ReviewStatement, Attendance, Protocol, CarePlan, Report,
          OutboxMessage)


def _snapshot() -> dict:
    """Every demo table's rows, every column (timestamps included)."""
    result = {}
    for model in TABLES:
        columns = model.__table__.columns
        rows = db.session.execute(select(*columns).order_by(model.id)).all()
        result[model.__tablename__] = [tuple(row) for row in rows]
    return result


# The session's demo database (tests/conftest.py demo_app) was filled by one `mdk demo load`;
# these tests read it, and the idempotence tests load it again.
pytestmark = pytest.mark.demo_data


def _load(runner):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return result.output


def _first_output(app) -> str:
    """What the first `mdk demo load` (the demo database's) printed, a line each."""
    return "".join(f"{line}\n" for line in demo_output(app))


def _events() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)))


def test_demo_load_twice_changes_nothing(app, runner):
    with app.app_context():
        first, events = _snapshot(), _events()
    output = _load(runner)
    assert "demo past meetings held: 0, reports issued: 0" in output
    with app.app_context():
        assert _snapshot() == first
        assert _events() == events  # the history is not held again, nothing read again
        assert len(first["people"]) > 100 and len(first["reports"]) == 9


def test_demo_covers_every_quorum_review_and_licence_competence_at_every_nhv_unit(app):
    with app.app_context():
        for area in care_areas().values():
            for nhv in area.nhv_units:
                unit = units.unit_by_hsa_id(nhv.hsa_id)
                assert (unit.name, unit.short_name) == (nhv.name, nhv.short_name)
                held = {key for person in people.list_people(unit_id=unit.id)
                        for key in person.competence_keys}
                needed = set(area.quorum + area.quorum_when_needed + area.secondary_review
                             + area.licence_critical + area.licence_other)
                assert needed <= held, (area.key, nhv.short_name, needed - held)


def test_demo_leaves_one_unit_without_a_radiologist_this_week(app):
    with app.app_context():
        today = datetime.now(app.config["MDK"].tz).date()
        year, week, _day = today.isocalendar()
        rows = people.competence_register(care_areas()["analcancer"], year, week)
        missing = [(row.nhv_unit.short_name, cell.competence.key)
                   for row in rows for cell in row.missing]
        assert missing == [("SUS", "radiologist")]


def test_demo_has_referring_units_including_a_private_provider(app):
    with app.app_context():
        referring = units.list_units(kind="referring")
        assert len(referring) >= 4
        assert any(unit.provider.is_private for unit in referring)


def test_demo_organisation_numbers_pass_the_luhn_check(app):
    with app.app_context():
        for provider in units.list_providers():
            assert luhn_ok(provider.organisation_number.replace("-", "")), provider.name


def test_demo_grants_every_role_and_prints_one_line_per_role(app):
    output = _first_output(app)
    for role in ("admin", "coordinator", "member", "reviewer", "referrer"):
        assert f"{role}: " in output and "@demo.mdk.example" in output
    with app.app_context():
        coordinators = db.session.scalars(
            select(RoleGrant).where(RoleGrant.role == "coordinator")).all()
        nhv_units = {nhv.hsa_id for area in care_areas().values() for nhv in area.nhv_units}
        assert {grant.unit.hsa_id for grant in coordinators} == nhv_units
        emails = db.session.scalars(select(Person.email)).all()
        assert all(email.endswith("@demo.mdk.example") for email in emails)


def test_every_page_of_units_and_people_renders_with_the_demo_data(app, client):
    with app.app_context():
        unit_id = units.unit_by_hsa_id("SE2321000016-AC01").id
        person_id = people.person_by_email("admin@demo.mdk.example").id
        provider_id = units.list_providers()[0].id
    for path in ("/units", "/units?kind=nhv", "/units?kind=referring&q=region", "/units/new",
                 f"/units/{unit_id}", f"/units/{unit_id}/edit", "/providers", "/providers/new",
                 f"/providers/{provider_id}/edit", "/people", "/people/new",
                 f"/people/{person_id}", f"/people/{person_id}/edit", "/competence-register",
                 "/competence-register?area=crs_hipec&week=2026-W49"):
        assert client.get(path).status_code == 200, path


def test_every_printed_demo_login_works_with_the_printed_password(app):
    logins = [line.split() for line in demo_output(app) if "password:" in line]
    assert {fields[0].rstrip(":") for fields in logins} == {
        "admin", "coordinator", "member", "reviewer", "referrer", "registrar"}
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        for _role, email, _label, password in logins:
            browser = app.test_client()
            response = browser.post("/login", data={"email": email, "password": password})
            assert response.status_code == 302, email
            assert browser.get("/").status_code == 200
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


def test_demo_patients_are_all_fictitious_and_not_duplicated(app, runner):
    _load(runner)  # loaded a second time
    with app.app_context():
        patients = db.session.scalars(select(Patient)).all()
    assert len(patients) == 21
    assert all(patient.fictitious for patient in patients)
    assert all(patient.given_name == "Testpatient" for patient in patients)


def _demo_cases():
    return db.session.scalars(select(Case).order_by(Case.id)).all()


def test_demo_has_cases_in_several_states_in_both_areas(app):
    with app.app_context():
        cases = _demo_cases()
        by_area = Counter(case.care_area for case in cases)
        assert by_area == {"analcancer": 8 + 5, "crs_hipec": 4 + 4}  # + the held ones
        states = Counter(case.state for case in cases)
        assert set(states) == {"draft", "submitted", "returned", "accepted", "deferred",
                               "declined", "withdrawn", "reported"}
        assert any(case.priority == "urgent" and case.state == "submitted" for case in cases)
        for case in cases:
            if case.state in ("returned", "deferred", "declined", "withdrawn"):
                assert case.state_reason, case.number
            if case.state != "draft":
                assert case.submitted_at is not None and case.consent_recorded
        on_agenda = [case for case in cases if case.state in ("accepted", "deferred")]
        assert {case.care_area for case in on_agenda} == {"analcancer", "crs_hipec"}
        for case in on_agenda:
            assert case.conference.care_area == case.care_area
            assert case.conference.status == "planned"
            assert case.treating_unit_id is not None and case.handling_unit_id is not None
        assert any(case.treating_unit_id != case.host_unit_id for case in on_agenda)
        assert any(case.treating_unit_id == case.host_unit_id for case in on_agenda)
        deferred = next(case for case in cases if case.state == "deferred")
        assert [t.action for t in deferred.transitions] == ["submit", "accept",
                                                           "defer"]
        assert deferred.transitions[-1].conference_id == deferred.conference_id
        # Referred by the area's demo referrer from their unit, triaged by its coordinator.
        for case in cases:
            grants = {(grant.role, grant.care_area, grant.unit_id)
                      for grant in case.contact_person.role_grants}
            assert ("referrer", case.care_area, case.referring_unit_id) in grants
            for transition in case.transitions:
                if transition.action in ("accept", "return", "decline", "defer"):
                    actor = db.session.get(Person, transition.actor_id)
                    assert any(grant.role == "coordinator" and grant.care_area == case.care_area
                               for grant in actor.role_grants)
        assert db.session.scalar(select(func.count(Case.id))) == len(cases)


def test_demo_case_patients_are_fictitious_and_one_is_protected(app):
    with app.app_context():
        cases = _demo_cases()
        assert cases
        for case in cases:
            assert case.patient.fictitious and case.patient.given_name == "Testpatient"
        protected = [case for case in cases if case.patient.protected_identity]
        assert len(protected) == 1
        assert protected[0].state == "accepted"
        assert protected[0].handling_unit_id is not None


def test_demo_cases_are_not_added_twice(app, runner):
    first_output = _first_output(app)
    assert "demo cases added: 12" in first_output
    with app.app_context():
        cases = [(case.id, case.number, case.state) for case in _demo_cases()]
        transitions = db.session.scalar(select(func.count(CaseTransition.id)))
    second_output = _load(runner)
    assert "demo cases added: 0" in second_output
    with app.app_context():
        assert [(case.id, case.number, case.state) for case in _demo_cases()] == cases
        assert db.session.scalar(select(func.count(CaseTransition.id))) == transitions


def test_demo_output_names_no_patient(app):
    output = _first_output(app)
    with app.app_context():
        for patient in db.session.scalars(select(Patient)):
            assert patient.identity_value not in output.replace("-", "")
            assert patient.family_name not in output.split()
    assert "Testpatient" not in output


def test_demo_shows_material_reviews_and_a_case_held_at_the_gate(app):
    with app.app_context():
        assert db.session.scalar(select(func.count(MaterialItem.id))) >= 20
        files = db.session.scalars(select(MaterialFile)).all()
        assert files and all(found.content_type == "application/pdf" for found in files)
        folder = Path(app.config["MDK"].instance_dir) / "uploads"
        assert all((folder / found.storage_name).is_file() for found in files)
        for found in files:  # the generated reports: the title, the Swedish text, no name
            report = PdfReader(folder / found.storage_name)
            text = report.pages[0].extract_text()
            assert report.metadata.title == "PAD-utlåtande (fiktivt, demo)"
            assert f"Ärende {found.case.number}. Fiktivt dokument för demonstration" in text
            assert found.case.patient.family_name not in text
        states = Counter(db.session.scalars(select(ReviewTask.state)))
        assert states["done"] >= 2 and states["open"] >= 2
        assert db.session.scalar(select(func.count(ReviewStatement.id))) == 1
        held = db.session.scalars(select(ReadinessCheck)
                                  .where(ReadinessCheck.outcome == "held")).all()
        assert len(held) == 1 and held[0].case.state == "accepted"
        codes = {problem.code for case in db.session.scalars(select(Case))
                 if case.conference_id for problem in assess(case).problems}
        assert {TOO_OLD, NOT_AT_HOST} <= codes  # the CRS CT is too old; an MRI not at the host
