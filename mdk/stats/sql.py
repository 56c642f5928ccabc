"""The local day of a stored instant, in SQL, on both engines.

Instants are stored in UTC; a statistic places them by the day they fall on in the service's
zone (Europe/Stockholm), so a referral at 00:30 local time on the day after a DST change
counts on that day. `local_day(column)` is that day as a SQL date:

- PostgreSQL: `(column AT TIME ZONE 'Europe/Stockholm')::date` (the column is timestamptz).
- SQLite: `mdk_local_day(column)`, a deterministic function every connection registers
  (mdk/__init__.py), converting with zoneinfo as Python does elsewhere.

The zone is written into the SQL as a literal, not bound, so the same expression in SELECT
and GROUP BY is one expression to PostgreSQL.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Date

SQLITE_FUNCTION = "mdk_local_day"
ZONE_NAME = re.compile(r"^[A-Za-z0-9_+\-/]+$")


class local_day(FunctionElement):  # noqa: N801 - used as a SQL function
    type = Date()
    inherit_cache = True
    name = "local_day"


def _zone_name() -> str:
    name = current_app.config["MDK"].timezone
    if not ZONE_NAME.match(name):  # config is trusted, but it goes into SQL text
        raise ValueError(f"time zone name {name!r} cannot be written into SQL")
    return name


@compiles(local_day, "postgresql")
def _local_day_postgresql(element, compiler, **kw) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"CAST(({column} AT TIME ZONE '{_zone_name()}') AS DATE)"


@compiles(local_day)
def _local_day_sqlite(element, compiler, **kw) -> str:
    return f"{SQLITE_FUNCTION}({compiler.process(element.clauses, **kw)})"


def sqlite_local_day(zone: ZoneInfo):
    """The SQLite function: a stored UTC timestamp ('2026-03-28 23:30:00.000000') to its
    local day ('2026-03-29')."""

    def convert(value: str | None) -> str | None:
        if value is None:
            return None
        moment = datetime.fromisoformat(str(value))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(zone).date().isoformat()
    return convert


def register_sqlite_function(dbapi_connection, zone: ZoneInfo) -> None:
    dbapi_connection.create_function(SQLITE_FUNCTION, 1, sqlite_local_day(zone),
                                     deterministic=True)


def as_date(value) -> date | None:
    """A day as the engine returns it from a COALESCE of dates (SQLite: a string)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
