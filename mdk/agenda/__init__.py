"""The agenda of a meeting: its cases in order with their slot times, moved, removed,
locked at the cut-off and unlocked by a coordinator (mdk.agenda.service)."""

from flask import Flask


def register(app: Flask) -> None:
    from mdk.agenda import views

    app.register_blueprint(views.blp)
