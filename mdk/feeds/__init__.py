"""Calendar feeds: personal and per-area ICS subscriptions behind a revocable token."""

from flask import Flask


def register(app: Flask) -> None:
    from mdk.feeds import logs
    from mdk.feeds.views import blp

    logs.install(app.logger)
    app.register_blueprint(blp)
