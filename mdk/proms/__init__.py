"""PROM follow-up (issue 15, point 2): from the established care plan's PROM time points,
each reported case's due questionnaires are listed for the treating unit's contact nurse,
who records per time point that it was done (day, score), declined or not reached. No
questionnaire is answered here (mdk.proms.service, mdk.proms.due)."""

from flask import Flask


def register(app: Flask) -> None:
    from mdk.cases.signals import case_moved
    from mdk.cases.views import CasePageSection, add_case_page_section
    from mdk.extensions import api, csrf
    from mdk.proms import api as proms_api
    from mdk.proms import replan, service, views
    from mdk.reports.signals import report_issued
    from mdk.treatment.signals import treatment_recorded

    app.register_blueprint(views.blp)
    csrf.exempt(proms_api.blp)  # API clients send JSON with a token, not forms
    api.register_blueprint(proms_api.blp)
    case_moved.connect(service.on_case_moved)  # the same receiver again is a no-op
    treatment_recorded.connect(service.on_treatment_recorded)
    report_issued.connect(replan.on_report_issued)  # a new care-plan version's schedule
    add_case_page_section(CasePageSection("proms", "proms/_case_section.html",
                                          views.case_section))
