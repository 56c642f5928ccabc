"""Secondary review at the host unit: tasks, assignment, statements, the worklist."""

from flask import Flask


def register(app: Flask) -> None:
    """Blueprints, CLI and hooks of the feature (added as they are built)."""
