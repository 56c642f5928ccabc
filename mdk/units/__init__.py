"""Care providers and units; whether a unit is an NHV unit comes from the area files."""

from flask import Flask


def register(app: Flask) -> None:
    from mdk.extensions import api
    from mdk.units import api as units_api
    from mdk.units import views

    app.register_blueprint(views.blp)
    api.register_blueprint(units_api.providers_blp)
    api.register_blueprint(units_api.units_blp)
