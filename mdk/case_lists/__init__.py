"""The case list of a meeting for its participants (issue #13: "the case list goes out the
day before"): a page with the cases in agenda order, and the job that mails each invited
participant a link to it the day before the meeting (mdk.case_lists.service)."""

from flask import Flask


def register(app: Flask) -> None:
    from mdk.case_lists import views

    app.register_blueprint(views.blp)
