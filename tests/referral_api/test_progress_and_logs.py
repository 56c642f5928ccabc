"""What a referring unit's system reads of its cases: the state, the timeline and what the
meeting still lacks (plain words and keys), on the case and in the list; and that no token
value reaches a log line during a token session."""

from __future__ import annotations

import io
import logging

from sqlalchemy import select

from mdk.access.policy import principal_for
from mdk.audit.service import actor_for
from mdk.cases import service
from mdk.extensions import db
from mdk.people.models import Person, RoleGrant
from tests.cases.factories import AREA
from tests.material.factories import PDF
from tests.referral_api.test_endpoints import ENDPOINTS, call


def test_a_case_read_shows_its_timeline_and_what_is_missing(api, ids, tokens):
    read = api.get(ids.fill("/api/v1/cases/{case}"),
                   headers={**tokens.headers(), "Accept-Language": "en"}).json
    assert read["state"] == "submitted"
    assert [step["what"] for step in read["timeline"]] == ["Submitted to the MDK"]
    assert set(read["timeline"][0]) == {"at", "what", "reason"}
    material = api.get(ids.fill("/api/v1/cases/{case}/material"),
                       headers={**tokens.headers(), "Accept-Language": "en"}).json
    # The same readiness as the material list: codes, keys and words.
    assert [(m["code"], m["key"], m["blocking"], m["message"]) for m in read["missing"]] == \
        [(p["code"], p["key"], p["blocking"], p["message"]) for p in material["problems"]]
    # The PAD has its file, but the slides are not yet at the host unit.
    assert [m["code"] for m in read["missing"] if m["key"] == "pad_p16"] == ["not_at_host"]
    mri = next(m for m in read["missing"] if m["key"] == "mri_pelvis")
    assert mri["code"] == "missing" and mri["blocking"] and mri["message"].startswith("Missing:")


def test_the_timeline_follows_the_moves_with_their_reasons(api, tokens, ids):
    moved = api.post(ids.fill("/api/v1/cases/{draft}/moves"), json={"action": "submit"},
                     headers={**tokens.headers(), "Accept-Language": "en"})
    assert [step["what"] for step in moved.json["timeline"]] == [
        "Saved as a draft", "Submitted to the MDK"]
    withdrawn = api.post(ids.fill("/api/v1/cases/{draft}/moves"),
                         json={"action": "withdraw", "reason": "Behandlas lokalt."},
                         headers={**tokens.headers(), "Accept-Language": "en"}).json
    assert withdrawn["state"] == "withdrawn"
    assert withdrawn["timeline"][-1] == {"at": withdrawn["timeline"][-1]["at"],
                                         "what": "Withdrawn", "reason": "Behandlas lokalt."}
    assert withdrawn["missing"] == []  # a withdrawn case gathers nothing more


def test_the_list_shows_each_cases_timeline_and_missing_in_swedish_by_default(
        api, ids, tokens):
    listed = {row["id"]: row for row in api.get("/api/v1/cases",
                                                headers=tokens.headers()).json}
    assert [step["what"] for step in listed[ids.case]["timeline"]] == ["Inskickat till MDK"]
    assert [step["what"] for step in listed[ids.draft]["timeline"]] == ["Sparat som utkast"]
    assert "Saknas: MR bäcken." in {m["message"] for m in listed[ids.draft]["missing"]}


def test_a_returned_case_shows_the_coordinators_reason(app, api, ids, tokens):
    with app.app_context():
        coordinator = db.session.scalar(select(Person).join(RoleGrant).where(
            RoleGrant.role == "coordinator", RoleGrant.care_area == AREA))
        service.move_case(actor_for(coordinator), principal_for(coordinator),
                          service.get_case(ids.case), "return",
                          {"reason": "PAD saknas, komplettera."})
    read = api.get(ids.fill("/api/v1/cases/{case}"), headers=tokens.headers()).json
    assert read["state"] == "returned"
    assert read["timeline"][-1]["what"] == "Återsänt för komplettering"
    assert read["timeline"][-1]["reason"] == "PAD saknas, komplettera."


def test_no_token_in_any_log_line_of_a_token_session(app, api, ids, tokens, caplog):
    secrets = [value.split("_", 2)[2] for value in
               (tokens.valid, tokens.revoked, tokens.expired, tokens.other_unit)]
    with caplog.at_level(logging.DEBUG):
        for name in ENDPOINTS:
            call(api, ids, name, tokens.headers())
            call(api, ids, name, tokens.headers("revoked"))
            call(api, ids, name, tokens.headers("expired"))
            call(api, ids, name, tokens.headers("other_unit"))
        api.post(ids.fill("/api/v1/cases/{case}/material/{item}/files"),
                 data={"file": (io.BytesIO(b"MZ" + PDF), "x.exe", "application/pdf")},
                 content_type="multipart/form-data", headers=tokens.headers())
        api.patch(ids.fill("/api/v1/cases/{case}"), json={"question": 5},
                  headers={**tokens.headers(), "If-Match": '"stale"'})
    assert caplog.records  # the session did log (moves, uploads, refusals)
    logged = "\n".join(logging.Formatter().format(record) for record in caplog.records)
    for secret in secrets:
        assert secret not in logged
