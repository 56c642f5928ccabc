"""Statistics per care area and period (issue 15, point 3): lead times with their targets,
cases per referring unit and region, adherence, deferrals, review discrepancies,
attendance and quorum, hosting; server-rendered SVG charts beside their tables, and a CSV
of every table."""

from flask import Flask


def register(app: Flask) -> None:
    from mdk.stats import views

    app.register_blueprint(views.blp)
    _add_navigation()


def _add_navigation() -> None:
    """The page in the main navigation (shown to those the access policy lets in)."""
    from flask_babel import lazy_gettext as _l

    from mdk.core.views import NAVIGATION

    if all(endpoint != "stats.show_stats" for endpoint, _label in NAVIGATION):
        NAVIGATION.append(("stats.show_stats", _l("Statistics")))
