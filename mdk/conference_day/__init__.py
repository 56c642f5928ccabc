"""The conference day: the meeting's shared screen one case at a time, attendance and
quorum, listed-not-discussed, and the meeting closing when its cases are done with."""

from flask import Flask


def register(app: Flask) -> None:
    from mdk.conference_day import hooks, views

    app.register_blueprint(views.blp)
    hooks.install()
