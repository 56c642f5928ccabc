"""Register every feature's CLI group on the app (FlaskGroup picks them up)."""

from __future__ import annotations

from flask import Flask


def register_cli(app: Flask) -> None:
    """Feature CLIs are added here as the features are built."""
