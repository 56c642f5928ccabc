"""Treatment start and adherence (issue 15, point 1): the referrer or the treating unit
records when treatment started, or that the patient was not treated, and whether the MDK's
recommendation was followed; a reported case closes only then (mdk.treatment.service)."""

from flask import Flask


def register(app: Flask) -> None:
    from mdk.cases.signals import case_moved
    from mdk.cases.views import CasePageSection, add_case_page_section
    from mdk.extensions import api, csrf
    from mdk.treatment import api as treatment_api
    from mdk.treatment import service, views

    app.register_blueprint(views.blp)
    csrf.exempt(treatment_api.blp)  # API clients send JSON with a token, not forms
    api.register_blueprint(treatment_api.blp)
    case_moved.connect(service.on_case_moved)  # the same receiver again is a no-op
    add_case_page_section(CasePageSection("treatment", "treatment/_case_section.html",
                                          views.case_section))
