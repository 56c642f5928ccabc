"""Care areas: read from config/care_areas/*.toml (one file = one NHV care area)."""

from flask import Flask


def register(app: Flask) -> None:
    from mdk.care_areas import api, service, views
    from mdk.care_areas.cli import care_areas_cli
    from mdk.extensions import api as rest_api

    service.init_app(app)
    app.register_blueprint(views.blp)
    rest_api.register_blueprint(api.blp)
    app.cli.add_command(care_areas_cli)
