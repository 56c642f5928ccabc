"""Hosting rotation: which NHV unit hosts which meeting."""

from flask import Flask


def register(app: Flask) -> None:
    from mdk.rotation.cli import rotation_cli

    app.cli.add_command(rotation_cli)
