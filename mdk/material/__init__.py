"""Diagnostic material per case: items, availability per unit, uploads, readiness and
the readiness gate at each meeting's cut-off."""

from flask import Flask


def register(app: Flask) -> None:
    """Blueprints, CLI and hooks of the feature (added as they are built)."""
    from mdk.extensions import api, csrf
    from mdk.material import api as material_api
    from mdk.material import gate, views

    app.register_blueprint(views.blp)
    views.register_section()
    csrf.exempt(material_api.blp)  # API clients send JSON and multipart, not forms
    api.register_blueprint(material_api.blp)
    gate.register(app)
