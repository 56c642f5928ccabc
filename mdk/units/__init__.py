"""Care providers and units; whether a unit is an NHV unit comes from the area files."""

from flask import Flask


def register(app: Flask) -> None:
    from mdk.extensions import api, csrf
    from mdk.units import api as units_api
    from mdk.units import views
    from mdk.units.cli import units_cli

    app.register_blueprint(views.blp)
    for blueprint in (units_api.providers_blp, units_api.units_blp):
        csrf.exempt(blueprint)  # API clients send JSON, not forms; token auth comes with login
        api.register_blueprint(blueprint)
    app.cli.add_command(units_cli)
