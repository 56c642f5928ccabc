"""The structured protocol of a case at a meeting: drafted by the area's coordinators,
signed by the meeting's chair, then corrected by addenda only (mdk.protocols.service)."""

from flask import Flask


def register(app: Flask) -> None:
    from mdk.cases.views import CasePageSection, add_case_page_section
    from mdk.protocols import views

    app.register_blueprint(views.blp)
    add_case_page_section(CasePageSection("protocol", "protocols/_case_section.html",
                                          views.case_section))
