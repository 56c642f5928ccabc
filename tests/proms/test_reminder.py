"""The reminder of a PROM time point due, through the service under chosen clocks: nothing
before 07:00 on its due day, then one mail to the treating unit's mailbox, once per time
point; none for a time point followed up, nor for one not due (its anchor unknown). The
mail guard (tests/conftest.py) checks every queued mail for patient data."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from mdk.extensions import db
from mdk.outbox.models import OutboxMessage
from mdk.proms import due as due_list
from mdk.proms import service
from tests.proms.factories import recorded_prom, row
from tests.support import stockholm_at
from tests.treatment.factories import TREATING_INDEX, recorded


def _mail() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "prom.reminder").order_by(OutboxMessage.id)))


def test_the_reminder_goes_out_once_from_the_morning_of_the_due_day(chaired, reported):
    recorded(chaired, reported)  # the baseline is due on the day treatment started
    due_on = row(reported, 1).due_on
    assert due_list.remind(stockholm_at(due_on - timedelta(days=1), 12)) == 0
    assert due_list.remind(stockholm_at(due_on, 6, 59)) == 0 and not _mail()
    assert due_list.remind(stockholm_at(due_on, 7, 0)) == 1
    [mail] = _mail()
    assert mail.recipient_email == chaired.nhv[TREATING_INDEX].mailbox
    assert mail.case_id == reported.id and reported.number in mail.subject
    assert "Livskvalitet före behandling" in mail.body_text
    assert f"/cases/{reported.id}/proms" in mail.body_text
    assert row(reported, 1).reminded_at is not None
    assert due_list.remind(stockholm_at(due_on, 12, 0)) == 0 and len(_mail()) == 1


def test_no_reminder_for_a_time_point_followed_up_or_not_due(chaired, reported):
    recorded(chaired, reported)
    recorded_prom(chaired, reported, 1, status="declined", completed_on=None)
    later = row(reported, 1).due_on + timedelta(days=400)
    assert due_list.remind(stockholm_at(later, 12)) == 0 and not _mail()  # the rest: no day


def test_without_a_treating_nhv_unit_the_coordinators_are_reminded(chaired, reported):
    service.schedule_of(reported).treating_unit_id = None  # followed up in the home region
    db.session.commit()
    recorded(chaired, reported)
    assert due_list.remind(stockholm_at(row(reported, 1).due_on, 8)) == 1
    assert chaired.people["coordinator"].email in {mail.recipient_email for mail in _mail()}
