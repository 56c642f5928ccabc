"""The outbox: mail queued in the caller's transaction and delivered by workers."""

from flask import Flask


def register(app: Flask) -> None:
    from mdk.outbox import views
    from mdk.outbox.cli import outbox_cli

    app.register_blueprint(views.blp)
    app.cli.add_command(outbox_cli)
