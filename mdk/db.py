"""The declarative base every model uses, and the column kinds models share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Annotated

from sqlalchemy import DateTime, MetaData, func, or_
from sqlalchemy.orm import DeclarativeBase, mapped_column, registry
from sqlalchemy.types import TypeDecorator

from mdk.validation import refuse_control_characters

# Stable constraint names, so Alembic migrations name the same thing the same way everywhere.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """An instant: stored in UTC, always returned timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column; attach a time zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# How far the clock of this context is set back (or on): zero but inside clock_set_to.
_clock_offset: ContextVar[timedelta] = ContextVar("mdk_clock_offset", default=timedelta(0))


def utcnow() -> datetime:
    return datetime.now(UTC) + _clock_offset.get()


@contextmanager
def clock_set_to(instant: datetime) -> Iterator[None]:
    """Inside the block, utcnow() reads `instant` and goes on as real time does.

    For the demo only (mdk.demo.history): its past meetings are held through the services,
    so every time they stamp (signatures, the report's issue, the audit log) tells the
    same story, and the rows the database locks once signed need no later correction.
    Never used while serving a request or running a scheduled job."""
    token = _clock_offset.set(instant - datetime.now(UTC))
    try:
        yield
    finally:
        _clock_offset.reset(token)


class Base(DeclarativeBase):
    # `Mapped[datetime]` always means an aware UTC instant; plain dates use `Mapped[date]`.
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


def one_of_values(column: str, values: tuple[str, ...]) -> str:
    """A CHECK constraint's SQL: `column` holds one of `values` (state, kind ...)."""
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


pk = Annotated[int, mapped_column(primary_key=True)]
created_at = Annotated[
    datetime, mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())
]
updated_at = Annotated[
    datetime,
    mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, server_default=func.now()),
]


SEARCH_MAX_LENGTH = 200


def matching_any(query: str | None, *columns, field: str = "q"):
    """A WHERE clause for a search box: the text, case-insensitively, inside any column.
    None when the box is empty. LIKE wildcards typed by the user are taken literally; a
    control character (a NUL breaks PostgreSQL) is a FieldError naming the box."""
    if not query or not query.strip():
        return None
    refuse_control_characters(query, field)
    # A search box needs no more; SQLite refuses very long LIKE patterns.
    needle = query.strip().lower()[:SEARCH_MAX_LENGTH]
    return or_(*(func.lower(column).contains(needle, autoescape=True) for column in columns))


def commit_keeping_loaded(session) -> None:
    """Commit without expiring what is loaded: a list page commits its audit events and then
    shows the rows it read; expired, each row would be read again, one statement per row."""
    actual = session() if callable(session) else session  # the scoped session's Session
    previous = actual.expire_on_commit
    actual.expire_on_commit = False
    try:
        actual.commit()
    finally:
        actual.expire_on_commit = previous
