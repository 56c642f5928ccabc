"""Login and sessions. Identity stays behind a login-provider seam (providers.py), so SITHS
or OIDC login can be added without touching any feature."""

from flask import Flask


def register(app: Flask) -> None:
    from mdk.auth import views
    from mdk.auth.cli import register_cli
    from mdk.auth.session import init_login

    init_login(app)
    app.register_blueprint(views.blp)
    register_cli(app)
