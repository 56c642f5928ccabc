"""Flask-Login wired to server-side sessions: every page needs a login except a few public
ones, checked in one before-request hook."""

from __future__ import annotations

from flask import Flask, current_app, flash, g, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from mdk.auth import service
from mdk.extensions import login_manager

# Endpoints anyone may use: the login page itself, health checks, the language switch, CSS.
PUBLIC_ENDPOINTS = frozenset({
    "auth.login", "core.healthz", "core.favicon", "core.set_language", "static",
    # OIDC login: to the IdP and back (state, nonce and PKCE protect the way back).
    "auth.oidc_start", "auth.oidc_callback",
    "api-docs.openapi_json", "swagger_ui.docs", "swagger_ui.asset",
    # Calendar feeds: a calendar client has no session; the token in the path is the key
    # and the view answers 404 for anything else (mdk.feeds.views).
    "feeds.personal_feed", "feeds.area_feed",
    # An invite's answer links: a signed token in the path (mdk.invites.answers); the page
    # shows no patient data and records only on a POST.
    "invites.answer",
})


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = None  # sessions are server-side and rotated at login
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)
    app.before_request(_require_login)


def _load_user(token: str):
    check = service.resume_session(token)
    if check.person is None:
        g.session_expired = check.expired
        return None
    check.person.session_token = token
    return check.person


def is_public(endpoint: str | None) -> bool:
    return endpoint in PUBLIC_ENDPOINTS


def _require_login():
    # LOGIN_DISABLED is Flask-Login's own switch, for tests that render a page without a DB.
    if current_app.config.get("LOGIN_DISABLED"):
        return None
    if is_public(request.endpoint) or current_user.is_authenticated or g.get("api_token"):
        return None
    return _unauthorized()


def _unauthorized():
    if request.path.startswith("/api/"):
        body = {"type": "about:blank", "title": "Unauthorized", "status": 401,
                "detail": "Log in first."}
        response = jsonify(body)
        response.status_code = 401
        response.mimetype = "application/problem+json"
        return response
    if getattr(g, "session_expired", None):
        flash(_("Your session has ended. Please log in again."), "info")
    target = request.full_path if request.query_string else request.path
    return redirect(url_for("auth.login", next=target))
