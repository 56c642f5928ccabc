"""Patients: one identity (personnummer, samordningsnummer or reservnummer), many cases."""

from flask import Flask


def register(app: Flask) -> None:
    from mdk.patients import service, views
    from mdk.patients.cli import patients_cli

    service.init_app(app)
    app.register_blueprint(views.blp)
    app.cli.add_command(patients_cli)
