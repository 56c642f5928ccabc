"""The readiness gate in process (mdk.material.gate.run_gate with a given `now`): ready,
held, deferred, told, idempotent, catching up, one bad case not stopping the rest."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from mdk.cases import service
from mdk.cases.models import Case
from mdk.extensions import db
from mdk.material import gate
from mdk.material.models import ReadinessCheck
from mdk.outbox.models import OutboxMessage
from tests.cases.factories import AREA, accept, refer
from tests.material_gate.factories import (
    after_cutoff,
    complete,
    item,
    make_available,
    meeting,
    set_gate,
)

WEEK = timedelta(days=7)


def _checks(case: Case) -> list[tuple[int, str]]:
    return [(check.conference_id, check.outcome) for check in db.session.scalars(
        select(ReadinessCheck).where(ReadinessCheck.case_id == case.id)
        .order_by(ReadinessCheck.id))]


def _mail(kind: str, case: Case) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == kind, OutboxMessage.case_id == case.id)
        .order_by(OutboxMessage.id)))


@pytest.fixture()
def meetings(app, world):
    """Three weekly meetings (Wednesdays 08:00) hosted by nhv[0], nhv[1], nhv[2]."""
    first = date.today() + timedelta(days=10)
    first += timedelta(days=(2 - first.weekday()) % 7)
    return [meeting(world.nhv[index], first + index * WEEK) for index in range(3)]


def _accepted(world, conference, number_index=0, **overrides) -> Case:
    return accept(world, refer(world, number_index=number_index, **overrides),
                  conference_id=conference.id)


def test_a_complete_case_moves_to_ready_at_the_cutoff(world, meetings):
    case = _accepted(world, meetings[0])
    complete(case, world.nhv[0], date.today())
    run = gate.run_gate(after_cutoff(meetings[0]))
    assert (run.ready, run.held, run.deferred) == (1, 0, 0)
    assert case.state == "ready"
    assert _checks(case) == [(meetings[0].id, "ready")]
    assert case.transitions[-1].action == "ready" and case.transitions[-1].actor_id is None
    assert _mail("case.not_ready", case) == []


def test_nothing_happens_before_the_cutoff(world, meetings):
    case = _accepted(world, meetings[0])
    gate.run_gate(after_cutoff(meetings[0], minutes=-1))
    assert case.state == "accepted" and _checks(case) == []


def test_a_case_not_ready_is_held_and_everyone_is_told_what_is_missing(world, meetings):
    case = _accepted(world, meetings[0])
    complete(case, world.nhv[0], date.today(), skip=("pad_p16",))
    item(case, "pad_p16", examined_on=date.today(), at=(world.nhv[1], "available"))
    run = gate.run_gate(after_cutoff(meetings[0]))
    assert (run.ready, run.held) == (0, 1)
    assert case.state == "accepted" and case.conference_id == meetings[0].id
    check = db.session.scalar(select(ReadinessCheck).where(ReadinessCheck.case_id == case.id))
    assert (check.outcome, check.decided_at) == ("held", None)
    assert check.problems == [{"code": "not_at_host", "key": "pad_p16", "blocking": True}]
    mails = _mail("case.not_ready", case)
    told = {mail.recipient_email for mail in mails}
    assert told == {world.people["referrer"].email, world.referring.mailbox,
                    world.people["coordinator"].email}
    for mail in mails:
        assert "PAD inkl. p16: finns ännu inte hos värdenheten" in mail.body_text
        assert f"/cases/{case.id}" in mail.body_text and case.number in mail.subject
        assert "hålls kvar" in mail.body_text
        assert "PAD inkl. p16" in mail.body_html
        to_coordinator = mail.recipient_email == world.people["coordinator"].email
        assert ("Besluta på ärendesidan" in mail.body_text) is to_coordinator
        assert ("Komplettera underlaget" in mail.body_text) is not to_coordinator
    # The case page names the hold and what was missing, and offers the decision.
    assert service.held_at_cutoff(case)


def test_a_second_run_does_nothing_and_queues_nothing(world, meetings):
    held = _accepted(world, meetings[0])
    ready = _accepted(world, meetings[0], number_index=1)
    complete(ready, world.nhv[0], date.today())
    now = after_cutoff(meetings[0])
    gate.run_gate(now)
    mails = db.session.query(OutboxMessage).count()
    checks = db.session.query(ReadinessCheck).count()
    again = gate.run_gate(now + timedelta(hours=1))
    assert (again.ready, again.held, again.deferred, again.failed) == (0, 0, 0, [])
    assert db.session.query(OutboxMessage).count() == mails
    assert db.session.query(ReadinessCheck).count() == checks == 2
    assert (held.state, ready.state) == ("accepted", "ready")


def test_a_missed_cutoff_is_caught_up_but_a_started_meeting_is_left_alone(world, meetings):
    late = _accepted(world, meetings[1])
    started = _accepted(world, meetings[0], number_index=1)
    cancelled = _accepted(world, meetings[2], number_index=2)
    meetings[2].status = "cancelled"
    db.session.commit()
    # The scheduler was down from before the first cut-off until after the first meeting
    # had started, and past the second's cut-off.
    now = after_cutoff(meetings[1], minutes=60)
    assert meetings[0].starts_at < now < meetings[1].starts_at
    run = gate.run_gate(now)
    assert run.held == 1
    assert _checks(late) == [(meetings[1].id, "held")]
    assert _checks(started) == [] and started.state == "accepted"
    assert _checks(cancelled) == []


def test_an_agenda_locked_meeting_is_still_checked(world, meetings):
    case = _accepted(world, meetings[0])
    meetings[0].status = "agenda_locked"
    db.session.commit()
    gate.run_gate(after_cutoff(meetings[0]))
    assert _checks(case) == [(meetings[0].id, "held")]


def test_with_gate_defer_a_case_moves_to_the_next_meeting_with_room(
        world, meetings, monkeypatch):
    set_gate(monkeypatch, AREA, "defer")
    case = _accepted(world, meetings[0])
    complete(case, world.nhv[0], date.today(), skip=("mri_pelvis", "tnm"))
    run = gate.run_gate(after_cutoff(meetings[0]))
    assert run.deferred == 1
    assert (case.state, case.conference_id) == ("deferred", meetings[1].id)
    assert _checks(case) == [(meetings[0].id, "deferred")]
    assert "MR bäcken: saknas" in case.state_reason and "TNM-klassifikation: saknas" in \
        case.state_reason
    assert case.transitions[-1].conference_id == meetings[1].id
    mails = _mail("case.not_ready", case)
    assert mails and all("flyttats till nästa möte" in mail.body_text for mail in mails)
    assert _mail("case.deferred", case)  # the ordinary move's mail too
    # At the new meeting's cut-off it is judged again: now complete, so ready.
    complete(case, world.nhv[1], date.today(), skip=tuple(
        key for key in ("clinical_tumour_status", "pad_p16", "pet_ct")))
    make_available(case, world.nhv[1])
    gate.run_gate(after_cutoff(meetings[1]))
    assert case.state == "ready"
    assert _checks(case) == [(meetings[0].id, "deferred"), (meetings[1].id, "ready")]


def test_defer_skips_full_meetings_and_ones_past_their_cutoff(world, meetings, monkeypatch):
    set_gate(monkeypatch, AREA, "defer")
    case = _accepted(world, meetings[0])
    meetings[1].capacity = 1
    db.session.commit()
    _accepted(world, meetings[1], number_index=1)  # fills it
    # Later the same day (moved there from the Monday): its cut-off has passed too.
    next_day = meeting(world.nhv[3], meetings[0].day, hour=10,
                       planned_day=meetings[0].day - timedelta(days=2))
    gate.run_gate(after_cutoff(meetings[0]))
    assert case.conference_id == meetings[2].id != next_day.id


def test_defer_holds_when_no_meeting_has_room(world, meetings, monkeypatch):
    set_gate(monkeypatch, AREA, "defer")
    case = _accepted(world, meetings[0])
    for conference in meetings[1:]:
        conference.status = "cancelled"
    db.session.commit()
    run = gate.run_gate(after_cutoff(meetings[0]))
    assert (run.held, run.deferred) == (1, 0)
    assert (case.state, case.conference_id) == ("accepted", meetings[0].id)
    assert _checks(case) == [(meetings[0].id, "held")]


def test_the_gate_defers_a_case_once_then_holds_it(world, meetings, monkeypatch):
    set_gate(monkeypatch, AREA, "defer")
    case = _accepted(world, meetings[0])
    gate.run_gate(after_cutoff(meetings[0]))
    gate.run_gate(after_cutoff(meetings[1]))
    assert _checks(case) == [(meetings[0].id, "deferred"), (meetings[1].id, "held")]
    assert (case.state, case.conference_id) == ("deferred", meetings[1].id)


def test_a_case_the_coordinator_moved_is_checked_again_at_its_new_meeting(world, meetings):
    case = _accepted(world, meetings[0])
    gate.run_gate(after_cutoff(meetings[0]))
    service.move_case(world.actor("coordinator"), world.principal("coordinator"), case,
                      "defer", {"conference_id": meetings[1].id, "reason": "PAD saknas"})
    held = db.session.scalar(select(ReadinessCheck).where(ReadinessCheck.case_id == case.id))
    assert held.decided_at is not None  # the decision
    complete(case, world.nhv[1], date.today())
    gate.run_gate(after_cutoff(meetings[1]))
    assert _checks(case) == [(meetings[0].id, "held"), (meetings[1].id, "ready")]
    assert case.state == "ready"


def test_one_bad_case_does_not_stop_the_others(world, meetings, monkeypatch, caplog):
    bad = _accepted(world, meetings[0])
    good = _accepted(world, meetings[0], number_index=1)
    complete(good, world.nhv[0], date.today())
    real = gate.assess

    def failing(case, conference=None, **kwargs):
        if case.id == bad.id:
            raise RuntimeError(f"broken {case.patient.family_name}")
        return real(case, conference, **kwargs)

    monkeypatch.setattr(gate, "assess", failing)
    caplog.set_level(logging.INFO, logger="mdk.material.gate")
    run = gate.run_gate(after_cutoff(meetings[0]))
    assert run.failed == [bad.id] and run.ready == 1
    assert good.state == "ready" and _checks(bad) == []
    assert f"case {bad.id} failed" in caplog.text
    assert bad.patient.family_name not in caplog.text
    monkeypatch.setattr(gate, "assess", real)
    assert gate.run_gate(after_cutoff(meetings[0], 2)).held == 1  # caught up next run


def test_a_case_no_longer_on_the_agenda_is_not_judged(world, meetings):
    withdrawn = _accepted(world, meetings[0])
    service.move_case(world.actor("referrer"), world.principal("referrer"), withdrawn,
                      "withdraw", {"reason": "Patienten avböjer"})
    gate.run_gate(after_cutoff(meetings[0]))
    assert _checks(withdrawn) == []


def test_an_extra_items_own_name_never_reaches_the_mail(world, meetings):
    case = _accepted(world, meetings[0])
    complete(case, world.nhv[0], date.today())
    item(case, None, kind="lab", label="Hemlig fritext om patienten", required=True)
    gate.run_gate(after_cutoff(meetings[0]))
    mails = _mail("case.not_ready", case)
    assert mails
    for mail in mails:
        assert "Hemlig fritext" not in mail.body_text + mail.body_html + mail.subject
        assert "Labbsvar: saknas" in mail.body_text
