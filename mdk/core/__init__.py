"""Cross-cutting pages: start page, health check, language choice, error pages, CLI."""

from flask import Flask


def register(app: Flask) -> None:
    from mdk.core import errors, security, views
    from mdk.core.cli import register_cli

    app.register_blueprint(views.blp)
    errors.register(app)
    security.register(app)
    register_cli(app)
    app.context_processor(views.navigation)
