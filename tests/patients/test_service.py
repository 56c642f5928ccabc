from datetime import date

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from mdk.audit.models import AuditEvent
from mdk.audit.service import system_actor
from mdk.extensions import db
from mdk.patients import service
from mdk.patients.identity import luhn_check_digit, parse_identity_number
from mdk.patients.models import Patient
from mdk.validation import ConflictError, FieldError
from tests.patients.factories import make_actor, make_patient, next_identity_number


def _events(action: str | None = None) -> list[AuditEvent]:
    statement = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        statement = statement.where(AuditEvent.action == action)
    return list(db.session.scalars(statement))


def _data(**overrides) -> dict:
    data = {"identity_kind": "national", "identity_number": next_identity_number(),
            "given_name": "Testpatient", "family_name": "Ett", "protected_identity": False}
    data.update(overrides)
    return data


def test_register_patient_stores_twelve_digits_and_writes_create_event(app_ctx):
    number = next_identity_number()
    actor = make_actor()
    patient = service.register_patient(actor, _data(identity_number=f"{number[2:8]}-{number[8:]}"))
    assert (patient.identity_kind, patient.identity_value) == ("personnummer", number)
    [event] = _events("patient.create")
    assert (event.patient_id, event.actor_id, event.object_type) == (patient.id, actor.person_id,
                                                                      "patient")
    assert number not in str(event.details) and "Testpatient" not in str(event.details)


def test_register_samordningsnummer_keeps_its_kind(app_ctx):
    nine = "800577123"  # 17 May 1980 + 60
    patient = service.register_patient(
        system_actor(), _data(identity_number=f"19{nine}{luhn_check_digit(nine)}"))
    assert patient.identity_kind == "samordningsnummer"


def test_register_reservnummer_matching_the_issuers_format_is_stored_with_issuer(app_ctx):
    patient = service.register_patient(system_actor(), _data(
        identity_kind="reservnummer", issuer="example_vastra_gotaland",
        identity_number="19800517-R123"))
    assert (patient.identity_kind, patient.identity_value, patient.identity_issuer) == (
        "reservnummer", "19800517R123", "example_vastra_gotaland")


@pytest.mark.parametrize("raw", ["99800517-1234", "19800517-r123", "19800517-R123\n",
                                 "19800517-R１２３", " 19800517-R123", "19800517-RR123"])
def test_reservnummer_not_in_the_issuers_format_is_refused_on_the_number(app_ctx, raw):
    with pytest.raises(FieldError) as caught:
        service.register_patient(system_actor(), _data(
            identity_kind="reservnummer", issuer="example_vastra_gotaland", identity_number=raw))
    assert caught.value.field == "identity_number"
    assert db.session.scalar(select(Patient)) is None


def test_reservnummer_without_a_known_issuer_is_refused_on_the_issuer(app_ctx):
    with pytest.raises(FieldError) as caught:
        service.register_patient(system_actor(), _data(
            identity_kind="reservnummer", issuer="atlantis", identity_number="99800517-1234"))
    assert caught.value.field == "issuer"


def test_wrong_check_digit_is_refused_with_the_swedish_message(app_ctx):
    number = next_identity_number()
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    with pytest.raises(FieldError) as caught:
        service.register_patient(system_actor(), _data(identity_number=wrong))
    with force_locale("sv"):
        assert str(caught.value.message) == "Kontrollsiffran (den sista siffran) är fel."


def test_register_the_same_number_twice_is_a_conflict_and_keeps_the_first(app_ctx):
    first = make_patient()
    with pytest.raises(ConflictError) as caught:
        service.register_patient(system_actor(), _data(
            identity_number=first.identity_value, family_name="Dubblett"))
    assert caught.value.field == "identity_number"
    assert [p.family_name for p in db.session.scalars(select(Patient))] == [first.family_name]


def test_missing_family_name_is_refused_naming_the_field(app_ctx):
    with pytest.raises(FieldError) as caught:
        service.register_patient(system_actor(), _data(family_name="  "))
    assert caught.value.field == "family_name"


def test_find_patient_by_identity_accepts_the_ten_digit_form(app_ctx):
    patient = make_patient()
    number = patient.identity_value
    assert service.find_patient_by_identity(f"{number[2:8]}-{number[8:]}") is patient


def test_find_patient_by_identity_of_an_unknown_number_is_none(app_ctx):
    make_patient()
    assert service.find_patient_by_identity(next_identity_number()) is None


def test_find_patient_by_identity_refuses_an_invalid_number(app_ctx):
    with pytest.raises(FieldError) as caught:
        service.find_patient_by_identity("19800517-123")
    assert caught.value.field == "identity_number"


def test_read_patient_writes_a_read_event_with_the_actor(app_ctx):
    patient = make_patient()
    actor = make_actor(address="198.51.100.7")
    assert service.read_patient(actor, patient.id) is patient
    [event] = _events("patient.read")
    assert (event.patient_id, event.actor_name, event.client_address) == (
        patient.id, "Åsa Öberg", "198.51.100.7")


def test_read_patient_of_an_unknown_id_writes_nothing(app_ctx):
    assert service.read_patient(system_actor(), 999999) is None
    assert _events("patient.read") == []


def test_update_patient_names_the_changed_fields_not_their_values(app_ctx):
    patient = make_patient()
    service.update_patient(system_actor(), patient, {"family_name": "Tvåsson",
                                                     "protected_identity": True})
    [event] = _events("patient.update")
    assert event.details == {"fields": "family_name,protected_identity"}
    assert patient.protected_identity is True


def test_display_and_masked_identity_show_the_birth_date_part():
    patient = Patient(identity_kind="personnummer", identity_value="198005171230")
    assert patient.display_identity == "19800517-1230"
    assert patient.masked_identity == "19800517-****"


def test_fictitious_numbers_are_valid_distinct_reproducible_and_born_1930_to_1990():
    numbers = service.fictitious_identity_numbers(200)
    assert numbers == service.fictitious_identity_numbers(200)
    assert len(set(numbers)) == 200
    for number in numbers:
        parsed = parse_identity_number(number)
        assert parsed.kind == "personnummer"
        assert date(1930, 1, 1) <= parsed.birth_date <= date(1990, 12, 31)


def test_create_fictitious_patients_twice_adds_them_once_all_marked_fictitious(app_ctx):
    first = service.create_fictitious_patients(system_actor(), 3)
    again = service.create_fictitious_patients(system_actor(), 3)
    assert [p.name for p in first] == ["Testpatient Ett", "Testpatient Två", "Testpatient Tre"]
    assert again == []
    assert all(p.fictitious for p in db.session.scalars(select(Patient)))


def test_patients_fictitious_cli_reports_what_it_registered(runner):
    result = runner.invoke(args=["patients", "fictitious", "--count", "2"])
    assert result.exit_code == 0, result.output
    assert "2 fictitious patients registered" in result.output
