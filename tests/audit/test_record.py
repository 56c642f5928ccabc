from types import SimpleNamespace

import pytest
from flask import g
from flask_login import LoginManager
from sqlalchemy import func, select

from mdk.audit import service as audit
from mdk.audit.models import AuditEvent
from mdk.audit.service import actor_from_request, system_actor
from mdk.extensions import db
from mdk.patients import service as patients
from mdk.patients.models import Patient
from mdk.validation import FieldError
from tests.patients.factories import make_actor, make_patient, next_identity_number
from tests.units.factories import make_person


def _count(action: str) -> int:
    return db.session.scalar(select(func.count(AuditEvent.id))
                             .where(AuditEvent.action == action))


def test_record_keeps_a_snapshot_of_actor_unit_provider_and_address(app_ctx):
    actor = make_actor(name="Åsa Öberg", address="192.0.2.10")
    patient = make_patient()
    event = audit.record(actor, "patient.read", patient)
    db.session.commit()
    assert actor.unit_hsa_id and actor.care_provider_name
    assert (event.actor_name, event.unit_hsa_id, event.care_provider_name,
            event.client_address, event.patient_id) == (
        "Åsa Öberg", actor.unit_hsa_id, actor.care_provider_name, "192.0.2.10", patient.id)
    assert event.occurred_at.utcoffset().total_seconds() == 0


def test_record_of_the_system_has_no_person(app_ctx):
    event = audit.record(system_actor(), "audit.export")
    db.session.commit()
    assert (event.actor_id, event.actor_name) == (None, "system")


def test_an_event_is_rolled_back_with_the_change_it_describes(app_ctx):
    before = _count("patient.create")
    with pytest.raises(FieldError):
        patients.register_patient(system_actor(), {
            "identity_number": next_identity_number(), "given_name": "Testpatient",
            "family_name": ""})
    db.session.rollback()
    assert _count("patient.create") == before
    assert db.session.scalar(select(func.count(Patient.id))) == 0


@pytest.mark.parametrize("details", [
    {"note": "198005171230"}, {"note": "800517-1230"}, {"nested": {"a": 1}},
    {"note": "x" * 201},
])
def test_record_refuses_details_that_could_hold_patient_data(app_ctx, details):
    with pytest.raises(ValueError):
        audit.record(system_actor(), "patient.update", details=details)


@pytest.mark.parametrize("shown", [5, 50])
def test_record_reads_writes_one_insert_for_any_number_of_patients(app_ctx, statement_counter,
                                                                  shown):
    for _ in range(shown):
        make_patient()
    rows = list(db.session.scalars(select(Patient)))  # loaded, as a list page has them
    with statement_counter() as counted:
        audit.record_reads(system_actor(), rows)
    assert counted.count == 1
    assert _count("patient.read") == shown


def test_record_reads_sends_one_rows_statement_for_many_rows(app_ctx, statement_counter):
    """An executemany of one cached single-row INSERT, not a multi-row VALUES with every
    row's parameters compiled afresh per page (20-40 ms for a page of 50)."""
    for _ in range(50):
        make_patient()
    rows = list(db.session.scalars(select(Patient)))
    with statement_counter() as counted:
        audit.record_reads(system_actor(), rows)
    (statement,) = counted.statements
    assert statement.count("?") + statement.count("%(") <= len(AuditEvent.__table__.columns)


def test_list_patients_runs_the_same_statements_for_5_and_50_patients(app_ctx,
                                                                      statement_counter):
    counts = []
    for total in (5, 50):
        while db.session.scalar(select(func.count(Patient.id))) < total:
            make_patient()
        with statement_counter() as counted:
            page = patients.list_patients(system_actor(), per_page=50)
        assert len(page.patients) == total
        counts.append(counted.count)
    assert counts[0] == counts[1]
    assert _count("patient.read") == 55


def test_actor_outside_a_request_is_the_system(app_ctx):
    assert actor_from_request() == system_actor()


def test_actor_of_a_request_without_login_is_the_system_with_the_address(app):
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "203.0.113.5"}):
        assert actor_from_request() == system_actor("203.0.113.5")


def test_actor_of_a_logged_in_user_acts_in_the_unit_and_role_of_the_active_grant(
        app, monkeypatch):
    monkeypatch.setattr(app, "login_manager", LoginManager(), raising=False)
    with app.app_context():
        person = make_person(name="Björn Åkesson")
        other_unit = make_person().unit
        # The login feature's user: a Person that is authenticated and names its grant.
        grant = SimpleNamespace(role="coordinator", care_area="analcancer", unit=other_unit)
        user = SimpleNamespace(id=person.id, name=person.name, unit=person.unit,
                               is_authenticated=True, active_grant=grant)
        with app.test_request_context("/", environ_base={"REMOTE_ADDR": "203.0.113.9"}):
            g._login_user = user
            actor = actor_from_request()
        assert (actor.person_id, actor.name, actor.role, actor.unit_hsa_id,
                actor.client_address) == (person.id, "Björn Åkesson", "coordinator",
                                          other_unit.hsa_id, "203.0.113.9")
