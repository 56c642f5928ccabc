"""OIDC login against a real OpenID provider (oidc-provider from npm, on a free local port):
the code flow with PKCE, the ID token's checks, the claims -> person mapping and its
refusals, and RP-initiated logout."""

from __future__ import annotations

import base64
import json
import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import select

from mdk.audit.models import AuditEvent
from mdk.auth import oidc
from mdk.auth.models import LoginSession
from mdk.config import load_settings, with_overrides
from mdk.extensions import db
from mdk.people.models import Person
from tests.auth.oidc import (
    CLIENT_ID,
    CLIENT_SECRET,
    OTHER_CLIENT_ID,
    SCOPES,
    UserAgent,
    hsa_claims,
    running_provider,
)
from tests.support import ADMIN_EMAIL, ADMIN_UNIT_HSA_ID, log_in

SERVICE = "http://localhost"  # the test app's MDK_BASE_URL
CALLBACK = f"{SERVICE}/login/oidc/callback"
PERSON_HSA_ID = "SE9898989893-P0001"
NEWCOMER_HSA_ID = "SE9898989893-P0002"
ACCOUNTS = {
    "admin": hsa_claims(PERSON_HSA_ID, ADMIN_UNIT_HSA_ID),
    "stranger": hsa_claims("SE9898989893-P9999", ADMIN_UNIT_HSA_ID),
    "other-unit": hsa_claims(PERSON_HSA_ID, "SE9898989893-ELSEWHERE"),
    "administration": hsa_claims(PERSON_HSA_ID, ADMIN_UNIT_HSA_ID, purpose="Administration"),
    "no-unit": {"name": "Utan Enhet", "employeeHsaId": PERSON_HSA_ID},
    "newcomer": {**hsa_claims(NEWCOMER_HSA_ID, ADMIN_UNIT_HSA_ID, name="Ny Läkare"),
                 "email": "ny.lakare@test.example"},
    "newcomer-taken-email": {**hsa_claims(NEWCOMER_HSA_ID, ADMIN_UNIT_HSA_ID),
                             "email": ADMIN_EMAIL},
}


@pytest.fixture(scope="module")
def provider():
    with running_provider(SERVICE, ACCOUNTS) as running:
        yield running


@pytest.fixture()
def oidc_app(app, provider, admin_user):
    """The session app logging in through the provider; the admin carries PERSON_HSA_ID."""
    original = app.config["MDK"]
    app.config["MDK"] = with_overrides(original, **provider.settings())
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        db.session.merge(admin_user).hsa_id = PERSON_HSA_ID
        db.session.commit()
    try:
        yield app
    finally:
        app.config["MDK"] = original
        app.config["WTF_CSRF_ENABLED"] = True


def _log_in(browser, login: str, agent: UserAgent | None = None, next_page: str = "/units"):
    """Through the service and the provider's login page; returns the callback's response."""
    start = browser.get(f"/login/oidc?next={next_page}")
    assert start.status_code == 302
    back = (agent or UserAgent(SERVICE)).sign_in(start.headers["Location"], login)
    assert back.startswith(CALLBACK)
    return browser.get(back.removeprefix(SERVICE))


def _events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                       .order_by(AuditEvent.id)))


def test_a_person_logs_in_through_the_provider_and_lands_where_they_were_going(oidc_app):
    browser = oidc_app.test_client()
    start = browser.get("/login/oidc?next=/units")
    authorize = start.headers["Location"]
    assert authorize.startswith(oidc_app.config["MDK"].oidc_issuer)
    assert "code_challenge_method=S256" in authorize and "nonce=" in authorize
    back = UserAgent(SERVICE).sign_in(authorize, "admin")
    response = browser.get(back.removeprefix(SERVICE))
    assert response.status_code == 302
    assert response.headers["Location"] == "/units"
    assert browser.get("/units").status_code == 200
    with oidc_app.app_context():
        login = db.session.scalars(select(LoginSession).order_by(LoginSession.id.desc())).first()
        assert login.provider == "oidc" and login.ended_at is None
    success = _events(oidc_app, "login.success")[-1]
    assert success.details == {"provider": "oidc"}
    assert success.actor_name == "Test Administratör"


def test_the_login_page_offers_siths_and_passwords_by_mode(app, oidc_app):
    page = oidc_app.test_client().get("/login").get_data(as_text=True)
    assert "Logga in med SITHS" in page and 'name="password"' in page
    settings = oidc_app.config["MDK"]
    oidc_app.config["MDK"] = with_overrides(settings, login="oidc")
    browser = oidc_app.test_client()
    page = browser.get("/login").get_data(as_text=True)
    assert "Logga in med SITHS" in page and 'name="password"' not in page
    assert browser.post("/login", data={"email": "a@b.se", "password": "x" * 12}).status_code \
        == 404
    oidc_app.config["MDK"] = with_overrides(settings, login="password")
    page = browser.get("/login").get_data(as_text=True)
    assert "Logga in med SITHS" not in page and 'name="password"' in page
    assert browser.get("/login/oidc").location == "/login"


def test_an_unknown_hsa_id_is_refused_with_a_clear_page(oidc_app):
    browser = oidc_app.test_client()
    response = _log_in(browser, "stranger")
    assert response.status_code == 403
    assert "Du finns inte i tjänsten" in response.get_data(as_text=True)
    assert browser.get("/units").status_code == 302
    refused = _events(oidc_app, "login.failure")[-1]
    assert refused.details["reason"] == "unknown_person"
    assert "SE9898989893" not in json.dumps(refused.details)  # no HSA-id in the log details


def test_a_commission_at_another_unit_is_refused_and_logged(oidc_app):
    with oidc_app.app_context():
        person_id = db.session.scalar(select(Person.id).where(Person.hsa_id == PERSON_HSA_ID))
    browser = oidc_app.test_client()
    response = _log_in(browser, "other-unit")
    assert response.status_code == 403
    assert "en annan vårdenhet" in response.get_data(as_text=True)
    assert browser.get("/units").status_code == 302
    refused = _events(oidc_app, "login.failure")[-1]
    assert refused.details == {"provider": "oidc", "reason": "unit_mismatch",
                               "person_id": person_id, "claimed_unit_id": None}


def test_after_a_refused_commission_the_provider_asks_again(oidc_app):
    browser, agent = oidc_app.test_client(), UserAgent(SERVICE)
    page = _log_in(browser, "other-unit", agent).get_data(as_text=True)
    assert "/login/oidc?again=1" in page
    # Without it the provider's open session answers at once, with the same commission...
    assert agent.follow(browser.get("/login/oidc").headers["Location"]).service_url
    # ...with it, the provider shows its login page, and another commission can be chosen.
    asked = agent.follow(browser.get("/login/oidc?again=1").headers["Location"])
    assert asked.service_url is None and 'name="login"' in asked.text


def test_where_allowed_an_unknown_person_is_registered_without_roles(oidc_app, admin_user):
    oidc_app.config["MDK"] = with_overrides(oidc_app.config["MDK"], oidc_register_unknown=True)
    response = _log_in(oidc_app.test_client(), "newcomer")
    assert response.status_code == 403
    assert "Du är nu registrerad i tjänsten, utan roller" in response.get_data(as_text=True)
    with oidc_app.app_context():
        person = db.session.scalar(select(Person).where(Person.hsa_id == NEWCOMER_HSA_ID))
        assert (person.name, person.email, person.unit.hsa_id, person.role_grants) == (
            "Ny Läkare", "ny.lakare@test.example", ADMIN_UNIT_HSA_ID, [])
        person_id = person.id
    registered = _events(oidc_app, "person.registered_at_login")[-1]
    assert (registered.object_type, registered.object_id) == ("person", person_id)
    # Not let in before an admin grants a role; the people list shows who waits for one.
    again = _log_in(oidc_app.test_client(), "newcomer")
    assert again.status_code == 403
    assert "Du har ännu inga roller" in again.get_data(as_text=True)
    admin = oidc_app.test_client()
    log_in(admin, admin_user)
    waiting = admin.get("/people?without_roles=1").get_data(as_text=True)
    assert "ny.lakare@test.example" in waiting and ADMIN_EMAIL not in waiting
    assert ADMIN_EMAIL in admin.get("/people").get_data(as_text=True)


def test_registering_never_takes_over_an_e_mail_address(oidc_app):
    oidc_app.config["MDK"] = with_overrides(oidc_app.config["MDK"], oidc_register_unknown=True)
    response = _log_in(oidc_app.test_client(), "newcomer-taken-email")
    assert response.status_code == 403
    assert "Du finns inte i tjänsten" in response.get_data(as_text=True)
    with oidc_app.app_context():
        assert db.session.scalar(select(Person).where(Person.hsa_id == NEWCOMER_HSA_ID)) is None


def test_a_commission_with_another_purpose_is_refused(oidc_app):
    response = _log_in(oidc_app.test_client(), "administration")
    assert response.status_code == 403
    assert "Vård och behandling" in response.get_data(as_text=True)


def test_a_login_without_the_commissions_unit_is_refused(oidc_app):
    response = _log_in(oidc_app.test_client(), "no-unit")
    assert response.status_code == 403
    assert "skickade inte ditt HSA-id" in response.get_data(as_text=True)


def test_an_idp_that_cannot_be_reached_gets_a_clear_page(oidc_app):
    oidc_app.config["MDK"] = with_overrides(oidc_app.config["MDK"],
                                            oidc_issuer="http://127.0.0.1:9")  # nobody there
    response = oidc_app.test_client().get("/login/oidc")
    assert response.status_code == 403
    assert "går inte att nå just nu" in response.get_data(as_text=True)


def test_an_oidc_session_keeps_the_session_rules(oidc_app):
    browser = oidc_app.test_client()
    assert _log_in(browser, "admin").status_code == 302
    idle = oidc_app.config["MDK"].session_idle_minutes
    with oidc_app.app_context():
        login = db.session.scalars(select(LoginSession).order_by(LoginSession.id.desc())).first()
        login.last_seen_at -= timedelta(minutes=idle + 1)
        login_id = login.id
        db.session.commit()
    assert browser.get("/units").status_code == 302
    with oidc_app.app_context():
        assert db.session.get(LoginSession, login_id).ended_reason == "idle"


def test_no_token_code_or_secret_reaches_the_log(oidc_app, caplog):
    caplog.set_level(logging.DEBUG)
    browser = oidc_app.test_client()
    start = browser.get("/login/oidc")
    back = UserAgent(SERVICE).sign_in(start.headers["Location"], "admin")
    browser.get(back.removeprefix(SERVICE))
    with browser.session_transaction() as session:
        id_token = session["oidc_id_token"]
    browser.post("/logout")
    _log_in(oidc_app.test_client(), "stranger")
    code = parse_qs(urlsplit(back).query)["code"][0]
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "OIDC login refused (unknown_person)" in logged  # the log was captured
    for secret in (CLIENT_SECRET, code, id_token, id_token.split(".")[1]):
        assert secret not in logged


def test_a_callback_without_the_state_it_was_sent_with_is_refused(oidc_app):
    browser = oidc_app.test_client()
    back = UserAgent(SERVICE).sign_in(browser.get("/login/oidc").headers["Location"], "admin")
    response = oidc_app.test_client().get(back.removeprefix(SERVICE))  # another browser
    assert response.status_code == 403
    assert _events(oidc_app, "login.failure")[-1].details["reason"] == "token"


def test_logout_ends_the_service_session_and_the_providers(oidc_app):
    browser, agent = oidc_app.test_client(), UserAgent(SERVICE)
    assert _log_in(browser, "admin", agent).status_code == 302
    # While the provider's session is open, a second login needs no login page.
    again = agent.follow(oidc_app.test_client().get("/login/oidc").headers["Location"])
    assert again.service_url and again.service_url.startswith(CALLBACK)

    response = browser.post("/logout")
    issuer = oidc_app.config["MDK"].oidc_issuer
    # The logout form may end at the IdP: its origin is in the pages' form-action.
    assert f"form-action 'self' {issuer}" in response.headers["Content-Security-Policy"]
    end_session = response.headers["Location"]
    assert end_session.startswith(oidc_app.config["MDK"].oidc_issuer)
    assert "id_token_hint=" in end_session
    assert browser.get("/units").status_code == 302  # the service's session is over
    back = agent.confirm_logout(end_session)
    assert back and back.startswith(f"{SERVICE}/login")
    assert "Du är utloggad." in browser.get(back.removeprefix(SERVICE)).get_data(as_text=True)

    afterwards = agent.follow(oidc_app.test_client().get("/login/oidc").headers["Location"])
    assert afterwards.service_url is None  # the provider asks for a login again
    assert 'name="login"' in afterwards.text


# The ID token's checks: tokens the provider issued, validated by the service's own path
# (Authlib's parse_id_token with the configured skew), then altered.

def _tokens(provider, login: str = "admin", client_id: str = CLIENT_ID) -> tuple[dict, str]:
    """A token response from the provider for `client_id`, and the nonce asked with."""
    metadata = UserAgent(SERVICE).http.get(
        f"{provider.issuer}/.well-known/openid-configuration", timeout=10).json()
    session = OAuth2Session(client_id, CLIENT_SECRET, scope=SCOPES, redirect_uri=CALLBACK,
                            code_challenge_method="S256")
    verifier, nonce = generate_token(48), generate_token(20)
    url, _state = session.create_authorization_url(metadata["authorization_endpoint"],
                                                   nonce=nonce, code_verifier=verifier)
    back = UserAgent(SERVICE).sign_in(url, login)
    token = session.fetch_token(metadata["token_endpoint"], authorization_response=back,
                                code_verifier=verifier)
    return dict(token), nonce


def _payload(id_token: str) -> dict:
    part = id_token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


@pytest.fixture()
def token_and_nonce(oidc_app, provider):
    return _tokens(provider)


def test_a_token_the_provider_issued_is_accepted(oidc_app, token_and_nonce):
    token, nonce = token_and_nonce
    with oidc_app.app_context():
        claims = oidc.verified_claims(token, nonce)
    assert claims["sub"] == "admin" and claims["aud"] == CLIENT_ID


def test_a_tampered_id_token_is_refused(oidc_app, token_and_nonce):
    token, nonce = token_and_nonce
    header, payload, signature = token["id_token"].split(".")
    claims = {**_payload(token["id_token"]), "sub": "stranger"}
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with oidc_app.app_context(), pytest.raises(oidc.PROTOCOL_ERRORS):
        oidc.verified_claims({**token, "id_token": f"{header}.{forged}.{signature}"}, nonce)


def test_an_id_token_signed_with_another_key_is_refused(oidc_app, token_and_nonce):
    token, nonce = token_and_nonce
    original = token["id_token"]
    header = json.loads(base64.urlsafe_b64decode(original.split(".")[0] + "=="))
    foreign = jwt.encode({"alg": "RS256", "kid": header.get("kid")}, _payload(original),
                         RSAKey.generate_key(2048))
    with oidc_app.app_context(), pytest.raises(oidc.PROTOCOL_ERRORS):
        oidc.verified_claims({**token, "id_token": foreign}, nonce)


def test_a_wrong_nonce_is_refused(oidc_app, token_and_nonce):
    token, _nonce = token_and_nonce
    with oidc_app.app_context(), pytest.raises(oidc.PROTOCOL_ERRORS):
        oidc.verified_claims(token, generate_token(20))


def test_a_token_for_another_service_is_refused(oidc_app, provider):
    token, nonce = _tokens(provider, client_id=OTHER_CLIENT_ID)
    assert _payload(token["id_token"])["aud"] == OTHER_CLIENT_ID
    with oidc_app.app_context(), pytest.raises(oidc.PROTOCOL_ERRORS):
        oidc.verified_claims(token, nonce)


def test_an_expired_token_is_refused_beyond_the_clock_skew_only(oidc_app, token_and_nonce):
    token, nonce = token_and_nonce
    expires = _payload(token["id_token"])["exp"]
    skew = oidc_app.config["MDK"].oidc_clock_skew_seconds
    with oidc_app.app_context():
        with time_machine.travel(datetime.fromtimestamp(expires + skew - 5, UTC), tick=False):
            assert oidc.verified_claims(token, nonce)["sub"] == "admin"
        with time_machine.travel(datetime.fromtimestamp(expires + skew + 5, UTC), tick=False), \
                pytest.raises(oidc.PROTOCOL_ERRORS):
            oidc.verified_claims(token, nonce)


def test_oidc_needs_an_issuer_and_a_client_and_https_in_production():
    from mdk.config import ConfigError

    with pytest.raises(ConfigError, match="MDK_OIDC_ISSUER"):
        load_settings(environ={"MDK_LOGIN": "oidc"})
    with pytest.raises(ConfigError, match="MDK_OIDC_CLIENT_ID"):
        load_settings(environ={"MDK_LOGIN": "both", "MDK_OIDC_ISSUER": "https://idp.example"})
    with pytest.raises(ConfigError, match="MDK_LOGIN"):
        load_settings(environ={"MDK_LOGIN": "siths"})
    with pytest.raises(ConfigError, match="MDK_OIDC_ISSUER must use https"):
        load_settings(environ={"MDK_ENV": "production", "MDK_SECRET_KEY": "k" * 40,
                               "MDK_BASE_URL": "https://mdk.example.se", "MDK_LOGIN": "oidc",
                               "MDK_OIDC_ISSUER": "http://idp.example",
                               "MDK_OIDC_CLIENT_ID": "mdk"})
    settings = load_settings(environ={"MDK_LOGIN": "oidc", "MDK_OIDC_ISSUER": "https://idp.x",
                                      "MDK_OIDC_CLIENT_ID": "mdk",
                                      "MDK_OIDC_CLIENT_SECRET": "hemlig-klientnyckel"})
    assert "hemlig" not in repr(settings)
    assert load_settings(environ={}).login == "password"
