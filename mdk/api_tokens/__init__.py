"""API tokens: a referring unit's own systems call /api/ with `Authorization: Bearer`."""

from apispec import BasePlugin
from flask import Flask

BEARER_SCHEME = {"type": "http", "scheme": "bearer",
                 "description": "An API token of a referring unit (`mdk api-tokens create`): "
                                "acts as the unit's referrer in the token's care areas."}
# The pages' login session (Flask's session cookie) works on the API too.
SESSION_SCHEME = {"type": "apiKey", "in": "cookie", "name": "session",
                  "description": "The login session of a person logged in on the pages."}


RATE_LIMIT_RESPONSE = "API_TOKEN_RATE_LIMIT"


class RateLimitDocPlugin(BasePlugin):
    """Every operation may answer a token caller 429 (mdk.api_tokens.rate_limit)."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for operation in (operations or {}).values():
            operation.setdefault("responses", {}).setdefault(429, RATE_LIMIT_RESPONSE)


def document_rate_limit(api) -> None:
    """The 429 a token caller may get, on every operation of the OpenAPI document. Called
    right after the Api is bound (mdk.create_app), before any blueprint adds operations."""
    from flask_smorest.utils import prepare_response

    from mdk.api_tokens.rate_limit import TOO_MANY_REQUESTS_RESPONSE
    from mdk.schemas import PROBLEM_CONTENT_TYPE

    response = {**TOO_MANY_REQUESTS_RESPONSE, "schema": api.ERROR_SCHEMA}
    prepare_response(response, api.spec, PROBLEM_CONTENT_TYPE)
    api.spec.components.response(RATE_LIMIT_RESPONSE, response)
    plugin = RateLimitDocPlugin()
    plugin.init_spec(api.spec)
    api.spec.plugins.append(plugin)


def register(app: Flask) -> None:
    from mdk.api_tokens import rate_limit, views
    from mdk.api_tokens.auth import init_app
    from mdk.api_tokens.cli import api_tokens_cli
    from mdk.extensions import api

    init_app(app)
    rate_limit.init_app(app)  # after the Bearer check, which finds the token it counts
    app.register_blueprint(views.blp)
    app.cli.add_command(api_tokens_cli)
    api.spec.components.security_scheme("bearerAuth", BEARER_SCHEME)
    api.spec.components.security_scheme("loginSession", SESSION_SCHEME)
    # Either one, on every operation (the document itself is public and says so).
    api.spec.options["security"] = [{"bearerAuth": []}, {"loginSession": []}]
