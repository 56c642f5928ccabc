"""API tokens: made by the CLI (printed once, only the hash kept), a unit's referrer in its
care areas on /api/, refused with a 401 problem when unknown, expired or revoked, named in
the audit log, and never written to a log line."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from mdk.api_tokens.models import ApiToken
from mdk.api_tokens.service import hash_token
from mdk.audit.models import AuditEvent
from mdk.db import utcnow
from mdk.extensions import db
from tests.cases.factories import AREA, OTHER_AREA, make_world, refer, referral


@dataclass
class Ids:
    unit_hsa_id: str
    other_hsa_id: str
    own_case: int
    other_unit_case: int


@pytest.fixture()
def world(app) -> Ids:
    with app.app_context():
        built = make_world()
        own = refer(built, "referrer", number_index=0)
        other = refer(built, "other_referrer", number_index=1)
        return Ids(built.referring.hsa_id, built.other_referring.hsa_id, own.id, other.id)


def cli(app, *args: str):
    return app.test_cli_runner().invoke(args=["api-tokens", *args])


def make_token(app, hsa_id: str, *extra: str) -> str:
    result = cli(app, "create", "--unit", hsa_id, *extra)
    assert result.exit_code == 0, result.output + result.stderr
    return result.stdout.strip()


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def assert_refused(response) -> None:
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_create_prints_the_token_once_and_keeps_only_its_hash(app, world):
    token = make_token(app, world.unit_hsa_id, "--name", "Journal")
    assert token.startswith("mdk_")
    with app.app_context():
        row = db.session.scalar(select(ApiToken))
        assert row.token_hash == hash_token(token)
        assert token not in (row.token_hash, row.prefix, row.name)
        assert token.split("_")[1] == row.prefix
        assert row.care_areas == [AREA]  # where the unit has a referrer
        assert row.expires_at - utcnow() > timedelta(days=364)
    listed = cli(app, "list")
    assert row.prefix in listed.stdout and token not in listed.stdout


def test_a_token_lists_reads_and_refers_its_units_cases(app, world):
    client = app.test_client()
    headers = bearer(make_token(app, world.unit_hsa_id))
    listed = client.get("/api/v1/cases", headers=headers)
    assert listed.status_code == 200
    assert [case["id"] for case in listed.json] == [world.own_case]
    assert client.get(f"/api/v1/cases/{world.own_case}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/cases/{world.other_unit_case}",
                      headers=headers).status_code == 404
    made = client.post("/api/v1/cases", json=referral(2, submit=True), headers=headers)
    assert made.status_code == 201, made.json
    assert made.json["state"] == "submitted"
    with app.app_context():
        assert db.session.scalar(select(ApiToken)).last_used_at is not None


def test_a_token_sees_nothing_outside_its_care_areas(app, world):
    client = app.test_client()
    headers = bearer(make_token(app, world.unit_hsa_id, "--area", OTHER_AREA))
    assert client.get("/api/v1/cases", headers=headers).json == []
    assert client.get(f"/api/v1/cases/{world.own_case}", headers=headers).status_code == 404
    refused = client.post("/api/v1/cases", json=referral(2), headers=headers)
    assert refused.status_code == 422


def test_the_audit_row_of_a_token_call_names_the_token_and_its_unit(app, world):
    token = make_token(app, world.unit_hsa_id, "--name", "Journal")
    app.test_client().get(f"/api/v1/cases/{world.own_case}", headers=bearer(token))
    with app.app_context():
        row = db.session.scalar(select(ApiToken))
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.read")
                                  .order_by(AuditEvent.id.desc()))
        assert event.actor_name == f"API-token Journal ({row.prefix})"
        assert event.actor_id is None
        assert event.unit_hsa_id == world.unit_hsa_id


@pytest.mark.parametrize("how", ["revoke_by_prefix", "revoke_by_id", "expire"])
def test_revoked_and_expired_tokens_get_a_401_problem(app, world, how):
    token = make_token(app, world.unit_hsa_id)
    with app.app_context():
        row = db.session.scalar(select(ApiToken))
        ident, prefix = str(row.id), row.prefix
        if how == "expire":
            row.expires_at = utcnow() - timedelta(seconds=1)
            db.session.commit()
    if how != "expire":
        result = cli(app, "revoke", prefix if how == "revoke_by_prefix" else ident)
        assert result.exit_code == 0 and "revoked" in result.stdout
    assert_refused(app.test_client().get("/api/v1/cases", headers=bearer(token)))


@pytest.mark.parametrize("value", ["garbage", "mdk_00000000_" + "x" * 43, "", "mdk_\x00",
                                   "mdk_" + "a" * 5000])
def test_an_unknown_token_gets_a_401_problem(app, world, value):
    assert_refused(app.test_client().get("/api/v1/cases", headers=bearer(value)))


def test_a_token_on_a_page_is_refused(app, world):
    token = make_token(app, world.unit_hsa_id)
    response = app.test_client().get("/cases/", headers=bearer(token))
    assert_refused(response)


def test_no_token_in_any_log_line(app, world, caplog, monkeypatch):
    token = make_token(app, world.unit_hsa_id)
    client = app.test_client()
    with caplog.at_level(logging.DEBUG):
        client.get("/api/v1/cases", headers=bearer(token))
        with monkeypatch.context() as patch:  # an unexpected error logs the request
            patch.setattr("mdk.cases.service.read_case", _fail)
            failed = client.get(f"/api/v1/cases/{world.own_case}", headers=bearer(token))
            assert failed.status_code == 500
        client.get("/api/v1/cases", headers=bearer(token + "x"))
        client.post("/api/v1/cases", json={"care_area": 5}, headers=bearer(token))
        client.get("/cases/", headers=bearer(token))
    secret = token.split("_", 2)[2]
    assert any(record.exc_info for record in caplog.records)
    logged = "\n".join(logging.Formatter().format(record) for record in caplog.records)
    assert secret not in logged


def _fail(*args, **kwargs):
    raise RuntimeError("an unexpected error")


def test_the_openapi_document_declares_the_bearer_scheme(app):
    document = app.test_client().get("/api/openapi.json").json
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert {"bearerAuth": []} in document["security"]


@pytest.mark.parametrize("args, message", [
    (["create", "--unit", "SE0000000000-NONE"], "no active unit"),
    (["create", "--unit", "{unit}", "--expires", "0"], "--expires"),
    (["create", "--unit", "{unit}", "--expires", "many"], "--expires"),
    (["create", "--unit", "{unit}", "--area", "nowhere"], "--area"),
    (["revoke", "nothing"], "no API token"),
])
def test_the_cli_refuses_bad_input_clearly(app, world, args, message):
    result = cli(app, *[arg.format(unit=world.unit_hsa_id) for arg in args])
    assert result.exit_code == 2
    assert message in result.stderr
