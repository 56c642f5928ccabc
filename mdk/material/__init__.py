"""Diagnostic material per case: items, availability per unit, uploads, readiness and
the readiness gate at each meeting's cut-off."""

from flask import Flask


def register(app: Flask) -> None:
    """Blueprints, CLI and hooks of the feature (added as they are built)."""
    from mdk.material import gate

    gate.register(app)
