"""Start page, /healthz and the language switch."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify, make_response, redirect, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import text

from mdk.care_areas.service import care_areas
from mdk.config import LOCALES
from mdk.db import utcnow
from mdk.extensions import db
from mdk.i18n import LANG_COOKIE, to_local

blp = Blueprint("core", __name__)

# (endpoint, label): shown in the main navigation once the feature's blueprint is registered.
NAVIGATION = [
    ("core.index", _l("Start")),
    ("calendar.calendar_home", _l("Calendar")),
    ("calendar.rotation_home", _l("Rotation")),
    ("care_areas.list_areas", _l("Care areas")),
    ("units.list_units", _l("Units")),
    ("people.list_people", _l("People")),
    ("people.competence_register", _l("Competence register")),
    ("queues.inbox", _l("Inbox")),
    ("queues.my_cases", _l("My cases")),
    ("treatment.waiting", _l("Treatment start")),
    ("proms.due", _l("PROMs due")),
    # The reviewer's worklist (Mina granskningar) goes here.
    ("cases.list_cases", _l("Cases")),
    ("patients.list_patients", _l("Patients")),
    ("exports.list_exports", _l("Exports")),
    ("audit.review", _l("Audit log")),
    ("outbox.queue", _l("Mail queue")),
    ("api_tokens.list_tokens", _l("API tokens")),
]


# The pages under a navigation entry, so the entry stays marked while the user is there.
SECTIONS = {
    "calendar.calendar_home": ("calendar.area_home", "calendar.month_view", "calendar.list_view",
                               "calendar.new_conference", "calendar.show_conference"),
    "calendar.rotation_home": ("calendar.rotation", "calendar.availability"),
    "care_areas.list_areas": ("care_areas.show_area",),
    "units.list_units": ("units.show_unit", "units.new_unit", "units.edit_unit"),
    "people.list_people": ("people.new_person", "people.show_person", "people.edit_person"),
    "patients.list_patients": ("patients.new_patient", "patients.show_patient",
                               "patients.search_patient"),
    "audit.review": ("audit.sample",),
    "exports.list_exports": ("exports.register_export", "exports.research_extract"),
    "cases.list_cases": ("cases.new_case", "cases.show_case", "cases.edit_case"),
    "api_tokens.list_tokens": ("api_tokens.revoke",),
}


def navigation() -> dict:
    """The main navigation: registered pages the user may open (the access policy says),
    each (endpoint, label, whether the current page belongs to it)."""
    from mdk.access.enforcement import may_visit

    current = request.endpoint
    items = [(endpoint, label, current == endpoint or current in SECTIONS.get(endpoint, ()))
             for endpoint, label in NAVIGATION
             if endpoint in current_app.view_functions and may_visit(endpoint)]
    return {"navigation": items}


@blp.get("/")
def index():
    """What the user acts on next, by role (mdk.core.start), then the pages they may open."""
    from mdk.access.enforcement import current_principal
    from mdk.core.start import start_page

    now = utcnow()
    start = start_page(current_principal(), now)
    return render_template("core/index.html", today=to_local(now).date(), start=start,
                           case_counts=start.case_counts, areas=care_areas())


@blp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception as exc:  # any driver error means "not ok"; the detail is logged only
        current_app.logger.warning("health check: database unavailable: %s", type(exc).__name__)
        database = "unavailable"
    ok = database == "ok"
    body = {"status": "ok" if ok else "degraded", "database": database,
            "database_engine": db.engine.dialect.name,
            # Monitoring alerts when mail waits too long (the server is down, no worker runs).
            "outbox_oldest_queued_seconds": _oldest_queued_seconds() if ok else None}
    return jsonify(body), 200 if ok else 503


def _oldest_queued_seconds() -> int | None:
    from mdk.outbox.operators import oldest_waiting_seconds

    try:
        return oldest_waiting_seconds()
    except Exception as exc:  # a failing count must not make the health check a 500
        current_app.logger.warning("health check: outbox unavailable: %s", type(exc).__name__)
        db.session.rollback()
        return None


@blp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page links: the SVG icon, not a 404."""
    return current_app.send_static_file("favicon.svg")


@blp.post("/language")
def set_language():
    """Store the chosen UI language in a cookie and go back where the user was."""
    language = request.form.get("language", "")
    target = safe_next(request.form.get("next", "/"))
    response = make_response(redirect(target))
    if language in LOCALES:
        response.set_cookie(LANG_COOKIE, language, max_age=365 * 24 * 3600,
                            httponly=True, samesite="Lax",
                            secure=request.is_secure)
    return response


def safe_next(target: str) -> str:
    """Only same-site relative paths, so the switch cannot be used as an open redirect."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target
