import html
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from mdk.access.policy import principal_for
from mdk.audit.models import AuditEvent, AuditReview
from mdk.audit.review import draw_sample
from mdk.extensions import db
from mdk.people.models import Person
from tests.audit.factories import make_case, make_coordinator, make_event
from tests.patients.factories import make_actor, make_patient
from tests.units.factories import field_error

MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _rows(page: str) -> int:
    return len(re.findall(r"<tr>\s*<td>", page))


def _count(app, action: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AuditEvent.id))
                                 .where(AuditEvent.action == action))


def test_review_page_shows_who_in_which_unit_did_what(app, client):
    with app.app_context():
        actor = make_actor(name="Åsa Öberg")
        make_event(actor, obj=make_patient())
        unit_hsa_id = actor.unit_hsa_id
    page = client.get("/audit").text
    assert "Åsa Öberg" in page and unit_hsa_id in page
    assert "Läste patientens uppgifter" in page


def test_review_filter_by_patient_id_shows_only_that_patients_events(app, client):
    with app.app_context():
        first, second = make_patient(), make_patient()
        make_event(obj=first)
        make_event(obj=first)
        make_event(obj=second)
        first_id = first.id
    response = client.get(f"/audit?patient_id={first_id}")
    assert response.status_code == 200
    assert _rows(response.text) == 3  # registered, then read twice


def test_review_filter_by_user_shows_only_their_events(app, client):
    with app.app_context():
        actor = make_actor(name="Björn Åkesson")
        make_event(actor)
        make_event()
        person_id = actor.person_id
    page = client.get(f"/audit?actor_id={person_id}").text
    assert _rows(page) == 1 and "Björn Åkesson" in page


def test_review_filter_by_object_finds_the_case_events(app, client):
    with app.app_context():
        first, second = make_case("analcancer"), make_case("analcancer")
        make_event(action="case.read", obj=first)
        make_event(action="case.read", obj=second)
        first_id = first.id
    page = client.get(f"/audit?object_type=case&object_id={first_id}").text
    assert _rows(page) == 1 and "Läste ärendet" in page


def test_review_filter_by_period_uses_stockholm_days(app, client):
    with app.app_context():
        make_event(at=datetime(2026, 11, 1, 22, 59, tzinfo=UTC))  # 23:59 on 1 Nov locally
        make_event(at=datetime(2026, 11, 1, 23, 1, tzinfo=UTC))  # 00:01 on 2 Nov locally
    page = client.get("/audit?date_from=2026-11-02&date_to=2026-11-02").text
    assert _rows(page) == 1


def test_review_with_a_malformed_day_shows_the_field_error(client):
    response = client.get("/audit?date_from=2026-13-01")
    assert response.status_code == 422
    assert field_error(response.text, "date_from") == "Ange ett datum som finns, som ÅÅÅÅ-MM-DD."


def test_review_with_a_period_ending_before_it_starts_names_the_last_day(client):
    response = client.get("/audit?date_from=2026-11-02&date_to=2026-11-01")
    assert response.status_code == 422
    assert field_error(response.text, "date_to")


def test_review_with_a_non_numeric_patient_id_is_a_field_error(client):
    response = client.get("/audit?patient_id=19800517-1230")
    assert response.status_code == 422
    assert field_error(response.text, "patient_id") == "Ange ett heltal."


def test_review_shows_fifty_events_a_page(app, client):
    with app.app_context():
        for minute in range(60):
            make_event(at=MONDAY + timedelta(minutes=minute))
    first = client.get("/audit").text
    assert _rows(first) == 50 and "Nyare händelser" not in first
    second = client.get(_link(first, "Äldre händelser")).text
    assert _rows(second) == 10 and "Äldre händelser" not in second
    back = client.get(_link(second, "Nyare händelser")).text
    assert _rows(back) == 50 and _when(back) == _when(first)


def _link(page: str, text: str) -> str:
    return html.unescape(re.search(rf'<a[^>]*href="([^"]+)">{text}</a>', page)[1])


def _when(page: str) -> list[str]:
    return re.findall(r"<tr>\s*<td>([^<]+)</td>", page)


def test_review_page_runs_the_same_statements_for_5_and_50_events(app, client,
                                                                 statement_counter):
    counts = []
    for total in (5, 50):
        with app.app_context():
            while db.session.scalar(select(func.count(AuditEvent.id))) < total:
                make_event(make_actor())
        with statement_counter() as counted:
            assert client.get("/audit").status_code == 200
        counts.append(counted.count)
    assert counts[0] == counts[1]


def test_choose_patient_by_number_redirects_to_the_internal_id(app, form_client):
    with app.app_context():
        patient = make_patient()
        patient_id, number = patient.id, patient.identity_value
    response = form_client.post("/audit/patient", data={
        "patient-identity_kind": "national", "patient-identity_number": number})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/audit?patient_id={patient_id}"


def test_choose_patient_by_an_invalid_number_is_a_field_error(form_client):
    response = form_client.post("/audit/patient", data={
        "patient-identity_kind": "national", "patient-identity_number": "19800517"})
    assert response.status_code == 422
    assert field_error(response.text, "patient-identity_number")


def test_export_csv_has_the_filtered_events_and_logs_the_export(app, client):
    with app.app_context():
        patient = make_patient()
        make_event(make_actor(name="Åsa Öberg"), obj=patient)
        make_event(make_actor(name="Other Person"))
        patient_id = patient.id
    response = client.get(f"/audit/export.csv?patient_id={patient_id}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    lines = response.text.lstrip("\ufeff").strip().splitlines()
    assert lines[0].startswith("Tid;Användar-id;Användare")
    assert len(lines) == 3  # the header, then the read (2 Nov) and the registration (today)
    assert "Åsa Öberg" in lines[1] and "patient.create" in lines[2]
    with app.app_context():
        export = db.session.scalars(select(AuditEvent)
                                    .where(AuditEvent.action == "audit.export")).one()
        assert (export.patient_id, export.details["events"]) == (patient_id, 2)


def test_export_csv_disarms_cells_a_spreadsheet_would_run(app, client):
    with app.app_context():
        make_event(make_actor(name="=HYPERLINK(1)"))
    assert "'=HYPERLINK(1)" in client.get("/audit/export.csv").text


def test_export_csv_with_a_bad_filter_goes_back_to_the_page_naming_it(app, client):
    response = client.get("/audit/export.csv?date_from=yesterday")
    assert response.status_code == 302
    assert _count(app, "audit.export") == 0


def test_patient_extract_csv_lists_who_when_and_from_which_unit(app, client):
    with app.app_context():
        patient = make_patient()
        actor = make_actor(name="Åsa Öberg")
        make_event(actor, obj=patient)
        patient_id, unit_name = patient.id, actor.unit_name
    response = client.get(f"/audit/patients/{patient_id}/extract.csv")
    assert response.status_code == 200
    lines = response.text.lstrip("\ufeff").strip().splitlines()
    assert lines[0] == "När;Vem;Enhet;Vårdgivare;Roll;Vad"
    assert "Åsa Öberg" in lines[1] and unit_name in lines[1]
    assert "Läste patientens uppgifter" in lines[1]
    assert "Registrerade patienten" in lines[2]
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="log-extract-patient-{patient_id}.csv"')


def test_patient_extract_pdf_has_the_events_in_swedish(app, client):
    from io import BytesIO

    from pypdf import PdfReader

    with app.app_context():
        patient = make_patient()
        make_event(make_actor(name="Åsa Öberg"), obj=patient)
        make_event(make_actor(name="Jörgen Ängström"), obj=patient, action="patient.update")
        patient_id, shown = patient.id, patient.display_identity
    response = client.get(f"/audit/patients/{patient_id}/extract.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = PdfReader(BytesIO(response.data)).pages[0].extract_text()
    for expected in ("Loggutdrag för patient", shown, "Åsa Öberg", "Jörgen Ängström",
                     "Ändrade patientens uppgifter", "Händelser: 3"):
        assert expected in text


def test_patient_extract_writes_an_export_event_for_the_patient(app, client):
    with app.app_context():
        patient_id = make_patient().id
    client.get(f"/audit/patients/{patient_id}/extract.pdf")
    with app.app_context():
        export = db.session.scalars(select(AuditEvent)
                                    .where(AuditEvent.action == "audit.export")).one()
        assert (export.patient_id, export.details) == (patient_id, {"format": "pdf",
                                                                    "events": 1})


def test_patient_extract_of_an_unknown_patient_is_404(client):
    assert client.get("/audit/patients/999999/extract.pdf").status_code == 404


def test_sample_without_a_seed_redirects_to_one_shown_in_the_url(client):
    response = client.get("/audit/sample?date_from=2026-11-01&date_to=2026-11-30&size=5")
    assert response.status_code == 302
    assert re.search(r"[?&]seed=\d+", response.headers["Location"])


def test_the_same_seed_draws_the_same_events(app_ctx, app):
    for minute in range(40):
        make_event(at=MONDAY + timedelta(minutes=minute))
    zone = app.config["MDK"].tz
    reviewer = principal_for(make_coordinator("analcancer"))
    first = draw_sample(reviewer, date(2026, 11, 1), date(2026, 11, 30), 10, 1234, zone)
    again = draw_sample(reviewer, date(2026, 11, 1), date(2026, 11, 30), 10, 1234, zone)
    other = draw_sample(reviewer, date(2026, 11, 1), date(2026, 11, 30), 10, 4321, zone)
    assert [e.id for e in first.events] == [e.id for e in again.events]
    assert [e.id for e in first.events] != [e.id for e in other.events]
    assert (len(first.events), first.population) == (10, 40)


def test_sample_page_shows_the_seed_and_the_drawn_events(app, client):
    with app.app_context():
        for minute in range(12):
            make_event(at=MONDAY + timedelta(minutes=minute))
    page = client.get("/audit/sample?date_from=2026-11-01&date_to=2026-11-30&size=5&seed=77").text
    assert "Slumpfrö 77: 5 av 12 händelser" in page
    assert len(re.findall(r'<tr id="event-\d+">', page)) == 5


def test_sample_with_too_many_events_names_the_size_field(client):
    response = client.get("/audit/sample?size=5000&seed=1")
    assert response.status_code == 422
    assert field_error(response.text, "size") == "Högst 200 händelser."


def _verdict(form_client, event_id: int, **data):
    query = "date_from=2026-11-01&date_to=2026-11-30&size=5&seed=77"
    return form_client.post(f"/audit/sample/{event_id}/verdict?{query}",
                            data={f"e{event_id}-{key}": value for key, value in data.items()})


def test_verdict_ok_is_stored_and_shown_on_the_sample(app, form_client):
    with app.app_context():
        event_id = make_event().id
    response = _verdict(form_client, event_id, outcome="ok", comment="")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"seed=77#event-{event_id}")
    with app.app_context():
        review = db.session.scalars(select(AuditReview)).one()
        assert (review.event_id, review.outcome, review.sample_seed) == (event_id, "ok", 77)
    page = form_client.get(response.headers["Location"]).text
    assert "Bedömningen är sparad." in page
    assert _count(app, "audit.review") == 1


def test_verdict_follow_up_without_a_comment_is_refused_next_to_the_comment(app, form_client):
    with app.app_context():
        event_id = make_event().id
    response = _verdict(form_client, event_id, outcome="follow_up", comment="  ")
    assert response.status_code == 422
    assert field_error(response.text, f"e{event_id}-comment") == (
        "Skriv vad som behöver följas upp.")
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditReview.id))) == 0


def test_verdict_with_an_unknown_outcome_names_the_outcome(app, form_client):
    with app.app_context():
        event_id = make_event().id
    response = _verdict(form_client, event_id, outcome="maybe")
    assert response.status_code == 422
    assert field_error(response.text, f"e{event_id}-outcome")


def test_a_later_verdict_replaces_the_shown_one_and_keeps_the_first(app, form_client):
    with app.app_context():
        event_id = make_event().id
    _verdict(form_client, event_id, outcome="ok")
    _verdict(form_client, event_id, outcome="follow_up", comment="Okänd enhet")
    page = form_client.get("/audit/sample?date_from=2026-11-01&date_to=2026-11-30"
                           "&size=5&seed=77").text
    assert "Behöver följas upp · Test Administratör: Okänd enhet" in page
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditReview.id))) == 2


def test_verdict_posted_without_a_sample_goes_back_to_the_sample_page(app, form_client):
    # Found by the access walk: this answered 500 (the view returned None).
    with app.app_context():
        event_id = make_event().id
    response = form_client.post(f"/audit/sample/{event_id}/verdict", data={})
    assert response.status_code == 302
    assert response.headers["Location"] == "/audit/sample"


def test_every_recorded_action_has_a_swedish_label(app_ctx):
    """Grep every audit record call of the service (and the case moves it records as
    case.<move>): each action must have its label, and the label its translation."""
    from pathlib import Path

    from mdk.audit.labels import ACTION_LABELS, action_label
    from mdk.cases.workflow import MOVES

    source = "\n".join(path.read_text(encoding="utf-8")
                       for path in Path("mdk").rglob("*.py"))
    recorded = set(re.findall(r'\brecord\(\s*[^,()]+(?:\([^()]*\))?\s*,\s*"([a-z_.]+)"',
                              source))
    recorded |= set(re.findall(r'record_reads\([^)]*action="([a-z_.]+)"', source))
    recorded |= {"patient.read"}  # record_reads' default
    if 'f"case.{move.action}"' in source:
        recorded |= {f"case.{action}" for action in MOVES}
    assert {"case.create", "case.accept", "login.failure", "conference.add"} <= recorded
    assert recorded - set(ACTION_LABELS) == set()
    from flask_babel import force_locale

    with force_locale("sv"):
        english = [action for action in recorded
                   if action_label(action) == str(ACTION_LABELS[action]._args[0])]
    assert english == []


def test_the_log_names_care_areas_and_object_kinds_in_swedish(app, client):
    from mdk.audit.service import actor_for
    from tests.audit.factories import make_coordinator

    with app.app_context():
        person = make_coordinator("analcancer", name="Agnes Anal")
        make_event(actor_for(person, person.role_grants[0]), "unit.unavailability.add",
                   ("unit", person.unit_id))
        unit_id = person.unit_id
    page = client.get("/audit").text
    assert "Markerade en enhet som otillgänglig" in page
    assert "Koordinator · Analcancer" in page and "· analcancer" not in page
    assert f"Enhet {unit_id}" in page
    select_box = re.search(r'<select[^>]*name="object_type".*?</select>', page, re.S)[0]
    assert '<option value="case">Ärende</option>' in select_box


def test_the_object_kind_filter_refuses_an_unknown_kind(client):
    response = client.get("/audit?object_type=drop table")
    assert response.status_code == 422
    assert field_error(response.text, "object_type") == "Välj en typ av objekt i listan."


def test_the_user_filter_finds_people_by_part_of_the_name_or_email(app, client):
    with app.app_context():
        actor = make_actor(name="Björn Åkesson")
        make_event(actor)
        make_event(make_actor(name="Other Person"))
        email = db.session.get(Person, actor.person_id).email
    for text in ("BJÖRN"[:2] + "örn", email.upper(), email[2:email.index("@") + 1]):
        page = client.get(f"/audit?actor={text}").text
        assert _rows(page) == 1 and "Björn Åkesson" in page


def test_the_older_link_keeps_the_filters(app, client):
    with app.app_context():
        patient = make_patient()
        for minute in range(55):
            make_event(at=MONDAY + timedelta(minutes=minute), obj=patient)
            make_event(at=MONDAY + timedelta(minutes=minute))  # no patient: filtered out
        patient_id = patient.id
    first = client.get(f"/audit?patient_id={patient_id}").text
    older = _link(first, "Äldre händelser")
    assert f"patient_id={patient_id}" in older and re.search(r"before=[0-9T:.Z-]+,\d+", older)
    assert _rows(client.get(older).text) == 6  # 55 reads and the registration, 50 a page


def test_the_cursor_takes_plain_get_parameters(app, client):
    with app.app_context():
        events = [make_event(at=MONDAY + timedelta(minutes=minute)) for minute in range(5)]
        third = events[2]
        cursor = f"{third.occurred_at:%Y-%m-%dT%H:%M:%S.%fZ},{third.id}"
    older = client.get(f"/audit?before={cursor}").text
    assert _when(older)[:2] == _when(client.get("/audit").text)[-2:]
    assert _rows(older) == 2
    newer = client.get(f"/audit?after={cursor}").text
    assert _rows(newer) >= 2  # back at the top: the newest page itself


@pytest.mark.parametrize("cursor", ["x", "2026-13-01T00:00:00Z,1", "2026-11-02T09:00:00,1",
                                    "2026-11-02T09:00:00Z,", "2026-11-02T09:00:00Z,-1",
                                    "2026-11-02T09:00:00Z," + "9" * 40, "%00,1",
                                    "9999-12-31T23:00:00-05:00,1",
                                    "0001-01-01T00:00:00+05:00,1"])
def test_a_hand_edited_cursor_shows_the_newest_page(app, client, cursor):
    with app.app_context():
        make_event()
    for name in ("before", "after"):
        response = client.get("/audit", query_string={name: cursor})
        assert response.status_code == 200 and _rows(response.text) >= 1


def test_the_csv_downloads_say_text_csv_in_utf_8_once(app, client):
    with app.app_context():
        patient_id = make_patient().id
    for path in ("/audit/export.csv", f"/audit/patients/{patient_id}/extract.csv"):
        assert client.get(path).headers["Content-Type"] == "text/csv; charset=utf-8"


@pytest.mark.parametrize("text", ["19121212-1212", "x" * 201])
def test_the_user_filter_refuses_what_the_export_could_not_record(app, client, text):
    for path in ("/audit", "/audit/export.csv"):
        response = client.get(path, query_string={"actor": text})
        assert response.status_code in (302, 422)
    page = client.get("/audit", query_string={"actor": text})
    assert page.status_code == 422 and field_error(page.text, "actor")
    assert _count(app, "audit.export") == 0
