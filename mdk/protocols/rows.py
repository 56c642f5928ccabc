"""The table kinds of a document section (a care plan's rehabilitation plan and its
schedules of checks and PROMs): each row checked column by column, blank rows dropped.

Rows as stored: rehabilitation {"need", "profession", "action"?, "time_point"?};
schedule {"what", "instrument"? (required in a PROM schedule), and either "date":
"YYYY-MM-DD" or "count": N, "unit": days|weeks|months|years, "from": an event}. Errors name
`<key>.<row>.<column>`, the row counted as it was sent, so a form shows each at its input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import lazy_gettext as _l

from mdk.care_areas.domain import (
    REHABILITATION_COLUMNS,
    SCHEDULE_ANCHORS,
    SCHEDULE_UNITS,
    TemplateSection,
)
from mdk.validation import FieldError, Problems, clean_text, parse_day

MAX_ROWS = 40
CELL_LENGTH = 1_000
MAX_COUNT = 1_000
SCHEDULE_COLUMNS = ("what", "instrument", "date", "count", "unit", "from")
UNIT_LABELS = {"days": _l("days"), "weeks": _l("weeks"), "months": _l("months"),
               "years": _l("years")}
ANCHOR_LABELS = {"treatment_start": _l("after the start of treatment"),
                 "treatment_end": _l("after the end of treatment"),
                 "discharge": _l("after discharge"),
                 "conference": _l("after the MDK")}


def clean_rows(section: TemplateSection, value: object) -> list[dict[str, Any]] | None:
    if value is None or value == "" or value == []:
        return None
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise FieldError(section.key, _l("Enter the rows of the table."))
    too_many = FieldError(section.key, _l("At most %(max)d rows.", max=MAX_ROWS))
    if len(value) > 2 * MAX_ROWS:  # blank rows of a form included
        raise too_many
    columns = REHABILITATION_COLUMNS if section.kind == "rehabilitation" else SCHEDULE_COLUMNS
    problems = Problems()
    cleaned: list[dict[str, Any]] = []
    for i, row in enumerate(value):
        name = f"{section.key}.{i}"
        if not isinstance(row, Mapping) or set(row) - set(columns):
            problems.add(FieldError(name, _l("Unknown field.")))
            continue
        if section.kind == "rehabilitation":
            one = problems.check(_rehabilitation_row, name, row)
        else:
            one = problems.check(_schedule_row, name, row, section.prom)
        if one:
            cleaned.append(one)
    problems.raise_any()
    if len(cleaned) > MAX_ROWS:
        raise too_many
    return cleaned or None


def _cells(name: str, row: Mapping[str, Any], columns: Sequence[str],
           problems: Problems) -> dict[str, str]:
    cells = {}
    for column in columns:
        text = problems.check(clean_text, row.get(column), f"{name}.{column}",
                              max_length=CELL_LENGTH, required=False, multiline=True)
        if text:
            cells[column] = text
    return cells


def _rehabilitation_row(name: str, row: Mapping[str, Any]) -> dict[str, str] | None:
    problems = Problems()
    cells = _cells(name, row, REHABILITATION_COLUMNS, problems)
    problems.raise_any()
    if not cells:
        return None  # a blank row of the form
    for column in ("need", "profession"):
        if column not in cells:
            problems.add(FieldError(f"{name}.{column}", _l(
                "Fill in the need area and the responsible profession of the row.")))
    problems.raise_any()
    return cells


def _schedule_row(name: str, row: Mapping[str, Any], prom: bool) -> dict[str, Any] | None:
    problems = Problems()
    cells = _cells(name, row, ("what", "instrument"), problems)
    raw_day, raw_count = row.get("date"), row.get("count")
    day = count = None
    if raw_day not in (None, ""):
        day = problems.check(parse_day, raw_day, f"{name}.date")
    if raw_count not in (None, ""):
        count = problems.check(_count, f"{name}.count", raw_count)
    problems.raise_any()
    if not cells and day is None and count is None:
        return None  # a blank row (its unit and event lists may still have a value)
    if "what" not in cells:
        problems.add(FieldError(f"{name}.what", _l("Say what happens at this time point.")))
    if prom and "instrument" not in cells:
        problems.add(FieldError(f"{name}.instrument", _l(
            "Name the questionnaire (PROM instrument) of this time point.")))
    if day is not None and count is not None:
        problems.add(FieldError(f"{name}.date", _l(
            "Give either a date or a time after an event, not both.")))
    elif day is not None:
        cells["date"] = day.isoformat()
    elif count is not None:
        unit, anchor = row.get("unit"), row.get("from")
        if unit not in SCHEDULE_UNITS:
            problems.add(FieldError(f"{name}.unit", _l("Choose days, weeks, months or years.")))
        if anchor not in SCHEDULE_ANCHORS:
            problems.add(FieldError(f"{name}.from", _l("Choose the event it counts from.")))
        cells.update(count=count, unit=unit, **{"from": anchor})
    else:
        problems.add(FieldError(f"{name}.count", _l(
            "Give when: a date, or a time after an event (e.g. 3 months after the end of "
            "treatment).")))
    problems.raise_any()
    return cells


def _count(name: str, value: object) -> int:
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() \
            and len(value.strip()) <= 4:
        value = int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_COUNT:
        return value
    raise FieldError(name, _l("Enter a whole number from 0 to %(max)d.", max=MAX_COUNT))


def when(row: Mapping[str, Any]) -> str:
    """A schedule row's time point as read: "2027-03-01" or "3 months after the end of
    treatment"."""
    if row.get("date"):
        return row["date"]
    return f"{row.get('count')} {UNIT_LABELS.get(row.get('unit'), '')} " \
           f"{ANCHOR_LABELS.get(row.get('from'), '')}".strip()


def shown_row(kind: str, row: Mapping[str, Any]) -> str:
    if kind == "rehabilitation":
        parts = [row.get(column, "") for column in REHABILITATION_COLUMNS]
    else:
        parts = [row.get("what", ""), row.get("instrument", ""), when(row)]
    return " · ".join(part for part in parts if part)
