"""The national MDK coordination service."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from sqlalchemy.engine import make_url

from mdk.config import PROJECT_ROOT, Settings, load_settings


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app. `config` holds setting overrides (the keys of config/default.toml)."""
    settings = load_settings(config)
    app = Flask(
        __name__,
        instance_path=str(settings.instance_path),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder="static",
    )
    _configure(app, settings)
    _bound_url_ids(app)
    _init_extensions(app)
    _register_features(app)
    return app


def _configure(app: Flask, settings: Settings) -> None:
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=settings.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Alembic announces each of its plugins at INFO on every command: noise, not news.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    app.config.update(
        MDK=settings,
        SECRET_KEY=settings.secret_key,
        TESTING=settings.env == "test",
        SQLALCHEMY_DATABASE_URI=settings.sqlalchemy_url,
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(settings.sqlalchemy_url),
        BABEL_DEFAULT_LOCALE=settings.default_locale,
        BABEL_DEFAULT_TIMEZONE=settings.timezone,
        BABEL_TRANSLATION_DIRECTORIES=str(PROJECT_ROOT / "mdk" / "translations"),
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.base_url.startswith("https://"),
        API_TITLE="MDK coordination service",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        JSON_SORT_KEYS=False,
    )


def _bound_url_ids(app: Flask) -> None:
    """`<int:...>` in a URL only matches a row id (1..MAX_ID, the columns' 32-bit integers):
    a larger number is a 404, not an overflow error in the database driver."""
    from werkzeug.routing import IntegerConverter

    from mdk.validation import MAX_ID

    class DatabaseIdConverter(IntegerConverter):
        def __init__(self, url_map, *args, **kwargs):
            kwargs.setdefault("min", 1)
            kwargs.setdefault("max", MAX_ID)
            super().__init__(url_map, *args, **kwargs)

    app.url_map.converters["int"] = DatabaseIdConverter


# SQLite: how long a writer waits for another's lock before "database is locked". Below
# gunicorn's 30 s worker timeout, so a stuck wait ends as an error page, not a killed worker.
SQLITE_BUSY_TIMEOUT_SECONDS = 15


def _engine_options(url: str) -> dict[str, Any]:
    # A failed statement's error text would carry its values (a personnummer, a name) into
    # the logs; keep them out.
    options: dict[str, Any] = {"hide_parameters": True}
    if url.startswith("sqlite"):
        # Web workers and the scheduler share one file: wait for a lock instead of failing.
        options["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
    else:
        options["pool_pre_ping"] = True
    return options


def _init_extensions(app: Flask) -> None:
    from mdk import i18n
    from mdk.api_tokens import document_rate_limit
    from mdk.extensions import api, babel, csrf, db, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "mdk" / "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale,
                   timezone_selector=i18n.select_timezone)
    api.init_app(app)
    document_rate_limit(api)  # before any feature adds its operations
    i18n.init_app(app)
    if make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() == "sqlite":
        _configure_sqlite_connections(app)


def _configure_sqlite_connections(app: Flask) -> None:
    """Every SQLite connection: foreign keys enforced, a busy timeout, and, for a file, WAL.

    WAL lets readers and one writer work at once (the web app reads while the scheduler
    writes), and a writer waits up to the busy timeout for another instead of failing with
    "database is locked". The journal mode is kept in the file; setting it again is a no-op.
    An in-memory database has no WAL (it stays "memory").
    """
    from sqlalchemy import event

    from mdk.extensions import db
    from mdk.stats.sql import register_sqlite_function

    zone = app.config["MDK"].tz
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        # The statistics' local day of a UTC instant (mdk.stats.sql).
        register_sqlite_function(dbapi_connection, zone)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
        if _is_file_database(engine.url):
            cursor.execute("PRAGMA journal_mode=WAL")
            # SQLite's advice for WAL: a commit is not synced to disk on its own (the WAL is
            # at checkpoints), which cannot corrupt the file; a power cut may lose the last
            # commits. The embedded default is for trying out; production is PostgreSQL.
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def _is_file_database(url) -> bool:
    database = url.database or ""
    return database not in ("", ":memory:") and url.query.get("mode") != "memory" \
        and not database.startswith("file::memory:")


def _register_features(app: Flask) -> None:
    from mdk.access import register as register_access
    from mdk.agenda import register as register_agenda
    from mdk.api_docs import register as register_api_docs
    from mdk.api_tokens import register as register_api_tokens
    from mdk.audit import register as register_audit
    from mdk.auth import register as register_auth
    from mdk.care_areas import register as register_care_areas
    from mdk.care_plans import register as register_care_plans
    from mdk.case_lists import register as register_case_lists
    from mdk.cases import register as register_cases
    from mdk.conference_day import register as register_conference_day
    from mdk.conferences import register as register_conferences
    from mdk.core import register as register_core
    from mdk.demo import register as register_demo
    from mdk.exports import register as register_exports
    from mdk.feeds import register as register_feeds
    from mdk.invites import register as register_invites
    from mdk.material import register as register_material
    from mdk.outbox import register as register_outbox
    from mdk.patients import register as register_patients
    from mdk.people import register as register_people
    from mdk.proms import register as register_proms
    from mdk.protocols import register as register_protocols
    from mdk.queues import register as register_queues
    from mdk.reports import register as register_reports
    from mdk.reviews import register as register_reviews
    from mdk.rotation import register as register_rotation
    from mdk.stats import register as register_stats
    from mdk.treatment import register as register_treatment
    from mdk.units import register as register_units

    register_care_areas(app)  # first: other features read the care areas at start
    register_core(app)
    register_api_tokens(app)  # before the login check: a Bearer token is a caller too
    register_auth(app)  # before the features: its login check runs first
    register_access(app)  # right after login: the access policy checks every request
    register_units(app)
    register_people(app)
    register_patients(app)
    register_audit(app)
    register_conferences(app)
    register_cases(app)
    register_material(app)
    register_reviews(app)
    register_agenda(app)
    register_case_lists(app)
    register_protocols(app)
    register_care_plans(app)
    register_reports(app)
    register_treatment(app)
    register_exports(app)
    register_proms(app)
    register_conference_day(app)
    register_queues(app)
    register_rotation(app)
    register_stats(app)
    register_outbox(app)
    register_invites(app)
    register_feeds(app)
    register_demo(app)
    register_api_docs(app)
