"""429 per token: after MDK_API_RATE_LIMIT calls a token gets 429 with Retry-After and a
problem body until its window ends; other tokens and login sessions are not counted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
import time_machine
from flask import Flask

from mdk.api_tokens import rate_limit
from mdk.config import ConfigError, load_settings, with_overrides
from mdk.db import utcnow
from tests.api_tokens.test_tokens import bearer, make_token
from tests.cases.factories import make_world

LIMIT = 3


@dataclass
class Units:
    unit_hsa_id: str  # two referring units, each with a referrer
    other_hsa_id: str


@pytest.fixture()
def world(app) -> Units:
    with app.app_context():
        built = make_world()
        return Units(built.referring.hsa_id, built.other_referring.hsa_id)


@pytest.fixture()
def small_limit(app, monkeypatch):
    """The session app with a limit of 3 calls a minute (read per request)."""
    settings = with_overrides(app.config["MDK"], api_rate_limit=f"{LIMIT} per minute")
    monkeypatch.setitem(app.config, "MDK", settings)


def _use_up(client, headers) -> None:
    for _ in range(LIMIT):
        assert client.get("/api/v1/cases", headers=headers).status_code == 200


def assert_too_many(response) -> int:
    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 429 and response.json["title"] == "Too Many Requests"
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= 60
    return retry_after


def test_the_call_after_the_limit_gets_429_with_retry_after(app, world, small_limit):
    client = app.test_client()
    headers = bearer(make_token(app, world.unit_hsa_id))
    _use_up(client, headers)
    assert_too_many(client.get("/api/v1/cases", headers=headers))
    # Every kind of call counts, and the refusal comes before the view: nothing is made.
    refused = client.post("/api/v1/cases", json={}, headers=headers)
    assert_too_many(refused)


def test_another_token_is_not_affected(app, world, small_limit):
    client = app.test_client()
    spent = bearer(make_token(app, world.unit_hsa_id, "--name", "Journal"))
    fresh = bearer(make_token(app, world.other_hsa_id, "--name", "Plattform"))
    _use_up(client, spent)
    assert_too_many(client.get("/api/v1/cases", headers=spent))
    assert client.get("/api/v1/cases", headers=fresh).status_code == 200


def test_a_login_session_is_not_limited(app, world, small_limit, client):
    for _ in range(LIMIT * 3):
        response = client.get("/api/v1/care-areas")
        assert response.status_code == 200
        assert "Retry-After" not in response.headers


def test_the_token_works_again_when_the_window_has_passed(app, world, small_limit):
    client = app.test_client()
    headers = bearer(make_token(app, world.unit_hsa_id))
    with time_machine.travel(utcnow(), tick=False) as traveller:
        _use_up(client, headers)
        retry_after = assert_too_many(client.get("/api/v1/cases", headers=headers))
        traveller.shift(timedelta(seconds=retry_after - 1))
        assert_too_many(client.get("/api/v1/cases", headers=headers))
        traveller.shift(timedelta(seconds=1))
        assert client.get("/api/v1/cases", headers=headers).status_code == 200


def test_the_default_limit_does_not_refuse_ordinary_use(app, world):
    assert app.config["MDK"].api_rate_limit == "120 per minute"
    client = app.test_client()
    headers = bearer(make_token(app, world.unit_hsa_id))
    for _ in range(20):
        assert client.get("/api/v1/cases", headers=headers).status_code == 200


def test_the_openapi_document_lists_the_429_for_every_operation(app):
    document = app.test_client().get("/api/openapi.json").json
    response = document["components"]["responses"]["API_TOKEN_RATE_LIMIT"]
    assert "Retry-After" in response["headers"]
    assert "application/problem+json" in response["content"]
    operations = [operation for path in document["paths"].values()
                  for method, operation in path.items() if method != "parameters"]
    assert operations
    assert all(operation["responses"]["429"] == {
        "$ref": "#/components/responses/API_TOKEN_RATE_LIMIT"} for operation in operations)


@pytest.mark.parametrize("value", ["lots", "", "0 per minute", "120 per fortnight"])
def test_a_limit_that_cannot_be_read_is_refused_naming_the_setting(value):
    with pytest.raises(ConfigError, match="MDK_API_RATE_LIMIT"):
        load_settings({"api_rate_limit": value}, environ={})


def test_several_limits_can_be_combined():
    settings = load_settings(environ={"MDK_API_RATE_LIMIT": "10 per second; 600 per hour"})
    assert settings.api_rate_limit == "10 per second; 600 per hour"


def test_an_unknown_storage_is_refused_naming_the_setting(app):
    bare = Flask(__name__)
    bare.config["MDK"] = with_overrides(app.config["MDK"], api_rate_limit_storage="nosuch://x")
    with pytest.raises(ConfigError, match="MDK_API_RATE_LIMIT_STORAGE"):
        rate_limit.init_app(bare)
