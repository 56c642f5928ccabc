"""People: competences, absences, role grants, the competence register, `mdk users`."""

from flask import Flask


def register(app: Flask) -> None:
    from mdk.extensions import api, csrf
    from mdk.people import api as people_api
    from mdk.people import views
    from mdk.people.cli import users_cli

    app.register_blueprint(views.blp)
    csrf.exempt(people_api.blp)  # API clients send JSON, not forms; token auth comes with login
    api.register_blueprint(people_api.blp)
    app.cli.add_command(users_cli)
