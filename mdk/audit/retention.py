"""Retention of the audit log: a floor (at least `audit_retention_years`), not a deletion date."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import delete

from mdk.audit import service as audit
from mdk.audit.models import AuditEvent
from mdk.audit.service import Actor
from mdk.extensions import db


class RetentionError(ValueError):
    """The purge would delete events younger than the retention floor."""


def retention_floor(today: date, years: int) -> date:
    """The oldest day whose events must still be kept: `years` before `today`."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def purge_before(actor: Actor, before: date, *, today: date, years: int,
                 zone: ZoneInfo) -> int:
    """Delete events from before `before` (local midnight); writes audit.purge with the count.

    Needs DELETE on audit_events: run as the owner role, never the application role.
    """
    floor = retention_floor(today, years)
    if before > floor:
        raise RetentionError(
            f"events must be kept at least {years} years: choose {floor.isoformat()} or earlier")
    cutoff = datetime.combine(before, time(0), tzinfo=zone).astimezone(UTC)
    result = db.session.execute(delete(AuditEvent).where(AuditEvent.occurred_at < cutoff))
    deleted = result.rowcount or 0
    audit.record(actor, "audit.purge", details={"before": before.isoformat(),
                                                "deleted": deleted, "retention_years": years})
    db.session.commit()
    return deleted
