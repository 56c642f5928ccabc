"""Conferences: the meetings of a care area's series, their calendar pages and CLI."""

from flask import Flask


def register(app: Flask) -> None:
    from mdk.conferences import views
    from mdk.conferences.cli import calendar_cli

    app.register_blueprint(views.blp)
    app.cli.add_command(calendar_cli)
