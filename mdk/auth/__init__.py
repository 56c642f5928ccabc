"""Login and sessions. Identity stays behind a login-provider seam: passwords (providers.py)
and SITHS through OpenID Connect (oidc.py) both end in one session start, so no feature
knows how a person logged in."""

from flask import Flask


def register(app: Flask) -> None:
    from mdk.auth import views
    from mdk.auth.cli import register_cli
    from mdk.auth.session import init_login

    init_login(app)
    app.register_blueprint(views.blp)
    register_cli(app)
