"""Language choice and the date formats the UI uses (Swedish first, ISO weeks)."""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import get_day_names, get_month_names
from flask import Flask, current_app, has_request_context, request
from flask_babel import get_locale

from mdk.config import LOCALES

LANG_COOKIE = "mdk_lang"
WEEK_LABEL = {"sv": "v.", "en": "wk"}


def select_locale() -> str:
    # Outside a request (CLI, scheduler) there is no cookie: the default language applies.
    chosen = request.cookies.get(LANG_COOKIE) if has_request_context() else None
    if chosen in LOCALES:
        return chosen
    # A clinic system on the API has no cookie: it says its language the HTTP way.
    if has_request_context() and request.path.startswith("/api/"):
        asked = request.accept_languages.best_match(LOCALES)
        if asked:
            return asked
    return current_app.config["MDK"].default_locale


def select_timezone() -> str:
    return current_app.config["MDK"].timezone


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else "sv"


def to_local(moment: datetime) -> datetime:
    """An aware instant as wall-clock time in the service's zone."""
    return moment.astimezone(current_app.config["MDK"].tz)


def iso_week(day: date) -> int:
    return day.isocalendar().week


def format_day(value: date | datetime, language: str | None = None) -> str:
    """'tis 1 dec 2026 · v. 49' (Swedish) or 'Tue 1 Dec 2026 · wk 49' (English)."""
    language = language or current_language()
    day = to_local(value).date() if isinstance(value, datetime) else value
    return f"{_weekday_day_month(day, language)} {day.year} · {WEEK_LABEL[language]} " \
           f"{iso_week(day)}"


def format_near_datetime(value: datetime, language: str | None = None) -> str:
    """'fre 4 dec 12:00': a moment shown next to a meeting's full date (its week and year)."""
    local = to_local(value)
    return f"{_weekday_day_month(local.date(), language or current_language())} {local:%H:%M}"


def _weekday_day_month(day: date, language: str) -> str:
    weekday = get_day_names("abbreviated", locale=language)[day.weekday()].rstrip(".")
    month = get_month_names("abbreviated", locale=language)[day.month].rstrip(".")
    return f"{weekday} {day.day} {month}"


def format_datetime_local(value: datetime, language: str | None = None) -> str:
    """'tis 1 dec 2026 · v. 49 08:00' in the service's zone."""
    local = to_local(value)
    return f"{format_day(local.date(), language)} {local:%H:%M}"


def init_app(app: Flask) -> None:
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["local_datetime"] = format_datetime_local
    app.jinja_env.globals["current_language"] = current_language
