"""The work queues: the coordinator's inbox and the referrer's own cases (mina ärenden)."""

from flask import Flask


def register(app: Flask) -> None:
    """Blueprints, CLI and hooks of the feature (added as they are built)."""
    from mdk.queues import views

    app.register_blueprint(views.blp)
