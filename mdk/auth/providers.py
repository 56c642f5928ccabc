"""The login-provider seam. A provider turns what the user presents into a Person; the rest
(sessions, policy, audit) does not care how. Password login is the provider here; SITHS
(e-tjänstekort) through an OpenID Connect IdP is a redirect to the IdP and back rather than
credentials posted, so it lives in mdk.auth.oidc (and views.oidc_start/oidc_callback) and
ends in the same session start, with provider "oidc"."""

from __future__ import annotations

from typing import Protocol

from mdk.auth import service
from mdk.auth.service import LoginOutcome


class LoginProvider(Protocol):
    key: str

    def authenticate(self, credentials: dict[str, str]) -> LoginOutcome: ...


class PasswordProvider:
    key = "password"

    def authenticate(self, credentials: dict[str, str]) -> LoginOutcome:
        return service.check_password(credentials.get("email", ""),
                                      credentials.get("password", ""))


PROVIDERS: dict[str, LoginProvider] = {PasswordProvider.key: PasswordProvider()}
