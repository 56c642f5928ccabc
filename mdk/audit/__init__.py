"""The audit log: events, the coordinators' review, retention and database roles."""

from flask import Flask


def register(app: Flask) -> None:
    from flask_migrate.cli import db as db_cli

    from mdk.audit import views
    from mdk.audit.cli import audit_cli, roles_command

    app.register_blueprint(views.blp)
    app.cli.add_command(audit_cli)
    db_cli.add_command(roles_command)  # `mdk db roles`, beside Flask-Migrate's commands
