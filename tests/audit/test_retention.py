from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from mdk.audit import service as audit
from mdk.audit.models import AuditEvent
from mdk.audit.retention import RetentionError, purge_before, retention_floor
from mdk.audit.service import system_actor
from mdk.config import ConfigError, load_settings
from mdk.extensions import db

TODAY = date(2026, 11, 25)


def _event_at(moment: datetime) -> AuditEvent:
    event = audit.record(system_actor(), "patient.read", ("patient", 1), patient_id=1)
    event.occurred_at = moment
    db.session.commit()
    return event


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_retention_floor_is_the_same_day_years_back():
    assert retention_floor(TODAY, 5) == date(2021, 11, 25)
    assert retention_floor(date(2028, 2, 29), 5) == date(2023, 2, 28)


def test_purge_younger_than_the_floor_is_refused_and_deletes_nothing(app_ctx, app):
    _event_at(datetime(2022, 1, 1, tzinfo=UTC))
    with pytest.raises(RetentionError, match="2021-11-25"):
        purge_before(system_actor(), date(2022, 6, 1), today=TODAY, years=5,
                     zone=app.config["MDK"].tz)
    assert _actions() == ["patient.read"]


def test_purge_deletes_older_events_and_logs_the_count(app_ctx, app):
    _event_at(datetime(2019, 3, 1, tzinfo=UTC))
    _event_at(datetime(2020, 12, 31, 22, 59, tzinfo=UTC))  # 23:59 in Stockholm
    _event_at(datetime(2021, 1, 1, 0, 30, tzinfo=UTC))  # already 1 January in Stockholm
    deleted = purge_before(system_actor(), date(2021, 1, 1), today=TODAY, years=5,
                           zone=app.config["MDK"].tz)
    assert deleted == 2
    assert _actions() == ["patient.read", "audit.purge"]
    purge = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "audit.purge")).one()
    assert purge.details == {"before": "2021-01-01", "deleted": 2, "retention_years": 5}


def test_purge_cli_without_yes_deletes_nothing(runner, app_ctx):
    _event_at(datetime(2001, 1, 1, tzinfo=UTC))
    result = runner.invoke(args=["audit", "purge", "--before", "2002-01-01"])
    assert result.exit_code == 2
    assert "--yes" in result.output
    assert _actions() == ["patient.read"]


def test_purge_cli_refuses_a_day_inside_the_retention_period(runner):
    recent = (datetime.now(UTC) - timedelta(days=365)).date().isoformat()
    result = runner.invoke(args=["audit", "purge", "--before", recent, "--yes"])
    assert result.exit_code == 2
    assert "at least 5 years" in result.output


def test_purge_cli_deletes_old_events(runner, app_ctx):
    _event_at(datetime(2001, 1, 1, tzinfo=UTC))
    result = runner.invoke(args=["audit", "purge", "--before", "2002-01-01", "--yes"])
    assert result.exit_code == 0, result.output
    assert "deleted 1 audit events" in result.output
    assert _actions() == ["audit.purge"]


def test_purge_cli_refuses_a_malformed_day(runner):
    result = runner.invoke(args=["audit", "purge", "--before", "1.1.2001", "--yes"])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output


def test_a_retention_shorter_than_five_years_is_refused():
    with pytest.raises(ConfigError, match="MDK_AUDIT_RETENTION_YEARS"):
        load_settings(environ={"MDK_AUDIT_RETENTION_YEARS": "3"})
