"""The case pages as each kind of user meets them: refer, complete, triage, and who sees the
patient's identity (DESIGN.md §5) on the list, the case page and the patient page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mdk.audit.models import AuditEvent
from mdk.cases.models import Case
from mdk.db import utcnow
from mdk.extensions import db
from mdk.i18n import to_local
from tests.cases.factories import NUMBERS, accept, refer
from tests.support import table_counts
from tests.units.factories import field_error


def _pnr(number: str) -> str:
    return f"{number[:8]}-{number[8:]}"


REFERRAL_FORM = {
    "referring_unit_id": "", "identity_kind": "national", "identity_number": "",
    "given_name": "Testpatient", "family_name": "Formulär", "case_type": "primary",
    "priority": "urgent", "question": "Kurativ behandling? MR och PET-DT bifogas.",
    "contact_phone": "08-123 456 78", "consent_recorded": "y",
    "answer_diagnosis_basis": "pad_verified", "answer_histology": "squamous_cell",
    "answer_who_performance_status": "1",
}


def test_a_referrer_refers_a_case_with_the_form_and_sees_the_patient(app, world, browser):
    client = browser(world.people["referrer"])
    form = {**REFERRAL_FORM, "identity_number": _pnr(NUMBERS[5]), "submit_now": "1"}
    response = client.post("/cases/new?area=analcancer", data=form)
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert re.search(r"AC-\d{4}-\d{4}", page)
    assert _pnr(NUMBERS[5]) in page and "Formulär" in page
    assert "Inskickat" in page or "Submitted" in page
    assert NUMBERS[5] not in response.location and "Formul" not in response.location


def test_a_wrong_answer_is_shown_at_its_field_and_nothing_is_saved(app, world, browser):
    client = browser(world.people["referrer"])
    with app.app_context():
        before = db.session.scalar(select(func.count(Case.id)))
    form = {**REFERRAL_FORM, "identity_number": _pnr(NUMBERS[6]), "submit_now": "1",
            "answer_who_performance_status": "två", "consent_recorded": ""}
    response = client.post("/cases/new?area=analcancer", data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, "answer_who_performance_status")
    form["answer_who_performance_status"] = "1"
    response = client.post("/cases/new?area=analcancer", data=form)
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "consent_recorded")
    with app.app_context():
        assert db.session.scalar(select(func.count(Case.id))) == before


def test_the_referrer_of_another_unit_gets_404(app, world, browser):
    with app.app_context():
        case_id = refer(world).id
    other = browser(world.people["other_referrer"])
    assert other.get(f"/cases/{case_id}").status_code == 404
    assert other.post(f"/cases/{case_id}/moves/withdraw", data={"withdraw-reason": "x"}
                      ).status_code == 404


def test_identity_follows_the_units_of_the_case(app, world, browser):
    with app.app_context():
        case = accept(world, refer(world), treating_unit_id=world.nhv[2].id)
        case_id, number = case.id, _pnr(NUMBERS[0])
    seen = {}
    for who in ("referrer", "coordinator", "other_coordinator", "host_member",
                "treating_member", "member", "reviewer"):
        page = browser(world.people[who]).get(f"/cases/{case_id}").get_data(as_text=True)
        seen[who] = number in page and "Nummer0" in page
        listing = browser(world.people[who]).get("/cases").get_data(as_text=True)
        assert (number in listing) == seen[who], who
    assert seen == {"referrer": True, "coordinator": True, "other_coordinator": True,
                    "host_member": True, "treating_member": True, "member": False,
                    "reviewer": False}


def test_a_protected_identity_is_shown_only_to_the_handling_coordinators(app, world, browser):
    with app.app_context():
        case = accept(world, refer(world, protected_identity=True))
        case_id, patient_id, number = case.id, case.patient_id, _pnr(NUMBERS[0])
    for who, sees in (("coordinator", True), ("other_coordinator", False), ("referrer", False),
                      ("host_member", False)):
        page = browser(world.people[who]).get(f"/cases/{case_id}").get_data(as_text=True)
        assert (number in page) == sees, who
    page = browser(world.people["other_coordinator"]).get(f"/patients/{patient_id}")
    assert number not in page.get_data(as_text=True)
    page = browser(world.people["coordinator"]).get(f"/patients/{patient_id}")
    assert number in page.get_data(as_text=True)


def test_reading_a_case_page_writes_an_audit_event(app, world, browser):
    with app.app_context():
        case = refer(world)
        case_id, patient_id = case.id, case.patient_id
    browser(world.people["member"]).get(f"/cases/{case_id}")
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "case.read", AuditEvent.object_id == case_id)
            .order_by(AuditEvent.id.desc())).first()
        assert event.patient_id == patient_id
        assert event.actor_id == world.people["member"].id


def test_the_coordinator_accepts_and_the_referrer_cannot(app, world, browser):
    with app.app_context():
        case_id = refer(world).id
        conference_id, treating = world.conference.id, world.nhv[2].id
    form = {"accept-conference_id": str(conference_id), "accept-treating_unit_id": str(treating)}
    assert browser(world.people["referrer"]).post(
        f"/cases/{case_id}/moves/accept", data=form).status_code == 403
    coordinator = browser(world.people["coordinator"])
    response = coordinator.post(f"/cases/{case_id}/moves/accept", data=form)
    assert response.status_code == 302
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert (case.state, case.conference_id, case.treating_unit_id) == \
            ("accepted", conference_id, treating)


def test_a_refused_move_names_the_field_and_keeps_the_case(app, world, browser):
    with app.app_context():
        case_id = refer(world).id
    coordinator = browser(world.people["coordinator"])
    response = coordinator.post(f"/cases/{case_id}/moves/accept",
                                data={"accept-conference_id": "",
                                      "accept-treating_unit_id": str(world.nhv[2].id)})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "accept-conference_id")
    response = coordinator.post(f"/cases/{case_id}/moves/return", data={"return-reason": ""})
    assert field_error(response.get_data(as_text=True), "return-reason")
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert (case.state, case.conference_id, case.treating_unit_id) == \
            ("submitted", None, None)


def test_a_returned_case_is_completed_and_submitted_again(app, world, browser):
    with app.app_context():
        case = refer(world)
        from mdk.cases import service
        service.move_case(world.actor("coordinator"), world.principal("coordinator"), case,
                          "return", {"reason": "Ange p16-status"})
        case_id = case.id
    client = browser(world.people["referrer"])
    page = client.get(f"/cases/{case_id}/edit").get_data(as_text=True)
    assert "Ange p16-status" in page
    response = client.post(f"/cases/{case_id}/edit", data={
        "question": "Kurativ behandling?", "case_type": "primary", "priority": "normal",
        "consent_recorded": "y", "answer_diagnosis_basis": "pad_verified",
        "answer_histology": "squamous_cell", "answer_p16_status": "positive"})
    assert response.status_code == 302
    assert client.post(f"/cases/{case_id}/moves/submit").status_code == 302
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.state == "submitted" and case.answers["p16_status"] == "positive"


def test_the_case_list_runs_a_constant_number_of_statements(app, world, browser,
                                                            statement_counter):
    client = browser(world.people["coordinator"])

    def statements() -> int:
        with statement_counter() as counted:
            assert client.get("/cases?area=analcancer").status_code == 200
        return counted.count

    with app.app_context():
        accept(world, refer(world))
    few = statements()
    with app.app_context():
        for index in range(1, 7):
            accept(world, refer(world, number_index=index), treating_unit_id=world.nhv[2].id)
    assert statements() == few


def test_the_patient_list_shows_identity_by_the_cases_in_constant_statements(
        app, world, browser, statement_counter):
    """The list's identity rule reads each patient's cases: loaded with the page, not per row."""
    with app.app_context():
        accept(world, refer(world), treating_unit_id=world.nhv[2].id)
        refer(world, number_index=1, protected_identity=True)
    client = browser(world.people["other_coordinator"])

    def statements() -> tuple[int, str]:
        with statement_counter() as counted:
            response = client.get("/patients")
            assert response.status_code == 200
        return counted.count, response.get_data(as_text=True)

    few, page = statements()
    assert _pnr(NUMBERS[0]) in page and _pnr(NUMBERS[1]) not in page
    with app.app_context():
        for index in range(2, 8):
            accept(world, refer(world, number_index=index))
    many, page = statements()
    assert many == few
    assert _pnr(NUMBERS[7]) in page


def test_the_access_log_is_filtered_by_case_number(app, world, browser):
    with app.app_context():
        case = refer(world)
        number, case_id = case.number, case.id
    browser(world.people["member"]).get(f"/cases/{case_id}")
    coordinator = browser(world.people["coordinator"])
    page = coordinator.get(f"/audit?case_number={number.lower()}").get_data(as_text=True)
    assert "Läste ärendet" in page and world.people["member"].name in page
    response = coordinator.get("/audit?case_number=AC-1999-0001")
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "case_number")


def test_the_case_list_pages_keep_the_filters(app, world, browser):
    with app.app_context():
        for index in range(51):
            refer(world, number_index=index % 20)
    client = browser(world.people["coordinator"])
    page = client.get("/cases?area=analcancer&state=submitted").get_data(as_text=True)
    assert "Sida 1 av 2" in page or "Page 1 of 2" in page
    link = re.search(r'<a href="([^"]*page=2[^"]*)"', page)[1].replace("&amp;", "&")
    assert "area=analcancer" in link and "state=submitted" in link
    second = client.get(link).get_data(as_text=True)
    assert len(re.findall(r'href="/cases/\d+"', second)) == 1


def test_the_start_page_counts_the_cases_to_attend_to_in_scope(app, world, browser):
    with app.app_context():
        refer(world)
        refer(world, number_index=1, submit=False)
        refer(world, "other_referrer", number_index=2)

    def count(page: str, label: str) -> int:
        return int(re.search(rf'<span class="count">(\d+)</span> {label}', page)[1])

    coordinator = browser(world.people["coordinator"]).get("/").get_data(as_text=True)
    assert count(coordinator, "anmälda, att bedöma") >= 2
    referrer = browser(world.people["referrer"]).get("/").get_data(as_text=True)
    assert count(referrer, "utkast, ej skickade") == 1
    assert "anmälda, att bedöma" not in referrer
    assert "Nummer" not in coordinator + referrer  # counts only, no patient


def test_a_move_sent_twice_says_why_the_second_failed(app, world, browser):
    with app.app_context():
        case_id = refer(world).id
        form = {"accept-conference_id": str(world.conference.id)}
    coordinator = browser(world.people["coordinator"])
    assert coordinator.post(f"/cases/{case_id}/moves/accept", data=form).status_code == 302
    again = coordinator.post(f"/cases/{case_id}/moves/accept", data=form)
    assert again.status_code == 422
    assert "Det går inte att göra med ett ärende som är accepterat" in again.get_data(as_text=True)


def test_a_patient_outside_scope_is_not_found_by_number_nor_in_the_log_extract(
        app, world, browser):
    """A CRS/HIPEC coordinator may not learn that an anal cancer referral's patient exists:
    the search answers as for an unknown number, the log extract is 404."""
    with app.app_context():
        patient_id = refer(world, number_index=9, submit=False, protected_identity=True).patient_id
    client = browser(world.people["crs_coordinator"])
    known = client.post("/patients/search", data={"identity_kind": "national",
                                                  "identity_number": _pnr(NUMBERS[9])})
    unknown = client.post("/patients/search", data={"identity_kind": "national",
                                                    "identity_number": _pnr(NUMBERS[19])})
    assert known.status_code == unknown.status_code == 404
    assert known.location is None
    chosen = client.post("/audit/patient", data={"patient-identity_kind": "national",
                                                 "patient-identity_number": _pnr(NUMBERS[9])})
    assert chosen.status_code == 404 and chosen.location is None
    for file_format in ("pdf", "csv"):
        assert client.get(f"/audit/patients/{patient_id}/extract.{file_format}"
                          ).status_code == 404


def test_the_log_extract_names_a_protected_patient_by_id_only(app, world, browser):
    import io

    import pypdf

    with app.app_context():
        case = accept(world, refer(world, number_index=11, protected_identity=True,
                                   family_name="Skyddad"))
        patient_id = case.patient_id

    def pdf_text(who: str) -> str:
        response = browser(world.people[who]).get(f"/audit/patients/{patient_id}/extract.pdf")
        assert response.status_code == 200
        reader = pypdf.PdfReader(io.BytesIO(response.get_data()))
        return "".join(page.extract_text() for page in reader.pages)

    assert "Skyddad" in pdf_text("coordinator")  # handles the case
    other = pdf_text("other_coordinator")
    assert "Skyddad" not in other and _pnr(NUMBERS[11]) not in other
    assert f"Patient {patient_id}" in other


def test_a_patch_of_some_answers_keeps_the_others(app, world, browser):
    with app.app_context():
        case_id = refer(world, submit=False).id
    response = browser(world.people["referrer"]).client.patch(
        f"/api/v1/cases/{case_id}", json={"answers": {"p16_status": "positive",
                                                      "diagnosis_basis": None}})
    assert response.status_code == 200
    assert response.get_json()["answers"] == {"histology": "squamous_cell",
                                              "p16_status": "positive"}


def test_every_problem_of_a_referral_is_shown_in_one_round(app, world, browser):
    client = browser(world.people["referrer"])
    form = {**REFERRAL_FORM, "identity_number": _pnr(NUMBERS[12]), "submit_now": "1",
            "given_name": "", "consent_recorded": "", "answer_histology": "",
            "answer_who_performance_status": "två"}
    response = client.post("/cases/new?area=analcancer", data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for field in ("given_name", "consent_recorded", "answer_histology",
                  "answer_who_performance_status"):
        assert field_error(page, field), field
    assert 'value="Kurativ behandling? MR och PET-DT bifogas."' in page or \
        "Kurativ behandling? MR och PET-DT bifogas." in page  # what was typed stays


def _history(page: str) -> str:
    return page[page.rindex("<tbody>"):page.rindex("</tbody>")]


def test_a_case_submitted_at_once_shows_only_the_submission_in_its_history(app, world,
                                                                          browser):
    client = browser(world.people["referrer"])
    form = {**REFERRAL_FORM, "identity_number": _pnr(NUMBERS[7]), "submit_now": "1"}
    page = client.get(client.post("/cases/new?area=analcancer", data=form).location
                      ).get_data(as_text=True)
    history = _history(page)
    assert history.count("<tr>") == 1
    assert "Inskickat" in history and "Utkast" not in history


def _refer_by_form(client, index: int, given: str, family: str):
    form = {**REFERRAL_FORM, "identity_number": _pnr(NUMBERS[index]), "given_name": given,
            "family_name": family, "submit_now": "1"}
    return client.post("/cases/new?area=analcancer", data=form)


def test_a_known_number_with_another_name_gives_the_referrer_the_usual_page(app, world,
                                                                           browser):
    """Issue 9, item 2: no "the name does not match" (shown twice, item 14), no registered
    name; the same answer as for a number never seen."""
    with app.app_context():
        refer(world, "other_referrer", number_index=8, given_name="Hemlig",
              family_name="Person")
    client = browser(world.people["referrer"])
    known, unknown = _refer_by_form(client, 8, "Gissat", "Person"), \
        _refer_by_form(client, 9, "Gissat", "Person")
    assert known.status_code == unknown.status_code == 302
    pages = [client.get(response.location).get_data(as_text=True)
             for response in (known, unknown)]
    for page in pages:
        assert "Gissat Person" in page and "Hemlig" not in page
        assert "/identity/confirm" not in page and "stämmer inte" not in page
    listing = client.get("/cases").get_data(as_text=True)
    assert "Person, Gissat" in listing and "Hemlig" not in listing


def test_the_coordinator_is_warned_and_confirms_the_identity(app, world, browser):
    with app.app_context():
        refer(world, "other_referrer", number_index=8, given_name="Hemlig",
              family_name="Person")
        case_id = refer(world, number_index=8, given_name="Gissat", family_name="Person").id
    coordinator = browser(world.people["coordinator"])
    page = coordinator.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "skiljer sig från det registrerade namnet" in page
    assert "Gissat Person" in page and "Hemlig Person" in page
    assert f"/cases/{case_id}/identity/confirm" in page
    assert browser(world.people["referrer"]).post(
        f"/cases/{case_id}/identity/confirm").status_code == 403
    response = coordinator.post(f"/cases/{case_id}/identity/confirm")
    assert response.status_code == 302
    page = coordinator.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "/identity/confirm" not in page and "Gissat" not in page
    assert coordinator.post(f"/cases/{case_id}/identity/confirm").status_code == 409
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_id == case_id, AuditEvent.action.like("case.identity%"))
            .order_by(AuditEvent.id)))
        assert actions == ["case.identity_mismatch", "case.identity_confirm"]


def test_the_form_refuses_answers_outside_range_and_pattern_at_their_fields(app, world,
                                                                           browser):
    client = browser(world.people["referrer"])
    page = client.get("/cases/new?area=analcancer").get_data(as_text=True)
    field = re.search(r'<input[^>]*id="answer_who_performance_status"[^>]*>', page)[0]
    assert 'min="0"' in field and 'max="4"' in field and 'type="number"' in field
    form = {**REFERRAL_FORM, "identity_number": _pnr(NUMBERS[13]), "submit_now": "1",
            "answer_who_performance_status": "7", "answer_clinical_tnm": "hej"}
    response = client.post("/cases/new?area=analcancer", data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "från 0 till 4" in field_error(page, "answer_who_performance_status")
    assert "enligt UICC" in field_error(page, "answer_clinical_tnm")


def test_a_protected_mismatch_shows_no_names_to_a_coordinator_not_handling_it(app, world,
                                                                             browser):
    with app.app_context():
        refer(world, "other_referrer", number_index=10, given_name="Hemlig",
              family_name="Person", protected_identity=True)
        case_id = refer(world, number_index=10, given_name="Gissat", family_name="Person").id
    coordinator = browser(world.people["coordinator"])
    page = coordinator.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "skiljer sig från det registrerade namnet" in page
    assert "Hemlig" not in page and "Gissat" not in page and _pnr(NUMBERS[10]) not in page
    assert "/identity/confirm" not in page
    assert coordinator.post(f"/cases/{case_id}/identity/confirm").status_code == 409
    referrer_page = browser(world.people["referrer"]).get(f"/cases/{case_id}")
    text = referrer_page.get_data(as_text=True)
    assert "Gissat Person" in text and _pnr(NUMBERS[10]) in text and "Hemlig" not in text


def _area_options(page: str) -> list[str]:
    select_ = re.search(r'<select id="area" name="area">(.*?)</select>', page, re.S)[1]
    return re.findall(r'<option value="(\w*)"', select_)


@pytest.mark.parametrize(("who", "areas"), [
    ("coordinator", ["analcancer"]), ("member", ["analcancer"]), ("reviewer", ["analcancer"]),
    ("referrer", ["analcancer"]), ("crs_coordinator", ["crs_hipec"]),
])
def test_the_case_lists_area_filter_offers_the_areas_of_the_users_roles(app, world, browser,
                                                                         who, areas):
    page = browser(world.people[who]).get("/cases").get_data(as_text=True)
    assert _area_options(page) == ["", *areas]  # "" is every area of the user's


def test_the_area_filter_offers_each_area_a_user_holds_a_role_in(app, world, browser):
    from mdk.people import service as people

    people.grant_role(world.people["coordinator"], "referrer", "crs_hipec", world.referring.id)
    page = browser(world.people["coordinator"]).get("/cases").get_data(as_text=True)
    assert _area_options(page) == ["", "analcancer", "crs_hipec"]


def test_an_area_outside_the_users_roles_is_not_a_filter(app, world, browser):
    with app.app_context():
        number = refer(world).number
    page = browser(world.people["coordinator"]).get("/cases?area=crs_hipec").get_data(
        as_text=True)
    assert number in page and "selected" not in page.split('name="area"')[1].split("</select>")[0]


def test_the_new_referral_offers_only_the_areas_the_user_may_refer_in(app, world, browser):
    from mdk.people import service as people

    def offered(who: str, area: str) -> tuple[list[str], str]:
        page = browser(world.people[who]).get(f"/cases/new?area={area}").get_data(as_text=True)
        return re.findall(r'href="/cases/new\?area=(\w+)"', page), page

    # One area to refer in: its form, whatever area was asked for.
    assert offered("crs_coordinator", "")[1].count('action="/cases/new?area=crs_hipec"') == 1
    choices, page = offered("crs_coordinator", "analcancer")  # not theirs: the choice
    assert choices == ["crs_hipec"] and 'action="/cases/new?area=analcancer"' not in page
    assert offered("referrer", "")[0] == [] and "Anmäl ett nytt ärende: Analcancer" in \
        offered("referrer", "")[1]
    people.grant_role(world.people["referrer"], "referrer", "crs_hipec", world.referring.id)
    assert offered("referrer", "")[0] == ["analcancer", "crs_hipec"]
    assert offered("member", "")[0] == [] and "Anmäl ett nytt ärende:" not in \
        offered("member", "")[1]  # a member refers in no area


def test_the_tables_of_the_case_audit_and_meeting_pages_scroll_inside_a_wrapper(app, world,
                                                                              browser):
    """Each wide table of these pages scrolls sideways in the focusable, named wrapper on a
    390 px phone (templates/macros.html table_scroll), not by itself."""
    with app.app_context():
        case = accept(world, refer(world))
        case_id, patient_id = case.id, case.patient_id
    client = browser(world.people["coordinator"])
    today = to_local(utcnow()).date()
    pages = {
        "case list": "/cases", "case page": f"/cases/{case_id}",
        "access log": "/audit", "patient's log": f"/audit?patient_id={patient_id}",
        "log sample": f"/audit/sample?date_from={today - timedelta(days=7)}&date_to={today}"
                      "&size=5&seed=7",
        "meeting page": f"/conferences/{world.conference.id}",
    }
    for name, url in pages.items():
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200, name
        tables, wrapped = table_counts(response.get_data(as_text=True))
        assert tables >= 1 and wrapped == tables, (name, tables, wrapped)
