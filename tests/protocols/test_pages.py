"""The protocol page as each kind of user meets it: the coordinator drafts it, the chair signs
it with a confirmation, the MDT reads it once signed, the referrer and another area's
coordinator do not get in; a stale save keeps what was typed; bad input is named (never a
500, on PostgreSQL too); the case page links to it."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import func, select

from mdk.audit.models import AuditEvent
from mdk.cases.models import Case
from mdk.conferences.models import Conference
from mdk.extensions import db
from mdk.protocols.models import Protocol
from tests.protocols.factories import draft, signed

FORM = {"s-question": "Kurativ kemoradioterapi?", "s-stage": "T2N0M0",
        "s-recommendation": "Kurativ kemoradioterapi.",
        "s-intent": "curative", "s-treatment": "Kemoradioterapi 58 Gy.",
        "s-treating_unit": "home_region", "s-follow_up": "at_nhv_unit",
        "s-informs_patient.person": "Dr Remittent", "s-informs_patient.date": "2099-03-01",
        "s-participants": "Onkolog, kirurg, radiolog.", "s-study_considered": "no",
        "s-quality_register": "yes"}


def _url(case_id: int, tail: str = "") -> str:
    return f"/cases/{case_id}/protocol{tail}"


def _version(page: str) -> str:
    return re.search(r'name="version" value="(\d+)"', page)[1]


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def test_the_coordinator_drafts_and_the_chair_signs(app, chaired, case_on_meeting, browser):
    case_id = case_on_meeting.id
    coordinator = browser(chaired.people["coordinator"])
    page = coordinator.get(_url(case_id))
    assert page.status_code == 200 and "Påbörja protokollet" in _text(page)
    assert coordinator.post(_url(case_id, "/draft")).status_code == 302
    page = _text(coordinator.get(_url(case_id)))
    assert "Behandlingsrekommendation" in page and "Behandlingsintention" in page
    assert "Hemregionen (patientens hemort)" in page  # the unit section's choice
    assert "Signeras" not in page and "Mötets ordförande signerar protokollet." in page
    saved = coordinator.post(_url(case_id, "/save"), data={**FORM, "version": _version(page)})
    assert saved.status_code == 302

    chair = browser(chaired.people["host_member"])
    page = _text(chair.get(_url(case_id)))
    assert "Jag har läst protokollet och signerar det som det är sparat." in page
    unconfirmed = chair.post(_url(case_id, "/sign"), data={"version": _version(page)})
    assert unconfirmed.status_code == 422
    assert "Bekräfta att du har läst protokollet" in _text(unconfirmed)
    done = chair.post(_url(case_id, "/sign"), data={"version": _version(page), "confirm": "yes"})
    assert done.status_code == 302
    page = _text(chair.get(_url(case_id)))
    assert f"Signerat av {chaired.people['host_member'].name}" in page
    assert "Kurativ" in page and "Hemregionen" in page and "Dr Remittent · 2099-03-01" in page
    assert 'id="protocol-form"' not in page and 'id="addendum-form"' in page
    with app.app_context():
        assert db.session.get(Case, case_id).state == "discussed"


def test_a_stale_save_shows_the_saved_protocol_and_keeps_what_was_typed(
        app, chaired, case_on_meeting, browser):
    with app.app_context():
        protocol_id = draft(chaired, case_on_meeting).id
    coordinator = browser(chaired.people["coordinator"])
    first = coordinator.post(_url(case_on_meeting.id, "/save"),
                             data={"s-recommendation": "Den första", "version": "0"})
    assert first.status_code == 302
    stale = coordinator.post(_url(case_on_meeting.id, "/save"),
                             data={"s-recommendation": "Min andra text", "version": "0"})
    assert stale.status_code == 409
    page = _text(stale)
    assert "Protokollet har sparats av någon annan sedan du öppnade det." in page
    assert "Den första" in page and "Min andra text" in page
    with app.app_context():
        assert db.session.get(Protocol, protocol_id).values["recommendation"] == "Den första"


def test_bad_input_is_named_at_its_section(app, chaired, case_on_meeting, browser):
    with app.app_context():
        draft(chaired, case_on_meeting)
    response = browser(chaired.people["coordinator"]).post(
        _url(case_on_meeting.id, "/save"),
        data={"s-recommendation": "Kurativ\x00", "s-intent": "kanske",
              "s-informs_patient.date": "2099-13-01", "version": "0"})
    assert response.status_code == 422
    page = _text(response)
    assert re.search(r'id="error-recommendation">Ta bort styrtecknet', page)
    assert re.search(r'id="error-intent">Välj ett av alternativen.', page)
    assert re.search(r'id="error-informs_patient-date">Ange ett datum som finns', page)


def test_who_reads_the_protocol(app, chaired, case_on_meeting, browser):
    case_id = case_on_meeting.id
    with app.app_context():
        draft(chaired, case_on_meeting)
    member = browser(chaired.people["member"])
    page = member.get(_url(case_id))
    assert page.status_code == 200
    assert "Protokollet skrivs." in _text(page) and case_on_meeting.question not in _text(page)
    assert browser(chaired.people["referrer"]).get(_url(case_id)).status_code == 403
    assert browser(chaired.people["crs_coordinator"]).get(_url(case_id)).status_code == 404
    assert member.post(_url(case_id, "/draft")).status_code == 403
    with app.app_context():
        signed(chaired, db.session.get(Case, case_id))
    page = _text(member.get(_url(case_id)))
    assert "T2N0M0" in page and 'id="addendum-form"' not in page
    with app.app_context():
        reads = db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "protocol.read", AuditEvent.object_id == case_id,
            AuditEvent.actor_id == chaired.people["member"].id))
    assert reads == 1  # the draft was not shown to the member, so not read


def test_a_referral_not_yet_submitted_has_no_protocol_page_for_the_nhv_units(
        app, chaired, browser):
    """The referral is the disclosure (DESIGN.md §5): before it is submitted the NHV units
    do not see the case, by its protocol page neither (its identity would show there)."""
    from tests.cases.factories import refer

    with app.app_context():
        case_id = refer(chaired, submit=False).id
    for who in ("coordinator", "member", "host_member", "reviewer"):
        answer = browser(chaired.people[who]).get(_url(case_id))
        assert answer.status_code == 404, who
        assert "Testpatient" not in _text(answer)
    assert browser(chaired.people["coordinator"]).post(_url(case_id, "/draft")).status_code \
        == 404


def test_a_meeting_without_a_chair_says_so(app, chaired, case_on_meeting, browser):
    with app.app_context():
        draft(chaired, case_on_meeting)
        db.session.get(Conference, chaired.conference.id).chair_person_id = None
        db.session.commit()
    page = _text(browser(chaired.people["coordinator"]).get(_url(case_on_meeting.id)))
    assert "Mötet har ingen ordförande. Ordföranden signerar protokollet" in page


def test_an_addendum_on_the_page(app, chaired, case_on_meeting, browser):
    with app.app_context():
        signed(chaired, case_on_meeting)
    coordinator = browser(chaired.people["coordinator"])
    empty = coordinator.post(_url(case_on_meeting.id, "/addenda"), data={"text": "Rättelse"})
    assert empty.status_code == 422 and "Rättelse" in _text(empty)
    added = coordinator.post(_url(case_on_meeting.id, "/addenda"),
                             data={"text": "Rättelse: N1.", "reason": "Felskrivning"})
    assert added.status_code == 302
    page = _text(coordinator.get(_url(case_on_meeting.id)))
    assert "Rättelse: N1." in page and "Felskrivning" in page


def test_the_case_page_links_to_the_protocol(app, chaired, case_on_meeting, browser):
    page = _text(browser(chaired.people["coordinator"]).get(f"/cases/{case_on_meeting.id}"))
    assert f'href="/cases/{case_on_meeting.id}/protocol"' in page
    page = _text(browser(chaired.people["referrer"]).get(f"/cases/{case_on_meeting.id}"))
    assert "/protocol" not in page


def test_a_long_section_gets_a_text_area_as_tall_as_it(app, chaired, case_on_meeting, browser):
    case_id = case_on_meeting.id
    coordinator = browser(chaired.people["coordinator"])
    coordinator.post(_url(case_id, "/draft"))
    page = _text(coordinator.get(_url(case_id)))
    participants = "\n".join(f"Deltagare {n}, Onkolog, Karolinska Universitetssjukhuset, "
                             "Tema Cancer (på distans)" for n in range(6))
    coordinator.post(_url(case_id, "/save"), data={**FORM, "s-participants": participants,
                                                   "version": _version(page)})
    page = _text(coordinator.get(_url(case_id)))
    rows = dict(re.findall(r'<textarea id="s-(\w+)" name="s-\w+" rows="(\d+)"', page))
    assert rows["stage"] == "4"  # a short one keeps its four lines
    assert int(rows["participants"]) >= 12  # six lines of two rows each, and one to type in
