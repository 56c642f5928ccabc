"""OpenID Connect login (SITHS through a care provider's IdP), with Authlib.

Authlib runs the protocol: the authorization code flow with PKCE (S256), state and nonce kept
in the signed session cookie, the ID token's signature checked against the IdP's keys and its
claims (iss, aud, exp, iat, nonce) within the allowed clock skew. This module maps the claims
to a Person: matched by HSA-id, and refused when the commission's care unit (or provider) is
not the person's, or its purpose is not one the service accepts. Roles stay granted here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import current_app
from joserfc.errors import JoseError
from sqlalchemy import select

from mdk.auth.service import LoginOutcome
from mdk.extensions import db
from mdk.people.models import Person
from mdk.units.models import Unit

# Anything the protocol can refuse with: a bad state, an error from the IdP, a token whose
# signature or claims do not hold, or an IdP that cannot be reached.
PROTOCOL_ERRORS = (AuthlibBaseError, JoseError, requests.RequestException, ValueError)
HTTP_TIMEOUT_SECONDS = 10


def client():
    """The app's Authlib client for the IdP, made anew when the OIDC settings change."""
    settings = current_app.config["MDK"]
    key = (settings.oidc_issuer, settings.oidc_client_id, settings.oidc_client_secret,
           settings.oidc_scopes)
    cached = current_app.extensions.get("mdk_oidc")
    if cached is not None and cached[0] == key:
        return cached[1]
    registry = OAuth(current_app._get_current_object())
    registered = registry.register(
        "idp", client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret or None,
        server_metadata_url=settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": settings.oidc_scopes, "code_challenge_method": "S256",
                       "timeout": HTTP_TIMEOUT_SECONDS})
    current_app.extensions["mdk_oidc"] = (key, registered)
    return registered


def verified_claims(token: dict[str, Any], nonce: str) -> dict[str, Any]:
    """The ID token's claims once its signature, issuer, audience, expiry and nonce hold
    (Authlib's own checks; the callback runs the same through authorize_access_token)."""
    skew = current_app.config["MDK"].oidc_clock_skew_seconds
    claims = client().parse_id_token(token, nonce=nonce, leeway=skew)
    if claims is None:
        raise ValueError("no ID token in the token response")
    return dict(claims)


def finish_login() -> tuple[dict[str, Any], dict[str, Any]]:
    """At the callback: state checked, code exchanged (with the PKCE verifier), ID token
    verified. Returns the token response and the claims (ID token, then userinfo)."""
    skew = current_app.config["MDK"].oidc_clock_skew_seconds
    idp = client()
    token = idp.authorize_access_token(leeway=skew)
    if "userinfo" not in token:
        raise ValueError("no verified ID token in the token response")
    claims = dict(token["userinfo"])
    return token, {**_userinfo(idp, token, claims["sub"]), **claims}


def _userinfo(idp, token: dict[str, Any], subject: str) -> dict[str, Any]:
    """The userinfo endpoint's claims: IdPs keep the HSA attributes there, not in the ID
    token, when they follow the spec's default. Its `sub` must be the ID token's."""
    if not idp.load_server_metadata().get("userinfo_endpoint") or "access_token" not in token:
        return {}
    found = dict(idp.userinfo(token=token))
    if found.get("sub") != subject:
        raise ValueError("userinfo is about another subject")
    return found


@dataclass(frozen=True)
class Commission:
    """What the IdP says about who logs in and in which commission (vårdmedarbetaruppdrag)."""

    person_hsa_id: str
    unit_hsa_id: str
    provider_hsa_id: str
    purpose: str

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> Commission:
        settings = current_app.config["MDK"]

        def text(name: str) -> str:
            value = claims.get(name) if name else None
            if isinstance(value, list):  # some IdPs send one-element arrays
                value = value[0] if len(value) == 1 else None
            return value.strip() if isinstance(value, str) else ""

        return cls(person_hsa_id=text(settings.oidc_claim_person_hsa_id),
                   unit_hsa_id=text(settings.oidc_claim_unit_hsa_id),
                   provider_hsa_id=text(settings.oidc_claim_provider_hsa_id),
                   purpose=text(settings.oidc_claim_purpose))

    def audit_details(self) -> dict[str, str]:
        """HSA-ids and purpose: directory data, never a secret or patient data."""
        return {"person_hsa_id": self.person_hsa_id, "unit_hsa_id": self.unit_hsa_id,
                "provider_hsa_id": self.provider_hsa_id, "purpose": self.purpose}


def match_person(commission: Commission, claims: dict[str, Any] | None = None) -> LoginOutcome:
    """The person the commission belongs to, or why the login is refused. An unknown HSA-id
    is refused, or, where MDK_OIDC_REGISTER_UNKNOWN allows it, registered without roles."""
    if not commission.person_hsa_id or not commission.unit_hsa_id:
        return LoginOutcome(None, "missing_claims")
    person = db.session.scalar(select(Person).where(Person.hsa_id == commission.person_hsa_id))
    if person is None:
        if current_app.config["MDK"].oidc_register_unknown:
            return _register(commission, claims or {})
        return LoginOutcome(None, "unknown_person")
    if not _same_unit(person.unit, commission):
        return LoginOutcome(person, "unit_mismatch")
    if not _purpose_accepted(commission):
        return LoginOutcome(person, "purpose")
    if not person.active:
        return LoginOutcome(person, "inactive")
    if not person.role_grants:
        return LoginOutcome(person, "no_roles")  # registered at login, not granted yet
    return LoginOutcome(person)


def _purpose_accepted(commission: Commission) -> bool:
    accepted = current_app.config["MDK"].oidc_purpose_list
    return not accepted or commission.purpose in accepted


def _register(commission: Commission, claims: dict[str, Any]) -> LoginOutcome:
    """A new person at the commission's unit, with the IdP's name and e-mail and no role:
    an admin of the care area grants roles (the people list shows who waits for them). An
    e-mail already in the register is never taken over."""
    from mdk.people import service as people

    unit = db.session.scalar(select(Unit).where(Unit.hsa_id == commission.unit_hsa_id))
    email = claims.get("email")
    if unit is None or not unit.active or not isinstance(email, str) or not email.strip():
        return LoginOutcome(None, "unknown_person")
    if not _same_unit(unit, commission):
        return LoginOutcome(None, "unit_mismatch")
    if not _purpose_accepted(commission):
        return LoginOutcome(None, "purpose")
    name = claims.get("name") or " ".join(
        part for part in (claims.get("given_name"), claims.get("family_name"))
        if isinstance(part, str))
    try:
        person = people.create_person({"name": name or commission.person_hsa_id,
                                       "email": email, "unit_id": unit.id,
                                       "hsa_id": commission.person_hsa_id})
    except ValueError:  # an e-mail or HSA-id the register refuses (taken, malformed)
        db.session.rollback()
        return LoginOutcome(None, "unknown_person")
    return LoginOutcome(person, "registered")


def _same_unit(unit: Unit, commission: Commission) -> bool:
    if unit.hsa_id.casefold() != commission.unit_hsa_id.casefold():
        return False
    provider_hsa_id = unit.provider.hsa_id
    # The provider is checked where both sides know it (a register entry may lack it).
    return not (provider_hsa_id and commission.provider_hsa_id
                and provider_hsa_id.casefold() != commission.provider_hsa_id.casefold())


def logout_url(id_token: str | None, post_logout_redirect_uri: str) -> str | None:
    """The IdP's end-session URL (RP-initiated logout), or None when it has none."""
    try:
        return client().create_logout_url(post_logout_redirect_uri=post_logout_redirect_uri,
                                          id_token_hint=id_token)["url"]
    except (RuntimeError, *PROTOCOL_ERRORS):
        current_app.logger.warning("OIDC logout: the IdP's end-session endpoint is unknown")
        return None


def unit_id_for(hsa_id: str) -> int | None:
    """The register's unit of an HSA-id, for the log (an HSA-id itself stays out of it)."""
    if not hsa_id:
        return None
    return db.session.scalar(select(Unit.id).where(Unit.hsa_id == hsa_id))
