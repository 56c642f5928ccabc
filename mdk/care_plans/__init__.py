"""The individual care plan of a case, set up with the MDK's recommendation: drafted by the
area's coordinators and the meeting's chair, established once the protocol is signed,
revised as new versions (mdk.care_plans.service)."""

from flask import Flask


def register(app: Flask) -> None:
    from mdk.care_plans import views

    app.register_blueprint(views.blp)
