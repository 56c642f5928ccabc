"""The quorum forecast (mdk.invites.forecast) and its warning (mdk.invites.quorum_warning):
who of the invited has answered, per quorum competence, and one mail to the coordinators
when a quorum competence is uncovered two working days before the meeting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from sqlalchemy import select

from mdk.care_areas.service import care_area
from mdk.conferences.models import Conference
from mdk.db import utcnow
from mdk.extensions import db
from mdk.invites import forecast, quorum_warning, sending, service
from mdk.invites.replies import record_reply
from mdk.outbox.models import OutboxMessage
from tests.cases.factories import AREA, accept, make_world, refer
from tests.support import log_in
from tests.units.factories import make_person


@pytest.fixture()
def world(app_ctx):
    """The case world and one MDT member per quorum competence of anal cancer, and a
    pathologist (when needed), spread over the NHV units."""
    world = make_world()
    area = care_area(AREA)
    keys = [*area.quorum, *area.quorum_when_needed]
    world.mdt = {key: make_person(world.nhv[i % len(world.nhv)], name=f"Doktor {key.title()}",
                                  email=f"{key}@mdt.example.se", competences=[key])
                 for i, key in enumerate(keys)}
    db.session.commit()
    return world


def _answer(world, conference, key, partstat):
    outcome = record_reply(service.meeting_uid(conference), world.mdt[key].email, partstat,
                           None, via="link")
    assert outcome.applied
    db.session.commit()


def _warnings() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "quorum_warning").order_by(OutboxMessage.id)))


def _names(invitees) -> list[str]:
    return [invitee.name for invitee in invitees]


def test_the_forecast_sorts_the_invited_per_competence_by_their_answer(world):
    sending.send_invites()
    conference = world.conference
    _answer(world, conference, "oncologist", "ACCEPTED")
    _answer(world, conference, "surgeon", "DECLINED")
    _answer(world, conference, "radiologist", "TENTATIVE")
    late = make_person(world.nhv[0], name="Sen Onkolog", competences=["oncologist"])
    db.session.commit()

    result = forecast.quorum_forecast(conference)

    by_key = {item.key: item for item in result.quorum}
    assert list(by_key) == list(care_area(AREA).quorum)
    oncologist = by_key["oncologist"]
    assert _names(oncologist.confirmed) == ["Doktor Oncologist"]
    assert _names(oncologist.unknown) == [late.name]
    assert oncologist.unknown[0].sent is False and oncologist.covered
    assert _names(by_key["surgeon"].declined) == ["Doktor Surgeon"]
    assert _names(by_key["radiologist"].tentative) == ["Doktor Radiologist"]
    assert _names(by_key["contact_nurse"].unknown) == ["Doktor Contact_Nurse"]
    assert set(result.uncovered) == set(care_area(AREA).quorum) - {"oncologist"}
    assert [item.key for item in result.when_needed] == ["pathologist"]
    assert not result.warning_due()  # a week ahead: not yet


def test_an_answer_to_an_older_version_counts_as_unknown_until_asked_again(world):
    sending.send_invites()
    _answer(world, world.conference, "oncologist", "ACCEPTED")
    world.conference.starts_at += timedelta(hours=1)
    world.conference.ends_at += timedelta(hours=1)
    db.session.commit()

    oncologist = forecast.quorum_forecast(world.conference).quorum[0]
    assert oncologist.key == "oncologist" and not oncologist.covered
    assert _names(oncologist.unknown) == ["Doktor Oncologist"]


def test_the_forecast_takes_as_many_statements_for_25_attendees_as_for_7(
        app, world, statement_counter):
    sending.send_invites()

    def statements() -> int:
        db.session.expire_all()
        with statement_counter() as counted:
            result = forecast.quorum_forecast(world.conference)
        return counted.count, sum(item.invited for item in result.quorum)

    few = statements()
    for n in range(18):
        make_person(world.nhv[n % 4], email=f"extra{n}@mdt.example.se",
                    competences=["oncologist", "surgeon"][n % 2:][:1])
    db.session.commit()
    sending.send_invites()
    many = statements()
    assert many[1] == few[1] + 18
    assert few[0] == many[0]


def test_an_uncovered_quorum_warns_the_hosts_coordinators_once_two_working_days_before(world):
    case = accept(world, refer(world))  # a patient on the meeting: none of it in the mail
    sending.send_invites()
    for key in care_area(AREA).quorum:
        if key != "surgeon":
            _answer(world, world.conference, key, "ACCEPTED")
    due = forecast.warning_from(world.conference)

    assert quorum_warning.warn_quorum(now=due - timedelta(minutes=1)) == 0
    assert quorum_warning.warn_quorum(now=due + timedelta(minutes=1)) == 1
    assert quorum_warning.warn_quorum(now=due + timedelta(hours=2)) == 0  # not twice

    [mail] = _warnings()
    assert mail.recipient_email == world.people["coordinator"].email  # at the host unit
    assert "Kirurg" in mail.body_text and "Onkolog" not in mail.body_text
    assert mail.subject.startswith("Beslutsförhet saknas: ")
    assert case.number not in mail.body_text + mail.body_html

    # Another competence falling uncovered is a new warning, naming both.
    _answer(world, world.conference, "oncologist", "DECLINED")
    assert quorum_warning.warn_quorum(now=due + timedelta(hours=3)) == 1
    assert "Onkolog" in _warnings()[-1].body_text

    # One of them covered again is no news: no third mail.
    _answer(world, world.conference, "surgeon", "ACCEPTED")
    assert quorum_warning.warn_quorum(now=due + timedelta(hours=4)) == 0
    assert len(_warnings()) == 2


def test_a_covered_quorum_sends_no_warning(world):
    sending.send_invites()
    for key in care_area(AREA).quorum:
        _answer(world, world.conference, key, "ACCEPTED")
    now = forecast.warning_from(world.conference) + timedelta(hours=1)

    assert forecast.quorum_forecast(world.conference).uncovered == ()
    assert quorum_warning.warn_quorum(now=now) == 0
    assert _warnings() == []


def test_the_easter_holidays_are_not_working_days(world):
    # Tuesday 30 March 2027, 08:00: Easter Monday (29th) and Good Friday (26th) are public
    # holidays, so two working days before is Wednesday the 24th (not Friday the 26th).
    starts = datetime(2027, 3, 30, 6, 0, tzinfo=UTC)
    easter = Conference(care_area=AREA, series_key="national", planned_day=starts.date(),
                        starts_at=starts, ends_at=starts + timedelta(minutes=90),
                        host_unit_id=world.nhv[1].id, capacity=9, status="planned")
    db.session.add(easter)
    db.session.commit()

    assert forecast.warning_from(easter) == datetime(2027, 3, 24, 6, 0, tzinfo=UTC)
    assert quorum_warning.warn_quorum(now=datetime(2027, 3, 23, 16, 0, tzinfo=UTC)) == 0
    assert quorum_warning.warn_quorum(now=datetime(2027, 3, 24, 9, 0, tzinfo=UTC)) == 1
    [mail] = _warnings()
    assert mail.recipient_email == world.people["other_coordinator"].email
    assert "tis 30 mars 2027 · v. 13 08:00" in mail.body_text


def test_the_agenda_shows_the_forecast_and_warns_when_the_meeting_is_near(app, world):
    soon_start = utcnow().replace(microsecond=0) + timedelta(hours=3)
    soon = Conference(care_area=AREA, series_key="national", planned_day=soon_start.date(),
                      starts_at=soon_start, ends_at=soon_start + timedelta(minutes=90),
                      host_unit_id=world.nhv[0].id, capacity=9, status="planned")
    db.session.add(soon)
    db.session.commit()
    _ids = (soon.id, world.conference.id)
    client = app.test_client()
    log_in(client, world.people["coordinator"])

    with app.app_context():
        near = unescape(client.get(f"/conferences/{_ids[0]}/agenda").get_data(as_text=True))
        later = unescape(client.get(f"/conferences/{_ids[1]}/agenda").get_data(as_text=True))
    assert 'id="quorum-warning"' in near and "Onkolog" in near
    assert 'id="quorum"' in later and 'id="quorum-warning"' not in later
    assert 'id="quorum-when-needed"' in later and "Doktor Pathologist" in later
