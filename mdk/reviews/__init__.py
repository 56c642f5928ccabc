"""Secondary review at the host unit: tasks, assignment, statements, the worklist."""

from flask import Flask


def register(app: Flask) -> None:
    from mdk.cases.views import CasePageSection, add_case_page_section
    from mdk.extensions import api, csrf
    from mdk.reviews import api as reviews_api
    from mdk.reviews import hooks, views

    hooks.install()
    app.register_blueprint(views.blp)
    csrf.exempt(reviews_api.blp)  # API clients send JSON, not forms
    api.register_blueprint(reviews_api.blp)
    _add_navigation()
    add_case_page_section(CasePageSection("reviews", "reviews/_case_section.html",
                                          views.case_section))


def _add_navigation() -> None:
    """The worklist in the main navigation (shown to those the access policy lets in)."""
    from flask_babel import lazy_gettext as _l

    from mdk.core.views import NAVIGATION, SECTIONS

    if all(endpoint != "reviews.worklist" for endpoint, _label in NAVIGATION):
        NAVIGATION.append(("reviews.worklist", _l("My reviews")))
        NAVIGATION.append(("reviews.coordination", _l("Reviews")))
        SECTIONS.setdefault("reviews.worklist", ("reviews.show_task",))
