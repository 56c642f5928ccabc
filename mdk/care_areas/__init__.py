"""Care areas: read from config/care_areas/*.toml (one file = one NHV care area)."""

from flask import Flask


def register(app: Flask) -> None:
    from mdk.care_areas import service
    from mdk.care_areas.cli import care_areas_cli

    service.init_app(app)
    app.cli.add_command(care_areas_cli)
