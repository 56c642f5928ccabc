"""The section inputs of a document's draft form (the protocol, the care plan), as the pages
name them and read them back: s-<key>; s-<key>.person and s-<key>.date; a table of rows
(care plan only) as s-<key>.rows (how many) and s-<key>.<i>.<column>."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mdk.care_areas.domain import REHABILITATION_COLUMNS, ROW_KINDS
from mdk.protocols import rows as row_kinds

INPUT_PREFIX = "s-"
BLANK_ROWS = 2  # empty rows under a table, to add to it
COLUMNS = {"rehabilitation": REHABILITATION_COLUMNS, "schedule": row_kinds.SCHEDULE_COLUMNS}


def _row_count(form: Mapping[str, str], name: str) -> int:
    raw = form.get(f"{name}.rows", "")
    count = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 3 else 0
    return min(count, row_kinds.MAX_ROWS + BLANK_ROWS)


def posted_values(form: Mapping[str, str], sections: list[dict]) -> dict[str, Any]:
    """The value of every section as the form sent it (unchecked: mdk.protocols.fields
    judges it)."""
    values: dict[str, Any] = {}
    for section in sections:
        key, kind = section["key"], section["kind"]
        name = INPUT_PREFIX + key
        if kind == "person_and_date":
            values[key] = {"person": form.get(f"{name}.person", ""),
                           "date": form.get(f"{name}.date", "")}
        elif kind in ROW_KINDS:
            values[key] = [{column: form.get(f"{name}.{i}.{column}", "")
                            for column in COLUMNS[kind]} for i in range(_row_count(form, name))]
        else:
            values[key] = form.get(name)
    return values
