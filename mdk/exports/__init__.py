"""Exports (issue 15, point 4): the quality-register export (identified, for the area's
registrars, audited with its purpose) and the research extract (pseudonymised per study,
with its ethics approval), both of a care area's cases discussed in a period
(mdk.exports.service)."""

from flask import Flask


def register(app: Flask) -> None:
    from mdk.exports import cli, views

    app.register_blueprint(views.blp)
    app.cli.add_command(cli.exports_cli)
