"""Who is told what when a case moves (mdk.cases.notifications): the right mails to the
right people, in their language, with a link to the case and no patient data."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from mdk.care_areas.service import care_area
from mdk.cases import notifications, service
from mdk.cases.models import Case
from mdk.db import utcnow
from mdk.extensions import db
from mdk.i18n import iso_week, to_local
from mdk.outbox.models import OutboxMessage
from mdk.people import service as people
from mdk.validation import ConflictError
from tests.cases.factories import NUMBERS, accept, refer
from tests.mail_guard import findings_in, known_patients
from tests.units.factories import make_person, make_provider, make_unit

# What a coordinator might write: the patient's name and number (the mails must not carry it).
REASON = f"PAD saknas för Testpatient Nummer0, {NUMBERS[0][:8]}-{NUMBERS[0][8:]}; MR ej bifogad."


def _mails(case: Case, kind: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.case_id == case.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def _to(mails: list[OutboxMessage]) -> set[str]:
    return {mail.recipient_email for mail in mails}


def _move(world, case, action, who="coordinator", **data):
    return service.move_case(world.actor(who), world.principal(who), case, action, data)


def _assert_clean_and_linked(case: Case, mails: list[OutboxMessage]) -> None:
    known = known_patients(db.session)
    for mail in mails:
        assert case.number in mail.subject
        assert f"http://localhost/cases/{case.id}" in mail.body_text
        assert f'href="http://localhost/cases/{case.id}"' in mail.body_html
        for text in (mail.subject, mail.body_text, mail.body_html):
            assert findings_in(text, known) == []
            assert case.question not in text and "PAD saknas" not in text


def test_a_submitted_referral_gives_a_receipt_and_tells_the_area_coordinators(world):
    case = refer(world)
    receipts, triage = _mails(case, "case.submitted"), _mails(case, "case.triage")
    assert _to(receipts) == {world.people["referrer"].email, world.referring.mailbox}
    # Anal cancer rotates its host: every coordinator of the area, no other area's.
    assert _to(triage) == {world.people["coordinator"].email,
                           world.people["other_coordinator"].email}
    assert all(mail.reply_to == world.referring.mailbox for mail in triage)
    assert all(mail.reply_to is None for mail in receipts)  # no handling unit yet
    assert all(mail.subject.startswith("Ärende") for mail in receipts + triage)  # Swedish
    _assert_clean_and_linked(case, receipts + triage)


def test_an_urgent_referral_says_so_to_the_coordinators(world):
    case = refer(world, priority="urgent")
    assert all(mail.subject.startswith("Brådskande")
               for mail in _mails(case, "case.triage"))


def test_a_fixed_host_area_tells_only_the_host_units_coordinators(world):
    area = care_area("crs_hipec")
    host = make_unit(make_provider(), hsa_id=area.nhv_units[0].hsa_id)
    at_host = make_person(unit=host)
    people.grant_role(at_host, "coordinator", "crs_hipec", host.id)
    # world's crs_coordinator holds the role at a unit that hosts no CRS/HIPEC series
    case = Case(care_area="crs_hipec", submitted_at=utcnow(), referring_unit_id=world.referring.id)
    assert notifications.coordinators_told(case) == [at_host]


def test_a_fixed_host_area_without_coordinators_at_the_hosts_tells_the_area(world):
    case = Case(care_area="crs_hipec", submitted_at=utcnow(), referring_unit_id=world.referring.id)
    assert notifications.coordinators_told(case) == [world.people["crs_coordinator"]]


def test_a_referral_resubmitted_after_a_return_goes_to_the_handling_coordinators(world):
    case = refer(world)
    _move(world, case, "return", reason=REASON)
    _move(world, case, "submit", who="referrer")
    resubmitted = [mail for mail in _mails(case, "case.triage")
                   if not mail.idempotency_key.endswith(
                       f"transition:{case.transitions[0].id}:case_triage")]
    assert _to(resubmitted) == {world.people["coordinator"].email}


@pytest.mark.parametrize(("action", "kind"), [
    ("accept", "case.accepted"), ("return", "case.returned"), ("decline", "case.declined"),
])
def test_a_triage_move_tells_the_referrer_and_the_unit(world, action, kind):
    case = refer(world)
    data = {"conference_id": world.conference.id} if action == "accept" else {"reason": REASON}
    _move(world, case, action, **data)
    mails = _mails(case, kind)
    assert _to(mails) == {world.people["referrer"].email, world.referring.mailbox}
    # Answers go to the coordinators who handle the case (the first NHV unit).
    assert {mail.reply_to for mail in mails} == {world.nhv[0].mailbox}
    _assert_clean_and_linked(case, mails)


def test_the_reason_is_not_mailed_the_mail_points_to_the_case_page(world):
    case = refer(world)
    _move(world, case, "return", reason=REASON)
    for mail in _mails(case, "case.returned"):
        assert "Koordinatorns meddelande" in mail.body_text
        assert "ärendesidan" in mail.body_text
        assert "Komplettera anmälan" in mail.body_text
        assert NUMBERS[0][:8] not in mail.body_text and "Nummer0" not in mail.body_html


def test_the_accepted_mail_gives_the_meeting_with_its_iso_week_and_host(world):
    case = accept(world, refer(world))
    local = to_local(world.conference.starts_at)
    for mail in _mails(case, "case.accepted"):
        assert f"v. {iso_week(local.date())}" in mail.subject
        assert f"v. {iso_week(local.date())}" in mail.body_text
        assert f"{local:%H:%M}" in mail.body_text
        assert world.nhv[0].name in mail.body_text


def test_a_deferral_gives_the_new_meeting(world):
    case = accept(world, refer(world))
    _move(world, case, "defer", conference_id=world.later_conference.id, reason=REASON)
    mails = _mails(case, "case.deferred")
    assert _to(mails) == {world.people["referrer"].email, world.referring.mailbox}
    week = iso_week(to_local(world.later_conference.starts_at).date())
    assert all(f"v. {week}" in mail.subject and world.nhv[1].name in mail.body_text
               for mail in mails)
    _assert_clean_and_linked(case, mails)


def test_a_withdrawal_tells_the_referrer_the_unit_and_the_handling_coordinators(world):
    case = accept(world, refer(world))
    _move(world, case, "withdraw", who="referrer", reason=REASON)
    mails = _mails(case, "case.withdrawn")
    assert _to(mails) == {world.people["referrer"].email, world.referring.mailbox,
                          world.people["coordinator"].email}
    _assert_clean_and_linked(case, mails)


def test_a_withdrawn_draft_tells_no_coordinator(world):
    case = refer(world, submit=False)
    _move(world, case, "withdraw", who="referrer", reason="Fel patient vald.")
    assert _to(_mails(case, "case.withdrawn")) == {world.people["referrer"].email,
                                                   world.referring.mailbox}


def test_a_person_who_chose_english_gets_english_mail_and_the_unit_swedish(world):
    referrer = world.people["referrer"]
    people.set_mail_preferences(world.actor("referrer"), referrer, "en", True)
    case = accept(world, refer(world))
    by_address = {mail.recipient_email: mail for mail in _mails(case, "case.accepted")}
    english, swedish = by_address[referrer.email], by_address[world.referring.mailbox]
    assert english.locale == "en" and english.subject.startswith(f"Case {case.number} accepted")
    assert "Please make sure the diagnostic material" in english.body_text
    assert "wk " in english.subject
    assert swedish.locale == "sv" and swedish.subject.startswith(f"Ärende {case.number}")


def test_informational_mail_respects_the_opt_out_and_action_mail_ignores_it(world):
    referrer = world.people["referrer"]
    people.set_mail_preferences(world.actor("referrer"), referrer, "sv", False)
    case = refer(world)
    assert _to(_mails(case, "case.submitted")) == {world.referring.mailbox}
    _move(world, case, "return", reason=REASON)  # asks the referrer to act
    assert referrer.email in _to(_mails(case, "case.returned"))
    _move(world, case, "decline", reason=REASON)  # information only
    assert _to(_mails(case, "case.declined")) == {world.referring.mailbox}


def test_the_opt_out_link_is_in_informational_mail_to_people_only(world):
    case = refer(world)
    by_address = {mail.recipient_email: mail for mail in _mails(case)}
    assert "http://localhost/me" in by_address[world.people["referrer"].email].body_text
    assert "http://localhost/me" not in by_address[world.referring.mailbox].body_text
    assert "http://localhost/me" not in by_address[world.people["coordinator"].email].body_text


def test_a_move_that_fails_queues_nothing(world):
    case = refer(world)
    world.conference.capacity = 1
    db.session.commit()
    accept(world, refer(world, number_index=1))
    before = db.session.scalar(select(func.count(OutboxMessage.id)))
    with pytest.raises(ConflictError):
        accept(world, case)  # the meeting is full
    assert _mails(case, "case.accepted") == []
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == before


def test_a_move_rolled_back_after_queuing_leaves_no_mail(world):
    case = refer(world)
    nested = db.session.begin_nested()
    case_id = case.id
    service._move(world.actor("coordinator"), world.principal("coordinator"), case,
                  service.MOVES["decline"], {"reason": REASON})
    assert db.session.scalar(select(func.count(OutboxMessage.id))
                             .where(OutboxMessage.kind == "case.declined")) == 2
    nested.rollback()
    assert db.session.scalar(select(func.count(OutboxMessage.id))
                             .where(OutboxMessage.case_id == case_id,
                                    OutboxMessage.kind == "case.declined")) == 0


def test_the_same_move_told_twice_queues_its_mail_once(world):
    case = refer(world)
    assert notifications.case_moved(case, case.transitions[-1]) == 0
    assert len(_mails(case)) == 4  # receipt x2, triage x2
