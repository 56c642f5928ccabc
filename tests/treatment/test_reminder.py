"""The reminder of a treatment start not recorded, through the service under chosen clocks:
nothing before 07:00 on its day (N working days before the target's last day), then one
mail each to the treating unit's mailbox and the case's coordinators, once per case; none
for a recorded case, nor in an area without a meeting → treatment start target. The mail
guard (tests/conftest.py) checks every queued mail for patient data."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from mdk.care_areas.service import care_area
from mdk.extensions import db
from mdk.outbox.models import OutboxMessage
from mdk.treatment import service
from tests.treatment.factories import TREATING_INDEX, recorded

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=STOCKHOLM)


def _mail() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "treatment.reminder").order_by(OutboxMessage.id)))


def test_the_reminder_goes_out_once_from_its_morning(chaired, reported):
    row = service.follow_up_of(reported)
    assert service.remind(_at(row.remind_on, 6, 59)) == 0 and not _mail()
    assert service.remind(_at(row.remind_on, 7, 0)) == 1
    mail = _mail()
    addresses = {message.recipient_email for message in mail}
    assert chaired.nhv[TREATING_INDEX].mailbox in addresses
    assert chaired.people["coordinator"].email in addresses
    assert all(message.case_id == reported.id for message in mail)
    assert service.follow_up_of(reported).reminded_at is not None
    assert service.remind(_at(row.remind_on, 12, 0)) == 0 and len(_mail()) == len(mail)
    assert reported.number in mail[0].subject


def test_no_reminder_for_a_recorded_case(chaired, reported):
    row = service.follow_up_of(reported)
    recorded(chaired, reported)
    assert service.remind(_at(row.due_on, 12, 0)) == 0 and not _mail()


def test_no_target_no_reminder_day(app):
    with app.app_context():
        assert service.deadlines(care_area("crs_hipec"), date(2026, 3, 2)) == (None, None)


def test_the_reminder_day_skips_weekends_and_holidays(app):
    with app.app_context():
        # A meeting on Wednesday 2026-12-09: 17 days on is Saturday 26 December; three
        # working days before it, skipping Christmas Eve and Day, is Monday 21 December.
        due, remind = service.deadlines(care_area("analcancer"), date(2026, 12, 9))
    assert due == date(2026, 12, 26) and remind == date(2026, 12, 21)
