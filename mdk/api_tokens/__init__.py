"""API tokens: a referring unit's own systems call /api/ with `Authorization: Bearer`."""

from flask import Flask

BEARER_SCHEME = {"type": "http", "scheme": "bearer",
                 "description": "An API token of a referring unit (`mdk api-tokens create`): "
                                "acts as the unit's referrer in the token's care areas."}
# The pages' login session (Flask's session cookie) works on the API too.
SESSION_SCHEME = {"type": "apiKey", "in": "cookie", "name": "session",
                  "description": "The login session of a person logged in on the pages."}


def register(app: Flask) -> None:
    from mdk.api_tokens.auth import init_app
    from mdk.api_tokens.cli import api_tokens_cli
    from mdk.extensions import api

    init_app(app)
    app.cli.add_command(api_tokens_cli)
    api.spec.components.security_scheme("bearerAuth", BEARER_SCHEME)
    api.spec.components.security_scheme("loginSession", SESSION_SCHEME)
    # Either one, on every operation (the document itself is public and says so).
    api.spec.options["security"] = [{"bearerAuth": []}, {"loginSession": []}]
