"""`Authorization: Bearer` on /api/: the token, if usable, is this request's caller.

Runs before the login check. A bearer value anywhere else is refused (pages use the login
session; a token in a browser would make every page an API of its own). The token is never
logged: nothing here writes the header, and a refusal names no part of it.
"""

from __future__ import annotations

from flask import Flask, g, jsonify, request

from mdk.api_tokens import service
from mdk.api_tokens.models import ApiToken
from mdk.schemas import PROBLEM_CONTENT_TYPE


def bearer_value() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip()


def current_token() -> ApiToken | None:
    return g.get("api_token")


def authenticate():
    value = bearer_value()
    if value is None:
        return None
    if not request.path.startswith("/api/"):
        return refusal("API tokens are accepted on /api/ only.")
    token = service.token_for(value)
    if token is None:
        return refusal("The token is unknown, expired or revoked.", invalid=True)
    g.api_token = token
    return None


def refusal(detail: str, invalid: bool = False):
    body = {"type": "about:blank", "title": "Unauthorized", "status": 401, "detail": detail}
    response = jsonify(body)
    response.status_code = 401
    response.mimetype = PROBLEM_CONTENT_TYPE
    response.headers["WWW-Authenticate"] = (
        'Bearer error="invalid_token"' if invalid else "Bearer")
    return response


def init_app(app: Flask) -> None:
    app.before_request(authenticate)
