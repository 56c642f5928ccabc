"""The statistics page (/stats) and one CSV per table (/stats/<table>.csv), with the same
figures and the same small-number rule."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, render_template, request

from mdk.access import authorize, current_principal
from mdk.audit.export import disarmed
from mdk.care_areas.service import care_areas
from mdk.db import utcnow
from mdk.i18n import current_language, to_local
from mdk.stats import service
from mdk.stats.figures import Hidden
from mdk.stats.period import PRESET_LABELS, PRESETS, Period, period_from, preset
from mdk.validation import FieldError

blp = Blueprint("stats", __name__)

CSV = "text/csv"  # Flask adds the charset (utf-8) itself


def show_figure(value, language: str | None = None) -> str:
    """A figure as the page shows it: "<5" hidden, "–" none, one decimal for a share."""
    if isinstance(value, Hidden):
        return value.text
    if value is None:
        return "–"
    if isinstance(value, float):
        text = f"{value:.1f}"
        return text.replace(".", ",") if (language or current_language()) == "sv" else text
    return str(value)


def csv_figure(value) -> str:
    """A figure as the CSV holds it: the page's, with a decimal point and "" for none."""
    if isinstance(value, Hidden):
        return value.text
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


@blp.app_template_filter("figure")
def _figure_filter(value) -> str:
    return show_figure(value)


def _today():
    return to_local(utcnow()).date()


def _whole_months(principal, area) -> bool:
    """Outside the coordinators' view a period is whole calendar months."""
    return not service.may_view_detail(principal, area)


def _area():
    """The care area asked for, else the reader's first; 404 outside their statistics."""
    principal = current_principal()
    key = request.args.get("area") or next(iter(service.viewable_areas(principal)), None)
    return authorize("stats.view", care_areas().get(key) if key else None)


@blp.get("/stats")
def show_stats():
    area = _area()
    principal, language, today = current_principal(), current_language(), _today()
    error = None
    try:
        period = period_from(request.args, today, _whole_months(principal, area))
    except FieldError as problem:
        error, period = problem, preset("year", today)
    stats = service.statistics(principal, area, period, language)
    areas = care_areas()
    return render_template(
        "stats/show.html", stats=stats, error=error,
        area_choices={key: areas[key] for key in service.viewable_areas(principal)},
        presets=[(name, PRESET_LABELS[name], preset(name, today)) for name in PRESETS],
        measures=service.MEASURES), 422 if error else 200


@blp.get("/stats/<table>.csv")
def stats_csv(table: str):
    area = _area()
    try:
        period = period_from(request.args, _today(),
                             _whole_months(current_principal(), area))
    except FieldError as problem:
        return Response(f"{problem.field}: {problem.message}\n", status=422,
                        mimetype="text/plain")
    stats = service.statistics(current_principal(), area, period, current_language())
    found = stats.tables.get(table)
    if found is None:
        abort(404)
    return _download(table_csv(found), f"{area.key}-{table}-{_period_name(period)}.csv")


def table_csv(table: service.Table) -> str:
    """The table as CSV; text cells (names, free-text reasons) pass through the exports'
    helper, so a cell starting with =, +, - or @ gets a leading ' and runs no formula in a
    spreadsheet. Numbers are written as they are (a negative lead time stays a number)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([disarmed(column.label) for column in table.columns])
    for row in table.rows:
        writer.writerow([disarmed(value) if isinstance(value, str) else csv_figure(value)
                         for value in row])
    return out.getvalue()


def _period_name(period: Period) -> str:
    return f"{period.first.isoformat()}--{period.last.isoformat()}"


def _download(body: str, filename: str) -> Response:
    response = Response(body, mimetype=CSV)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response

