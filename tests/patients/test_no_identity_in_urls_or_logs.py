"""No identity number or patient name in a log line or a redirect Location (DESIGN §5)."""

import logging

from tests.patients.factories import next_identity_number

GIVEN, FAMILY = "Zlatana", "Ödmarksdotter"


def _forms_of(number: str) -> list[str]:
    return [number, number[2:], f"{number[:8]}-{number[8:]}", f"{number[2:8]}-{number[8:]}"]


def test_patient_flows_never_log_or_redirect_with_identity_or_name(app, form_client, caplog):
    caplog.set_level(logging.DEBUG)
    number = next_identity_number()
    locations = []

    def remember(response):
        if "Location" in response.headers:
            locations.append(response.headers["Location"])
        return response

    remember(form_client.post("/patients/new", data={
        "identity_kind": "national", "identity_number": number, "issuer": "",
        "given_name": GIVEN, "family_name": FAMILY}))
    remember(form_client.post("/patients/new", data={  # refused: a duplicate
        "identity_kind": "national", "identity_number": number, "issuer": "",
        "given_name": GIVEN, "family_name": FAMILY}))
    remember(form_client.post("/patients/search", data={
        "identity_kind": "national", "identity_number": f"{number[2:8]}-{number[8:]}"}))
    remember(form_client.post("/patients/search", data={
        "identity_kind": "national", "identity_number": number[:-1]}))  # malformed
    remember(form_client.post("/audit/patient", data={
        "patient-identity_kind": "national", "patient-identity_number": number}))
    for location in list(locations):
        remember(form_client.get(location))
    remember(form_client.get("/patients"))
    patient_page = locations[0]
    assert remember(form_client.get(f"/audit{patient_page}/extract.csv")).status_code == 200

    assert len(locations) == 3  # created, found, chosen for the log review
    assert any("patient" in record.getMessage() and "registered" in record.getMessage()
               for record in caplog.records), "the flow should have logged something"
    secrets = [*_forms_of(number), GIVEN, FAMILY]
    for text in [*locations, *(record.getMessage() for record in caplog.records),
                 *(str(record.args) for record in caplog.records)]:
        for secret in secrets:
            assert secret not in text, f"{secret!r} leaked into {text!r}"
