"""`mdk demo load`: fictitious but complete demo data (idempotent)."""

from flask import Flask


def register(app: Flask) -> None:
    from mdk.demo.cli import demo_cli

    app.cli.add_command(demo_cli)
