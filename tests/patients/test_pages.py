import re

from sqlalchemy import func, select

from mdk.audit.models import AuditEvent
from mdk.extensions import db
from mdk.patients.models import Patient
from tests.patients.factories import make_patient, next_identity_number
from tests.units.factories import field_error


def _form(**overrides) -> dict:
    data = {"identity_kind": "national", "identity_number": next_identity_number(),
            "issuer": "", "given_name": "Testpatient", "family_name": "Ett"}
    data.update(overrides)
    return data


def _events(app, action: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AuditEvent.id))
                                 .where(AuditEvent.action == action))


def test_new_patient_form_registers_and_redirects_to_the_internal_id(app, form_client):
    response = form_client.post("/patients/new", data=_form())
    assert response.status_code == 302
    with app.app_context():
        patient = db.session.scalars(select(Patient)).one()
    assert response.headers["Location"] == f"/patients/{patient.id}"
    assert _events(app, "patient.create") == 1


def test_new_patient_with_a_wrong_check_digit_shows_the_swedish_field_error(form_client):
    number = next_identity_number()
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    response = form_client.post("/patients/new", data=_form(identity_number=wrong))
    assert response.status_code == 422
    assert field_error(response.text, "identity_number") == (
        "Kontrollsiffran (den sista siffran) är fel.")


def test_new_patient_with_full_width_digits_names_the_allowed_digits(form_client):
    number = "".join(chr(0xFF10 + int(c)) for c in next_identity_number())
    response = form_client.post("/patients/new", data=_form(identity_number=number))
    assert "bara siffrorna 0–9" in field_error(response.text, "identity_number")


def test_new_reservnummer_without_region_names_the_region_field(form_client):
    response = form_client.post("/patients/new", data=_form(
        identity_kind="reservnummer", identity_number="99800517-1234"))
    assert response.status_code == 422
    assert field_error(response.text, "issuer") == "Välj den region som utfärdade reservnumret."


def test_new_patient_without_family_name_keeps_what_was_typed(form_client):
    response = form_client.post("/patients/new", data=_form(family_name="",
                                                            given_name="Testpatient"))
    assert response.status_code == 422
    assert field_error(response.text, "family_name") == "Fyll i fältet."
    assert 'value="Testpatient"' in response.text


def test_duplicate_number_shows_a_field_error_and_keeps_the_first_patient(app, form_client):
    with app.app_context():
        first = make_patient()
        number, first_name = first.identity_value, first.family_name
    response = form_client.post("/patients/new", data=_form(identity_number=number,
                                                            family_name="Dubblett"))
    assert response.status_code == 422
    assert "redan registrerad" in field_error(response.text, "identity_number")
    with app.app_context():
        assert [p.family_name for p in db.session.scalars(select(Patient))] == [first_name]


def test_new_patient_form_without_csrf_token_is_refused(app, client):
    response = client.post("/patients/new", data=_form())
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(Patient.id))) == 0


def test_patient_page_shows_identity_and_writes_a_read_event(app, client):
    with app.app_context():
        patient = make_patient()
        patient_id, shown = patient.id, patient.display_identity
    response = client.get(f"/patients/{patient_id}")
    assert response.status_code == 200
    assert shown in response.text
    assert _events(app, "patient.read") == 1


def test_unknown_patient_page_is_404_without_an_event(app, client):
    assert client.get("/patients/999999").status_code == 404
    assert _events(app, "patient.read") == 0


def test_patient_list_writes_one_read_event_per_patient_shown(app, client):
    with app.app_context():
        for _ in range(3):
            make_patient()
    response = client.get("/patients")
    assert response.status_code == 200
    assert len(re.findall(r'href="/patients/\d+"', response.text)) == 3
    assert _events(app, "patient.read") == 3


def test_patient_list_runs_the_same_statements_for_5_and_50_patients(app, client,
                                                                    statement_counter):
    counts = []
    for total in (5, 50):
        with app.app_context():
            while db.session.scalar(select(func.count(Patient.id))) < total:
                make_patient()
        with statement_counter() as counted:
            assert client.get("/patients").status_code == 200
        counts.append(counted.count)
    assert counts[0] == counts[1]


def test_search_by_personnummer_redirects_to_the_internal_id(app, form_client):
    with app.app_context():
        patient = make_patient()
        patient_id, number = patient.id, patient.identity_value
    response = form_client.post("/patients/search", data={
        "identity_kind": "national", "identity_number": f"{number[2:8]}-{number[8:]}"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/patients/{patient_id}"


def test_search_for_an_unknown_number_says_so_next_to_the_field(form_client):
    response = form_client.post("/patients/search", data={
        "identity_kind": "national", "identity_number": next_identity_number()})
    assert response.status_code == 404
    assert field_error(response.text, "identity_number") == (
        "Ingen patient har det här identitetsnumret.")


def test_search_with_a_malformed_number_is_a_field_error(form_client):
    response = form_client.post("/patients/search", data={
        "identity_kind": "national", "identity_number": "19800517-12"})
    assert response.status_code == 422
    assert field_error(response.text, "identity_number")


def test_search_by_reservnummer_needs_the_region(app, form_client):
    with app.app_context():
        patient = make_patient(identity_kind="reservnummer", issuer="example_stockholm",
                               identity_number="99800517-1234")
        patient_id = patient.id
    found = form_client.post("/patients/search", data={
        "identity_kind": "reservnummer", "issuer": "example_stockholm",
        "identity_number": "998005171234"})
    assert found.headers["Location"] == f"/patients/{patient_id}"
    missing = form_client.post("/patients/search", data={
        "identity_kind": "reservnummer", "issuer": "", "identity_number": "998005171234"})
    assert field_error(missing.text, "issuer")


def test_search_by_get_never_reads_a_number_from_the_query_string(client):
    response = client.get("/patients/search?identity_number=198005171230")
    assert response.status_code == 200
    [field] = re.findall(r'<input[^>]*name="identity_number"[^>]*>', response.text)
    assert 'value=""' in field


def test_a_protected_identity_is_shown_to_nobody_before_a_case_exists(app, client):
    # Found by review: every coordinator saw a protected patient's name and number.
    with app.app_context():
        patient = make_patient(protected_identity=True, family_name="Hemligsson")
        number, patient_id = patient.display_identity, patient.id
    for page in (client.get(f"/patients/{patient_id}").text, client.get("/patients").text):
        assert "Hemligsson" not in page
        assert number not in page and number.replace("-", "") not in page
        assert "Visas inte (skyddad identitet)" in page
        assert "Skyddad identitet" in page  # the badge


def test_patient_pages_are_never_stored_by_the_browser(app, client):
    with app.app_context():
        patient_id = make_patient().id
    for path in ("/patients", f"/patients/{patient_id}", "/audit"):
        assert "no-store" in client.get(path).headers.get("Cache-Control", ""), path
