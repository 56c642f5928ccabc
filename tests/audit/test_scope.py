"""The log is reviewed per care area: an anal cancer coordinator sees, filters to, exports,
samples and extracts the events of anal cancer only (DESIGN.md §5), never CRS/HIPEC's."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from mdk.audit.models import AuditReview
from mdk.conferences.models import Conference
from mdk.extensions import db
from tests.audit.factories import acting, make_case, make_coordinator, make_event
from tests.patients.factories import make_actor
from tests.support import log_in
from tests.units.factories import field_error

SHOWN = ("Syns Ärende", "Syns Patient", "Agnes Anal")
HIDDEN = ("Dold Ärende", "Dold Patient", "Dold Möte", "Dold Utkast", "Dold Båda", "Carl Crs")
PERIOD = "date_from=2026-11-01&date_to=2026-11-30"


@dataclass
class Log:
    crs_patient_id: int
    both_patient_id: int
    crs_case_id: int
    crs_case_number: str
    crs_event_id: int
    crs_coordinator_email: str


def _meeting(area: str) -> Conference:
    starts = datetime(2026, 11, 4, 8, 0, tzinfo=UTC)
    meeting = Conference(care_area=area, series_key="test", planned_day=starts.date(),
                         starts_at=starts, ends_at=starts + timedelta(hours=1), capacity=5,
                         status="planned")
    db.session.add(meeting)
    db.session.commit()
    return meeting


@pytest.fixture()
def log(app) -> Log:
    with app.app_context():
        ac_case, crs_case = make_case("analcancer"), make_case("crs_hipec")
        both = make_case("analcancer")
        both_crs_case = make_case("crs_hipec", both.patient)
        crs_coordinator = make_coordinator("crs_hipec", name="Carl Crs")
        make_event(make_actor("Syns Ärende"), "case.read", ac_case)
        crs_event = make_event(make_actor("Dold Ärende"), "case.read", crs_case)
        make_event(make_actor("Dold Patient"), "patient.read", crs_case.patient)
        make_event(make_actor("Syns Patient"), "patient.read", both.patient)
        make_event(make_actor("Dold Båda"), "case.read", both_crs_case)
        make_event(make_actor("Dold Möte"), "conference.move", _meeting("crs_hipec"))
        make_event(make_actor("Dold Utkast"), "case.read",
                   make_case("analcancer", submitted=False))
        make_event(acting(crs_coordinator), "login.success")
        make_event(acting(make_coordinator("analcancer", name="Agnes Anal")), "login.success")
        return Log(crs_case.patient_id, both.patient_id, crs_case.id, crs_case.number,
                   crs_event.id, crs_coordinator.email)


@pytest.fixture()
def anal_cancer_coordinator(app):
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        with app.app_context():
            person = make_coordinator("analcancer", name="Anna Granskare")
        client = app.test_client()
        log_in(client, person)
        yield client
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


def _rows(page: str) -> int:
    return len(re.findall(r"<tr>\s*<td>", page))


def _assert_only_anal_cancer(text: str) -> None:
    for name in SHOWN:
        assert name in text, name
    for name in HIDDEN:
        assert name not in text, name


def test_the_log_shows_a_coordinator_only_her_care_areas_events(log, anal_cancer_coordinator):
    _assert_only_anal_cancer(anal_cancer_coordinator.get("/audit").text)


def test_the_log_filters_do_not_reach_another_areas_events(log, anal_cancer_coordinator):
    client = anal_cancer_coordinator
    assert _rows(client.get(f"/audit?patient_id={log.crs_patient_id}").text) == 0
    assert _rows(client.get(f"/audit?object_type=case&object_id={log.crs_case_id}").text) == 0
    assert _rows(client.get(f"/audit?actor={log.crs_coordinator_email}").text) == 0
    response = client.get(f"/audit?case_number={log.crs_case_number}")
    assert response.status_code == 422
    assert field_error(response.text, "case_number") == "Inget ärende har det numret."


def test_the_people_filter_offers_only_people_of_her_care_areas(log, anal_cancer_coordinator):
    people = re.search(r'<datalist id="audit-people">(.*?)</datalist>',
                       anal_cancer_coordinator.get("/audit").text, re.S)[1]
    assert "Agnes Anal" in people and "Carl Crs" not in people


def test_the_export_holds_only_her_care_areas_events(log, anal_cancer_coordinator):
    response = anal_cancer_coordinator.get("/audit/export.csv")
    assert response.status_code == 200
    _assert_only_anal_cancer(response.text)


def test_a_sample_draws_only_her_care_areas_events(log, anal_cancer_coordinator):
    page = anal_cancer_coordinator.get(f"/audit/sample?{PERIOD}&size=200&seed=7").text
    _assert_only_anal_cancer(page)


def test_a_verdict_on_another_areas_event_is_refused(app, log, anal_cancer_coordinator):
    event_id = log.crs_event_id
    response = anal_cancer_coordinator.post(
        f"/audit/sample/{event_id}/verdict?{PERIOD}&size=5&seed=7",
        data={f"e{event_id}-outcome": "ok"})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditReview.id))) == 0


def test_the_extract_of_another_areas_patient_is_not_found(log, anal_cancer_coordinator):
    for file_format in ("csv", "pdf"):
        assert anal_cancer_coordinator.get(
            f"/audit/patients/{log.crs_patient_id}/extract.{file_format}").status_code == 404


def test_the_extract_of_a_shared_patient_holds_her_care_areas_events(log,
                                                                     anal_cancer_coordinator):
    response = anal_cancer_coordinator.get(f"/audit/patients/{log.both_patient_id}/extract.csv")
    assert response.status_code == 200
    assert "Syns Patient" in response.text and "Dold Båda" not in response.text


def test_patient_events_follow_the_patient_scope_of_the_patient_pages(app_ctx):
    """The log's patient rule is written over the cases table for speed; it must pick the
    same patients as the patient pages' scope (cases.service.patient_scope_clause)."""
    from mdk.access.policy import principal_for
    from mdk.audit.models import AuditEvent
    from mdk.audit.scope import scoped
    from mdk.cases.service import patient_scope_clause
    from mdk.patients.models import Patient
    from tests.patients.factories import make_patient

    patients = [make_patient(), make_case("analcancer", submitted=False).patient,
                make_case("analcancer").patient, make_case("crs_hipec").patient]
    make_case("crs_hipec", patients[2])
    make_case("analcancer", make_case("crs_hipec", submitted=False).patient, submitted=False)
    ids = [patient.id for patient in patients]
    for patient_id in ids:
        make_event(action="patient.read", obj=("patient", patient_id))
    principal = principal_for(make_coordinator("analcancer"))
    in_log = set(db.session.scalars(scoped(select(AuditEvent.patient_id), principal)
                                    .where(AuditEvent.patient_id.in_(ids))))
    on_pages = set(db.session.scalars(select(Patient.id).where(
        Patient.id.in_(ids), patient_scope_clause(principal))))
    assert in_log == on_pages == {ids[0], ids[2]}
