"""Conferences: the meetings of a care area's series."""

from flask import Flask


def register(app: Flask) -> None:
    from mdk.conferences.cli import calendar_cli

    app.cli.add_command(calendar_cli)
