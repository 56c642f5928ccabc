"""429 for a token that calls too often: MDK_API_RATE_LIMIT per token (flask-limiter).

Only token calls count, keyed by the token; login sessions are people at a browser and are
not limited here. The counts live in MDK_API_RATE_LIMIT_STORAGE, by default each worker's
memory (so with several workers the limit holds per worker).
"""

from __future__ import annotations

import math
import time

from flask import Flask, current_app, jsonify
from flask_limiter import Limiter, RateLimitExceeded, RequestLimit
from limits.errors import ConfigurationError

from mdk.api_tokens.auth import current_token
from mdk.config import ConfigError
from mdk.schemas import PROBLEM_CONTENT_TYPE

MEMORY_STORAGE = "memory://"

# The OpenAPI response every operation may give a token caller (mdk.api_tokens.register).
TOO_MANY_REQUESTS_RESPONSE = {
    "description": "Too many calls with this API token (MDK_API_RATE_LIMIT); try again "
                   "after Retry-After seconds. Login sessions are not limited.",
    "headers": {"Retry-After": {"description": "Seconds until the token may call again",
                                "schema": {"type": "integer", "minimum": 1}}},
}


def token_key() -> str:
    token = current_token()
    # The prefix as well as the id: unique even where a test database reuses a rolled-back id.
    return f"api-token-{token.id}-{token.prefix}" if token is not None else ""


def not_a_token_call() -> bool:
    return current_token() is None


def configured_limit() -> str:
    # Read per request, so the setting of the app serving the request applies.
    return current_app.config["MDK"].api_rate_limit


def too_many_requests(limit: RequestLimit):
    """The 429 problem, with Retry-After in whole seconds until the window ends."""
    reset_at, _remaining = limit.window
    retry_after = max(1, math.ceil(reset_at - time.time()))
    response = jsonify({"type": "about:blank", "title": "Too Many Requests", "status": 429,
                        "detail": f"Too many calls with this API token (at most {limit.limit}); "
                                  f"try again in {retry_after} s."})
    response.status_code = 429
    response.mimetype = PROBLEM_CONTENT_TYPE
    response.headers["Retry-After"] = str(retry_after)
    return response


def init_app(app: Flask) -> None:
    """After the Bearer check (its before-request hook must run first: it finds the token)."""
    storage = app.config["MDK"].api_rate_limit_storage or MEMORY_STORAGE
    limiter = Limiter(token_key, application_limits=[configured_limit],
                      application_limits_exempt_when=not_a_token_call,
                      storage_uri=storage, strategy="fixed-window", on_breach=too_many_requests,
                      # A store that is down lets calls through (and logs it), not a 500 each.
                      swallow_errors=True, headers_enabled=False)
    try:
        limiter.init_app(app)
    except ConfigurationError as error:
        raise ConfigError(f"MDK_API_RATE_LIMIT_STORAGE {storage!r}: {error}") from error

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(error: RateLimitExceeded):
        # on_breach built the problem; this handler keeps the generic HTTP one from
        # replacing it (and its Retry-After).
        return error.response or too_many_requests_fallback()


def too_many_requests_fallback():
    response = jsonify({"type": "about:blank", "title": "Too Many Requests", "status": 429})
    response.status_code = 429
    response.mimetype = PROBLEM_CONTENT_TYPE
    response.headers["Retry-After"] = "60"
    return response
