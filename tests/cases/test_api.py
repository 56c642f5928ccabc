"""REST API for cases: JSON in, problem+json naming the field out; scope (404 for another
unit's case), identity field sets per reader (DESIGN.md §5) and one audit event per read."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from mdk.audit.models import AuditEvent
from mdk.cases.models import Case
from mdk.extensions import db
from mdk.people.models import Person
from tests.cases.factories import NUMBERS, make_world, referral
from tests.support import log_in

HUGE = 99999999999999999999


@dataclass
class Ids:
    people: dict[str, int]
    nhv: list[int]
    referring: int
    other_referring: int
    conference: int
    later_conference: int


@pytest.fixture()
def world(app) -> Ids:
    with app.app_context():
        built = make_world()
        return Ids(people={who: person.id for who, person in built.people.items()},
                   nhv=[unit.id for unit in built.nhv], referring=built.referring.id,
                   other_referring=built.other_referring.id, conference=built.conference.id,
                   later_conference=built.later_conference.id)


class Api:
    """A logged-in test client that checks every answer: never a 500, never an identity
    number in a Location header."""

    def __init__(self, app, person_id: int | None = None, client=None) -> None:
        self.client = client or app.test_client()
        if person_id is not None:
            with app.app_context():
                person = db.session.get(Person, person_id)
            log_in(self.client, person)

    def __call__(self, method: str, url: str, **kwargs):
        response = self.client.open(url, method=method, **kwargs)
        assert response.status_code < 500, response.get_data(as_text=True)
        location = response.headers.get("Location", "")
        assert not any(number in location.replace("-", "") for number in NUMBERS)
        return response

    def get(self, url: str, **kwargs):
        return self("GET", url, **kwargs)

    def post(self, url: str, **kwargs):
        return self("POST", url, **kwargs)

    def patch(self, url: str, **kwargs):
        return self("PATCH", url, **kwargs)


@pytest.fixture()
def as_(app, world):
    """as_("referrer") → an Api logged in as that person of the world."""
    return lambda who: Api(app, world.people[who])


@pytest.fixture()
def admin(app, client):
    return Api(app, client=client)


def _refer(api: Api, index: int = 0, **overrides) -> dict:
    response = api.post("/api/v1/cases", json=referral(index, submit=True, **overrides))
    assert response.status_code == 201, response.json
    return response.json


def _accept(world: Ids, coordinator: Api, case_id: int, **extra) -> dict:
    response = coordinator.post(f"/api/v1/cases/{case_id}/moves", json={
        "action": "accept", "conference_id": world.conference, **extra})
    assert response.status_code == 200, response.json
    return response.json


def _field_errors(response) -> dict:
    assert response.mimetype == "application/problem+json"
    return response.json["errors"]["json"]


def _patient_id(app, case_id: int) -> int:
    """From the database: a referrer's answer does not carry the register's patient id."""
    with app.app_context():
        return db.session.get(Case, case_id).patient_id


def _reads(app, case_id: int) -> list[int | None]:
    with app.app_context():
        return list(db.session.scalars(
            select(AuditEvent.patient_id).where(AuditEvent.action == "case.read",
                                                AuditEvent.object_type == "case",
                                                AuditEvent.object_id == case_id)))


def _identity_absent(text: str, index: int = 0) -> bool:
    number = NUMBERS[index]
    data = referral(index)
    return (number not in text and f"{number[:8]}-{number[8:]}" not in text
            and number[:8] not in text and data["family_name"] not in text
            and data["given_name"] not in text)


# --- referring --------------------------------------------------------------------------------

def test_create_answers_201_with_the_case_number(as_, world):
    response = as_("referrer").post("/api/v1/cases", json=referral(submit=True))
    assert response.status_code == 201
    body = response.json
    assert body["number"].startswith("AC-") and body["state"] == "submitted"
    assert body["referring_unit"]["id"] == world.referring
    assert body["patient"]["identity"] == f"{NUMBERS[0][:8]}-{NUMBERS[0][8:]}"
    assert [(t["action"], t["from_state"], t["to_state"]) for t in body["transitions"]] == [
        ("submit", None, "submitted")]  # submitted at once: never a draft
    assert response.headers["Location"].endswith(f"/api/v1/cases/{body['id']}")


def test_create_without_submit_is_a_draft(as_):
    body = as_("referrer").post("/api/v1/cases", json=referral(answers={})).json
    assert body["state"] == "draft" and body["submitted_at"] is None


@pytest.mark.parametrize(("change", "fields"), [
    # every problem at once: the wrong answer, and the required one left out
    ({"answers": {"histology": "banana"}}, ["answers.diagnosis_basis", "answers.histology"]),
    ({"answers": {"diagnosis_basis": "clinical"}}, ["answers.histology"]),
    ({"consent_recorded": False}, ["consent_recorded"]),
    ({"case_type": "gossip"}, ["case_type"]),
    ({"identity_number": "19121212-1213"}, ["identity_number"]),
    ({"care_area": "nowhere"}, ["care_area"]),
    ({"case_type": "gossip", "consent_recorded": False, "given_name": ""},
     ["case_type", "consent_recorded", "given_name"]),
])
def test_create_with_a_bad_referral_field_is_422_naming_it(app, as_, world, change, fields):
    response = as_("referrer").post("/api/v1/cases", json=referral(submit=True, **change))
    assert response.status_code == 422
    assert sorted(_field_errors(response)) == fields
    with app.app_context():
        assert db.session.scalar(select(func.count(Case.id))) == 0


@pytest.mark.parametrize(("body", "field"), [
    ({"colour": "blue"}, "colour"),
    ({"identity_number": 191212121212}, "identity_number"),
    ({"referring_unit_id": HUGE}, "referring_unit_id"),
    ({"referring_unit_id": "one"}, "referring_unit_id"),
    ({"answers": ["histology"]}, "answers"),
    ({"answers": {"histology": {"nested": True}}}, "answers"),
    ({"submit": "perhaps"}, "submit"),
])
def test_create_with_a_wrong_type_or_unknown_key_is_422_naming_it(as_, world, body, field):
    response = as_("referrer").post("/api/v1/cases", json=referral(**body))
    assert response.status_code == 422
    assert field in _field_errors(response)


@pytest.mark.parametrize("body", [[1, 2], "case", 42, None])
def test_create_with_json_that_is_not_an_object_is_4xx(as_, world, body):
    response = as_("referrer").post("/api/v1/cases", data=json.dumps(body),
                                    content_type="application/json")
    assert 400 <= response.status_code < 500


def test_a_referrer_cannot_refer_from_another_unit(as_, world):
    response = as_("referrer").post("/api/v1/cases", json=referral(
        referring_unit_id=world.other_referring))
    assert response.status_code == 422
    assert list(_field_errors(response)) == ["referring_unit_id"]


def test_a_member_cannot_refer(as_, world):
    assert as_("member").post("/api/v1/cases", json=referral()).status_code == 403


def test_patch_completes_a_draft(as_, world):
    referrer = as_("referrer")
    draft = referrer.post("/api/v1/cases", json=referral(question="")).json
    response = referrer.patch(f"/api/v1/cases/{draft['id']}", json={"question": "Salvage?"})
    assert response.status_code == 200 and response.json["question"] == "Salvage?"


def test_patch_of_a_submitted_case_is_409_naming_the_state(as_, world):
    referrer = as_("referrer")
    case = _refer(referrer)
    response = referrer.patch(f"/api/v1/cases/{case['id']}", json={"question": "Nytt?"})
    assert response.status_code == 409
    assert list(_field_errors(response)) == ["state"]


def test_patch_with_a_bad_answer_names_the_nested_field(as_, world):
    referrer = as_("referrer")
    draft = referrer.post("/api/v1/cases", json=referral()).json
    response = referrer.patch(f"/api/v1/cases/{draft['id']}",
                              json={"answers": {"who_performance_status": 12345678}})
    assert response.status_code == 422
    assert list(_field_errors(response)) == ["answers.who_performance_status"]


def test_answers_out_of_range_or_pattern_are_refused_with_each_field_named(as_, world):
    referrer = as_("referrer")
    bad = {"diagnosis_basis": "pad_verified", "histology": "squamous_cell",
           "who_performance_status": 7, "clinical_tnm": "hej"}
    response = referrer.post("/api/v1/cases", json=referral(submit=True, answers=bad))
    assert response.status_code == 422
    errors = _field_errors(response)
    assert set(errors) == {"answers.who_performance_status", "answers.clinical_tnm"}
    assert "0" in errors["answers.who_performance_status"][0]
    assert "UICC" in errors["answers.clinical_tnm"][0]
    draft = referrer.post("/api/v1/cases", json=referral(answers={})).json
    response = referrer.patch(f"/api/v1/cases/{draft['id']}", json={"answers": bad})
    assert response.status_code == 422
    assert set(_field_errors(response)) == set(errors)


def test_the_care_area_document_gives_the_range_and_pattern(as_, world):
    body = as_("referrer").get("/api/v1/care-areas/analcancer").json
    fields = {item["key"]: item for item in body["referral_fields"]}
    assert (fields["who_performance_status"]["min"], fields["who_performance_status"]["max"]) \
        == (0, 4)
    assert fields["clinical_tnm"]["pattern"].startswith("(y|r|yr)?")
    assert "UICC" in fields["clinical_tnm"]["pattern_message"]["sv"]


# --- scope (IDOR) -------------------------------------------------------------------------------

def test_another_units_referrer_gets_404_and_an_empty_list(as_, world):
    case = _refer(as_("referrer"))
    other = as_("other_referrer")
    assert other.get(f"/api/v1/cases/{case['id']}").status_code == 404
    assert other.patch(f"/api/v1/cases/{case['id']}", json={"question": "?"}).status_code == 404
    assert other.post(f"/api/v1/cases/{case['id']}/moves",
                      json={"action": "withdraw", "reason": "x"}).status_code == 404
    assert other.get("/api/v1/cases").json == []
    assert other.get(f"/api/v1/cases?q={case['number']}").json == []


def test_a_case_id_that_does_not_exist_or_is_huge_is_404(admin):
    assert admin.get("/api/v1/cases/999999").status_code == 404
    assert admin.get(f"/api/v1/cases/{HUGE}").status_code == 404
    assert admin.post(f"/api/v1/cases/{HUGE}/moves", json={"action": "accept"}).status_code \
        == 404


def test_a_coordinator_of_another_area_gets_404(as_, world):
    case = _refer(as_("referrer"))
    assert as_("crs_coordinator").get(f"/api/v1/cases/{case['id']}").status_code == 404


def test_anonymous_gets_401(anonymous_client):
    assert anonymous_client.get("/api/v1/cases").status_code == 401
    assert anonymous_client.post("/api/v1/cases", json=referral()).status_code == 401


# --- who sees the identity -------------------------------------------------------------------

@pytest.mark.parametrize("who", ["referrer", "host_member", "treating_member", "coordinator",
                                 "other_coordinator"])
def test_the_involved_units_see_the_full_identity(as_, world, who):
    case = _refer(as_("referrer"))
    _accept(world, as_("coordinator"), case["id"], treating_unit_id=world.nhv[2])
    reader = as_(who)
    patient = reader.get(f"/api/v1/cases/{case['id']}").json["patient"]
    assert patient["identity"] == f"{NUMBERS[0][:8]}-{NUMBERS[0][8:]}"
    assert patient["family_name"] == referral()["family_name"]
    listed = reader.get("/api/v1/cases").json
    assert [item["patient"].get("identity") for item in listed] == [patient["identity"]]


def test_an_uninvolved_nhv_unit_sees_no_identity_number_and_no_name(as_, world):
    case = _refer(as_("referrer"))
    _accept(world, as_("coordinator"), case["id"], treating_unit_id=world.nhv[2])
    for who in ("member", "reviewer"):
        reader = as_(who)
        response = reader.get(f"/api/v1/cases/{case['id']}")
        assert response.status_code == 200
        assert response.json["number"] == case["number"]
        # not even the register's patient id: it would link the cases of one patient
        assert set(response.json["patient"]) == {"protected_identity", "fictitious"}
        assert _identity_absent(response.get_data(as_text=True))
        listed = reader.get("/api/v1/cases")
        assert [item["number"] for item in listed.json] == [case["number"]]
        assert _identity_absent(listed.get_data(as_text=True))


def test_a_protected_identity_is_only_for_the_handling_coordinator(as_, world):
    case = _refer(as_("referrer"), protected_identity=True)
    _accept(world, as_("coordinator"), case["id"], treating_unit_id=world.nhv[2])
    url = f"/api/v1/cases/{case['id']}"
    handling = as_("coordinator").get(url)
    assert handling.json["patient"]["identity"] == f"{NUMBERS[0][:8]}-{NUMBERS[0][8:]}"
    assert handling.json["patient"]["protected_identity"] is True
    for who in ("referrer", "host_member", "treating_member", "other_coordinator"):
        response = as_(who).get(url)
        assert response.status_code == 200
        assert _identity_absent(response.get_data(as_text=True)), who


def test_the_create_answer_of_a_protected_patient_shows_no_identity(as_, world):
    response = as_("referrer").post("/api/v1/cases",
                                    json=referral(protected_identity=True, submit=True))
    assert response.status_code == 201
    assert _identity_absent(response.get_data(as_text=True))


# --- the name check: no oracle (issue 9, item 2) ---------------------------------------------

def _shape(value):
    """The keys of an answer, all the way down: what must not differ between the cases."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(item) for item in value]
    return type(value).__name__ if value is not None else None


def _known_and_unknown(as_) -> tuple:
    """A number registered by another unit as Hemlig Person, referred as Gissat Person; and
    an unknown number referred under the same name."""
    _refer(as_("other_referrer"), 3, given_name="Hemlig", family_name="Person")
    referrer = as_("referrer")
    known = referrer.post("/api/v1/cases", json=referral(
        3, submit=True, given_name="Gissat", family_name="Person"))
    unknown = referrer.post("/api/v1/cases", json=referral(
        4, submit=True, given_name="Gissat", family_name="Person"))
    return referrer, known, unknown


def test_a_known_number_with_another_name_answers_as_an_unknown_one(as_, world):
    referrer, known, unknown = _known_and_unknown(as_)
    assert known.status_code == unknown.status_code == 201
    assert _shape(known.json) == _shape(unknown.json)
    for body in (known.json, unknown.json):
        assert (body["patient"]["given_name"], body["patient"]["family_name"]) == \
            ("Gissat", "Person")
        assert body["identity_check"] is None and "id" not in body["patient"]
    again = [referrer.get(f"/api/v1/cases/{body['id']}") for body in (known.json, unknown.json)]
    assert _shape(again[0].json) == _shape(again[1].json)
    listing = referrer.get("/api/v1/cases")
    for response in (known, *again, listing):
        assert "Hemlig" not in response.get_data(as_text=True)


@pytest.mark.parametrize("protected", [False, True])
def test_a_number_registered_as_protected_answers_as_an_unknown_one_too(as_, world,
                                                                        protected):
    """With another name the referrer sees the identity as they referred it: a number with a
    protected identity must not look different from one never seen."""
    _refer(as_("other_referrer"), 5, given_name="Hemlig", family_name="Person",
           protected_identity=True)
    referrer = as_("referrer")
    known, unknown = (referrer.post("/api/v1/cases", json=referral(
        index, submit=True, given_name="Gissat", family_name="Person",
        protected_identity=protected)) for index in (5, 6))
    assert known.status_code == unknown.status_code == 201
    assert _shape(known.json) == _shape(unknown.json)
    numbers = ("identity", "masked_identity")  # the two numbers differ, nothing else
    assert {key: value for key, value in known.json["patient"].items() if key not in numbers} \
        == {key: value for key, value in unknown.json["patient"].items() if key not in numbers}
    assert known.json["patient"]["protected_identity"] is protected
    assert "Hemlig" not in known.get_data(as_text=True)


def _patient_shown(response) -> dict:
    """The patient as the answer shows them, but for the number itself."""
    return {key: value for key, value in response.json["patient"].items()
            if key not in ("identity", "masked_identity")}


def test_a_second_referral_spelled_otherwise_answers_as_for_an_unknown_number(as_, world):
    """Refer a number as Gissat Person, then as gissat person: the register's spelling must
    not come back only when someone else had registered the number first."""
    _refer(as_("other_referrer"), 3, given_name="Hemlig", family_name="Person")
    referrer = as_("referrer")
    shown = []
    for index in (3, 4):  # 3 registered by another unit, 4 unknown
        _refer(referrer, index, given_name="Gissat", family_name="Person")
        again = referrer.post("/api/v1/cases", json=referral(
            index, submit=True, given_name="gissat", family_name="person"))
        assert again.status_code == 201
        shown.append(_patient_shown(again))
    assert shown[0] == shown[1]
    assert (shown[0]["given_name"], shown[0]["family_name"]) == ("gissat", "person")


def test_a_protected_number_referred_with_its_own_name_answers_as_an_unknown_one(as_, world):
    """The name matches, so nothing is flagged; but the register's protection, shown back,
    would tell the referrer that the number is registered and protected."""
    _refer(as_("other_referrer"), 5, given_name="Hemlig", family_name="Person",
           protected_identity=True)
    referrer = as_("referrer")
    known, unknown = (referrer.post("/api/v1/cases", json=referral(
        index, submit=True, given_name="Hemlig", family_name="Person")) for index in (5, 6))
    assert known.status_code == unknown.status_code == 201
    assert _patient_shown(known) == _patient_shown(unknown)
    assert known.json["identity_check"] is None
    again = [referrer.get(f"/api/v1/cases/{body['id']}") for body in (known.json, unknown.json)]
    assert _patient_shown(again[0]) == _patient_shown(again[1])
    # Accepted (nothing to check), the host unit meets the register's protection.
    coordinator = as_("coordinator")
    assert coordinator.get(f"/api/v1/cases/{known.json['id']}").json["patient"][
        "protected_identity"] is True
    _accept(world, coordinator, known.json["id"])
    hosted = as_("host_member").get(f"/api/v1/cases/{known.json['id']}")
    assert hosted.status_code == 200 and "Hemlig" not in hosted.get_data(as_text=True)
    assert hosted.json["patient"]["protected_identity"] is True


def test_the_coordinator_sees_the_mismatch_and_confirms_the_identity(as_, world):
    _, known, unknown = _known_and_unknown(as_)
    coordinator = as_("coordinator")
    body = coordinator.get(f"/api/v1/cases/{known.json['id']}").json
    assert body["patient"]["given_name"] == "Hemlig"
    assert body["identity_check"] == {"given_name": "Gissat", "family_name": "Person"}
    assert coordinator.get(f"/api/v1/cases/{unknown.json['id']}").json["identity_check"] is None
    refused = coordinator.post(f"/api/v1/cases/{known.json['id']}/moves", json={
        "action": "accept", "conference_id": world.conference})
    assert refused.status_code == 409 and "identity" in _field_errors(refused)
    url = f"/api/v1/cases/{known.json['id']}/identity-confirmation"
    assert as_("referrer").post(url).status_code in (403, 404)
    confirmed = coordinator.post(url)
    assert confirmed.status_code == 200 and confirmed.json["identity_check"] is None
    assert coordinator.post(url).status_code == 409
    assert _accept(world, coordinator, known.json["id"])["state"] == "accepted"


# --- audit ------------------------------------------------------------------------------------

def test_each_get_writes_one_case_read_event_with_the_patient(app, as_, world):
    referrer = as_("referrer")
    case = _refer(referrer)
    referrer.get(f"/api/v1/cases/{case['id']}")
    patient_id = _patient_id(app, case["id"])
    assert _reads(app, case["id"]) == [patient_id]
    referrer.get(f"/api/v1/cases/{case['id']}")
    assert _reads(app, case["id"]) == [patient_id, patient_id]


def test_a_refused_get_writes_no_read_event(app, as_, world):
    case = _refer(as_("referrer"))
    as_("other_referrer").get(f"/api/v1/cases/{case['id']}")
    assert _reads(app, case["id"]) == []


def test_the_list_writes_one_event_per_case_shown(app, as_, world):
    referrer = as_("referrer")
    first, second = _refer(referrer), _refer(referrer, 1)
    body = referrer.get("/api/v1/cases").json
    assert {item["id"] for item in body} == {first["id"], second["id"]}
    assert _reads(app, first["id"]) == [_patient_id(app, first["id"])]
    assert _reads(app, second["id"]) == [_patient_id(app, second["id"])]


def test_a_patch_that_changes_nothing_is_logged_as_a_read(app, as_, world):
    referrer = as_("referrer")
    draft = referrer.post("/api/v1/cases", json=referral()).json
    assert referrer.patch(f"/api/v1/cases/{draft['id']}", json={}).status_code == 200
    assert _reads(app, draft["id"]) == [_patient_id(app, draft["id"])]


# --- moves ------------------------------------------------------------------------------------

def test_the_coordinator_accepts_onto_a_meeting(as_, world):
    case = _refer(as_("referrer"))
    body = _accept(world, as_("coordinator"), case["id"], treating_unit_id=world.nhv[2])
    assert body["state"] == "accepted"
    assert body["conference"]["id"] == world.conference
    assert body["conference"]["host_unit"]["id"] == world.nhv[0]
    assert body["treating_unit_id"] == world.nhv[2]
    assert body["transitions"][-1]["to_state"] == "accepted"


def test_a_referrer_cannot_accept(as_, world):
    referrer = as_("referrer")
    case = _refer(referrer)
    response = referrer.post(f"/api/v1/cases/{case['id']}/moves",
                             json={"action": "accept", "conference_id": world.conference})
    assert response.status_code == 403


@pytest.mark.parametrize("body", [{}, {"action": "nonsense"}, {"action": "withdraw"}])
def test_a_member_cannot_move_a_case_whatever_the_body(as_, world, body):
    case = _refer(as_("referrer"))
    response = as_("member").post(f"/api/v1/cases/{case['id']}/moves", json=body)
    assert response.status_code == 403


def test_a_move_from_the_wrong_state_is_409(as_, world):
    referrer = as_("referrer")
    case = _refer(referrer)
    response = referrer.post(f"/api/v1/cases/{case['id']}/moves", json={"action": "submit"})
    assert response.status_code == 409
    assert list(_field_errors(response)) == ["state"]
    coordinator = as_("coordinator")
    _accept(world, coordinator, case["id"])
    response = coordinator.post(f"/api/v1/cases/{case['id']}/moves",
                                json={"action": "return", "reason": "PAD saknas"})
    assert response.status_code == 409


@pytest.mark.parametrize(("body", "field"), [
    ({"action": "teleport"}, "action"),
    ({}, "action"),
    ({"action": 3}, "action"),
    ({"action": "return"}, "reason"),
    ({"action": "accept"}, "conference_id"),
    ({"action": "accept", "conference_id": HUGE}, "conference_id"),
    ({"action": "accept", "conference_id": 1, "treating_unit_id": "x"}, "treating_unit_id"),
    ({"action": "decline", "reason": "x", "colour": "blue"}, "colour"),
    # The readiness gate's move and the agenda page's are not the API's.
    ({"action": "ready"}, "action"),
    ({"action": "reschedule", "conference_id": 1}, "action"),
    ({"action": "unschedule", "reason": "x"}, "action"),
])
def test_a_bad_move_is_422_naming_the_field(as_, world, body, field):
    case = _refer(as_("referrer"))
    response = as_("coordinator").post(f"/api/v1/cases/{case['id']}/moves", json=body)
    assert response.status_code == 422
    assert field in _field_errors(response)


def test_a_refused_move_changes_nothing(app, as_, world):
    case = _refer(as_("referrer"))
    response = as_("coordinator").post(f"/api/v1/cases/{case['id']}/moves", json={
        "action": "accept", "conference_id": world.conference,
        "treating_unit_id": world.referring})
    assert list(_field_errors(response)) == ["treating_unit_id"]
    with app.app_context():
        stored = db.session.get(Case, case["id"])
        assert (stored.state, stored.conference_id) == ("submitted", None)


def test_the_referrer_withdraws_with_a_reason(as_, world):
    referrer = as_("referrer")
    case = _refer(referrer)
    response = referrer.post(f"/api/v1/cases/{case['id']}/moves",
                             json={"action": "withdraw", "reason": "Patienten avböjer"})
    assert response.status_code == 200
    assert (response.json["state"], response.json["state_reason"]) == (
        "withdrawn", "Patienten avböjer")


# --- the list ---------------------------------------------------------------------------------

def test_the_list_filters_by_state_and_number(as_, world):
    referrer = as_("referrer")
    submitted = _refer(referrer)
    draft = referrer.post("/api/v1/cases", json=referral(1)).json
    assert [c["id"] for c in referrer.get("/api/v1/cases?state=draft").json] == [draft["id"]]
    both = referrer.get("/api/v1/cases?state=draft,submitted").json
    assert {c["id"] for c in both} == {draft["id"], submitted["id"]}
    repeated = referrer.get("/api/v1/cases?state=draft&state=submitted").json
    assert {c["id"] for c in repeated} == {draft["id"], submitted["id"]}
    found = referrer.get(f"/api/v1/cases?q={submitted['number'].lower()}").json
    assert [c["id"] for c in found] == [submitted["id"]]


@pytest.mark.parametrize(("query", "field"), [
    ("state=lost", "state"), ("state=draft,lost", "state"), ("area=atlantis", "area"),
    (f"conference_id={HUGE}", "conference_id"), ("page=0", "page"),
    ("page_size=1000", "page_size"), ("page=x", "page"),
])
def test_bad_list_arguments_are_422_naming_the_field(admin, query, field):
    response = admin.get(f"/api/v1/cases?{query}")
    assert response.status_code == 422
    assert field in response.json["errors"]["query"]


def test_the_list_is_paginated_in_the_x_pagination_header(as_, world):
    referrer = as_("referrer")
    for index in range(3):
        _refer(referrer, index)
    response = referrer.get("/api/v1/cases?page=2&page_size=2")
    assert len(response.json) == 1
    pagination = json.loads(response.headers["X-Pagination"])
    assert (pagination["total"], pagination["total_pages"], pagination["page"]) == (3, 2, 2)
    beyond = referrer.get(f"/api/v1/cases?page={HUGE}&page_size=2")
    assert json.loads(beyond.headers["X-Pagination"])["page"] == 2
    assert len(beyond.json) == 1


def test_the_list_shows_eligibility_warnings_on_the_case(as_, world):
    case = _refer(as_("referrer"), answers={"diagnosis_basis": "pad_verified",
                                            "histology": "adenocarcinoma"})
    warnings = as_("referrer").get(f"/api/v1/cases/{case['id']}").json["eligibility_warnings"]
    assert [w["key"] for w in warnings] == ["not_squamous_cell"]
    assert warnings[0]["field"] == "histology" and warnings[0]["message"]["sv"]


def test_the_openapi_document_describes_the_cases_api(anonymous_client):
    paths = anonymous_client.get("/api/openapi.json").json["paths"]
    assert {"/api/v1/cases", "/api/v1/cases/{case_id}", "/api/v1/cases/{case_id}/moves"} \
        <= set(paths)
