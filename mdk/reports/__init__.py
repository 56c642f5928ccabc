"""The report to the referring unit (issue 14, point 4): made from the signed protocol and the
established care plan, delivered as a link, opened and acknowledged by the referrer, with a
reminder and an escalation when it is not (mdk.reports.service)."""

from flask import Flask


def register(app: Flask) -> None:
    from mdk.cases.views import CasePageSection, add_case_page_section
    from mdk.extensions import api, csrf
    from mdk.reports import api as reports_api
    from mdk.reports import views
    from mdk.reports.cli import reports_cli

    app.register_blueprint(views.blp)
    csrf.exempt(reports_api.blp)  # API clients send JSON with a token, not forms
    api.register_blueprint(reports_api.blp)
    app.cli.add_command(reports_cli)
    add_case_page_section(CasePageSection("report", "reports/_case_section.html",
                                          views.case_section))
