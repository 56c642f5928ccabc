"""Cases (ärenden): referral, triage onto a meeting, and the case's way through the MDK."""

from flask import Flask


def register(app: Flask) -> None:
    from mdk.cases import api as cases_api
    from mdk.cases import views
    from mdk.extensions import api, csrf

    app.register_blueprint(views.blp)
    csrf.exempt(cases_api.blp)  # API clients send JSON, not forms
    api.register_blueprint(cases_api.blp)
