"""Triage as a coordinator does it: the case list in triage order (urgent first, then the
longest waiting) with the received date and the waiting time, on the page and in the API;
the accept form's meetings with booked places and referral deadline; and the meeting page's
booked cases, scoped like the case list, in a constant number of statements."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import unescape

from sqlalchemy import select

from mdk.audit.models import AuditEvent
from mdk.care_areas.service import care_area
from mdk.cases import triage
from mdk.cases.models import Case
from mdk.conferences.models import Conference
from mdk.db import utcnow
from mdk.extensions import db
from mdk.i18n import format_datetime_local, format_near_datetime, to_local
from tests.cases.factories import AREA, NUMBERS, OTHER_AREA, _meeting, accept, refer
from tests.cases.test_pages import _pnr


def _received(case: Case, days_ago: int) -> Case:
    case.submitted_at = utcnow() - timedelta(days=days_ago)
    db.session.commit()
    return case


@dataclass(frozen=True)
class Ref:
    """What a test keeps of a case after the app context that made it has closed."""

    id: int
    number: str
    patient_id: int


def _refs(cases: dict[str, Case]) -> dict[str, Ref]:
    return {key: Ref(case.id, case.number, case.patient_id) for key, case in cases.items()}


def _queue(world) -> dict[str, Ref]:
    """Five cases of one referring unit, made in an order unlike the triage order."""
    cases = {
        "old_normal": _received(refer(world), 10),
        "new_urgent": _received(refer(world, number_index=1, priority="urgent"), 1),
        "mid_normal": _received(refer(world, number_index=2), 3),
        "old_urgent": _received(refer(world, number_index=3, priority="urgent"), 4),
        "draft": refer(world, number_index=4, submit=False),
    }
    return _refs(cases)


TRIAGE_ORDER = ["old_urgent", "new_urgent", "old_normal", "mid_normal", "draft"]


def _in_page_order(page: str, cases: dict[str, Ref]) -> list[str]:
    return sorted(cases, key=lambda key: page.index(cases[key].number))


def test_the_case_list_puts_urgent_first_then_the_longest_waiting(app, world, browser):
    with app.app_context():
        cases = _queue(world)
    page = browser(world.people["referrer"]).get("/cases").get_data(as_text=True)
    assert _in_page_order(page, cases) == TRIAGE_ORDER


def test_the_api_list_has_the_same_default_order_and_the_waiting_days(app, world, browser):
    with app.app_context():
        cases = _queue(world)
    client = browser(world.people["referrer"])
    listed = client.get("/api/v1/cases").json
    by_id = {case.id: key for key, case in cases.items()}
    assert [by_id[item["id"]] for item in listed] == TRIAGE_ORDER
    waiting = {by_id[item["id"]]: item["waiting_days"] for item in listed}
    assert waiting == {"old_urgent": 4, "new_urgent": 1, "old_normal": 10, "mid_normal": 3,
                       "draft": None}
    paged = client.get("/api/v1/cases?page=2&page_size=2").json
    assert [by_id[item["id"]] for item in paged] == TRIAGE_ORDER[2:4]


def _ended(world, number_index: int, state: str, days_ago: int) -> Case:
    """An urgent case received long ago that has ended (declined, closed, withdrawn)."""
    case = _received(refer(world, number_index=number_index, priority="urgent"), days_ago)
    case.state = state
    db.session.commit()
    return case


def _queue_with_ended(world) -> tuple[dict[str, Ref], dict[str, Ref]]:
    cases = _queue(world)
    ended = _refs({state: _ended(world, index, state, 30 + index)
                   for index, state in ((5, "declined"), (6, "closed"), (7, "withdrawn"))})
    return cases, ended


def test_the_case_list_opens_on_the_cases_in_progress_in_triage_order(app, world, browser):
    with app.app_context():
        cases, ended = _queue_with_ended(world)
    client = browser(world.people["referrer"])
    page = client.get("/cases").get_data(as_text=True)
    assert _in_page_order(page, cases) == TRIAGE_ORDER
    for case in ended.values():  # old and urgent, but done: not above the waiting ones
        assert case.number not in page
    assert '<option value="in_progress" selected>Pågående</option>' in page
    assert '<option value="all">Alla</option>' in page
    assert "Ärenden: 5" in page
    # "Alla": every state, in the same order, so the old urgent ended cases come first.
    every = client.get("/cases?state=all").get_data(as_text=True)
    assert _in_page_order(every, {**cases, **ended}) == [
        "withdrawn", "closed", "declined", *TRIAGE_ORDER]
    assert '<option value="all" selected>Alla</option>' in every
    declined = client.get("/cases?state=declined").get_data(as_text=True)
    assert ended["declined"].number in declined and cases["old_urgent"].number not in declined
    # An unknown choice is the default, not an error.
    assert _in_page_order(client.get("/cases?state=lost").get_data(as_text=True),
                          cases) == TRIAGE_ORDER


def test_a_number_search_in_progress_offers_every_state(app, world, browser):
    with app.app_context():
        _cases, ended = _queue_with_ended(world)
    client = browser(world.people["referrer"])
    number = ended["closed"].number
    page = unescape(client.get(f"/cases?q={number}").get_data(as_text=True))
    assert "Inga ärenden matchar." in page and f'href="/cases/{ended["closed"].id}"' not in page
    link = re.search(r'<a href="(/cases\?[^"]*state=all[^"]*)"', page)[1]
    assert f'href="/cases/{ended["closed"].id}"' in client.get(link).get_data(as_text=True)


def test_the_api_list_defaults_to_the_cases_in_progress(app, world, browser):
    with app.app_context():
        cases, ended = _queue_with_ended(world)
    client = browser(world.people["referrer"])
    by_id = {case.id: key for key, case in {**cases, **ended}.items()}

    def listed(query: str = "") -> list[str]:
        response = client.get(f"/api/v1/cases{query}")
        assert response.status_code == 200, response.json
        return [by_id[item["id"]] for item in response.json]

    assert listed() == TRIAGE_ORDER
    assert listed("?state=in_progress") == TRIAGE_ORDER
    assert listed("?state=all") == ["withdrawn", "closed", "declined", *TRIAGE_ORDER]
    assert listed("?state=declined,draft") == ["declined", "draft"]
    assert listed("?state=in_progress&state=closed") == ["closed", *TRIAGE_ORDER]


def test_the_openapi_document_gives_the_state_choices_and_the_default(anonymous_client):
    get = anonymous_client.get("/api/openapi.json").json["paths"]["/api/v1/cases"]["get"]
    [state] = [item for item in get["parameters"] if item["name"] == "state"]
    assert state["schema"]["default"] == ["in_progress"]
    assert {"in_progress", "all", "closed"} <= set(state["schema"]["items"]["enum"])
    assert "in_progress" in state["description"] and "withdrawn" in state["description"]


def test_the_case_list_shows_the_received_date_and_the_waiting_time(app, world, browser):
    with app.app_context():
        waiting = _received(refer(world), 5)
        received = waiting.submitted_at
        today = refer(world, number_index=1)
        done = _received(refer(world, number_index=2), 8)
        done.state = "discussed"
        db.session.commit()
        day = app.jinja_env.filters["day"](received)
        waiting, today, done = (Ref(c.id, c.number, c.patient_id) for c in (waiting, today, done))
    page = browser(world.people["coordinator"]).get("/cases").get_data(as_text=True)
    row = _row(page, waiting.number)
    assert day in row and "väntat 5 dagar" in row
    assert "inkom i dag" in _row(page, today.number)
    assert "väntat" not in _row(page, done.number)  # discussed: no longer waiting
    assert "Inkom" in page and "brådskande först, sedan längst väntetid" in page


def _row(page: str, number: str) -> str:
    match = re.search(rf"<tr>(?:(?!</tr>).)*{re.escape(number)}(?:(?!</tr>).)*</tr>", page,
                      re.S)
    assert match, number
    return match.group(0)


# --- choosing a meeting -------------------------------------------------------------------

def test_the_referral_deadline_counts_working_days_back_at_the_series_time(app):
    def deadline(local_start: str) -> str:
        meeting = Conference(starts_at=datetime.fromisoformat(local_start).astimezone(UTC))
        return f"{to_local(triage.referral_deadline(meeting, series)):%Y-%m-%d %H:%M}"

    with app.app_context():
        series = care_area(AREA).series_by_key("national")  # 2 working days before, 12:00
        assert deadline("2026-12-08T08:00+01:00") == "2026-12-04 12:00"  # Tue -> Fri
        # Christmas: Fri 25 is a holiday, Thu 24 a closed eve.
        assert deadline("2026-12-29T08:00+01:00") == "2026-12-23 12:00"
        assert triage.referral_deadline(Conference(starts_at=utcnow()), None) is None


def test_the_accept_form_shows_booked_places_deadline_and_marks_a_full_meeting(
        app, world, browser):
    with app.app_context():
        for index in range(3):
            accept(world, refer(world, number_index=index))
        world.later_conference.capacity = 1
        db.session.commit()
        accept(world, refer(world, number_index=3), conference_id=world.later_conference.id)
        soon = _meeting(world.nhv[2], 1)  # its deadline is already past
        case = refer(world, number_index=4)
        offers = {offer.conference.id: offer for offer in triage.meeting_offers(AREA)}
        deadline = format_near_datetime(offers[world.conference.id].cutoff, "sv")
        ids = world.conference.id, world.later_conference.id, soon.id
    page = browser(world.people["coordinator"]).get(f"/cases/{case.id}").get_data(as_text=True)
    options = _options(page, "accept-conference_id")
    open_, full, late = (options[conference_id] for conference_id in ids)
    assert "3 av 9 platser bokade" in open_[1] and f"anmälan senast {deadline}" in open_[1]
    assert "v. " in open_[1] and world.nhv[0].short_name in open_[1]
    assert "disabled" not in open_[0] and "FULLT" not in open_[1]
    assert "1 av 1 platser bokade" in full[1] and "FULLT" in full[1]
    assert "disabled" in full[0]
    assert "anmälningstiden har gått ut" in late[1] and "disabled" not in late[0]


def _options(page: str, select_id: str) -> dict[int, tuple[str, str]]:
    """The select's options with a value: {value: (attributes, label)}."""
    block = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', page, re.S)
    assert block, select_id
    options = {}
    for attributes, label in re.findall(r"<option([^>]*)>([^<]*)</option>", block.group(1)):
        value = re.search(r'value="(\d+)"', attributes)
        if value:
            options[int(value.group(1))] = (attributes, unescape(label))
    return options


def test_the_meetings_offered_are_counted_in_one_statement(app, world, statement_counter):
    def statements() -> int:
        with app.app_context(), statement_counter() as counted:
            offers = triage.meeting_offers(AREA)
            assert all(offer.conference.host_unit is not None for offer in offers)
        return counted.count

    assert statements() == 1
    with app.app_context():
        for days in range(20, 60, 7):
            _meeting(world.nhv[1], days)
        accept(world, refer(world))
    assert statements() == 1


# --- the meeting page ------------------------------------------------------------------------

def _booked(app, world) -> dict[str, Ref]:
    with app.app_context():
        mine = accept(world, refer(world, priority="urgent"))
        theirs = accept(world, refer(world, "other_referrer", number_index=1),
                        treating_unit_id=world.nhv[2].id)
        waiting = refer(world, number_index=2)  # submitted, on no meeting
        # A case of another care area can never be booked on this meeting; if a row ever
        # said so, the page must still not show it.
        stray = refer(world, number_index=3)
        stray.care_area, stray.state, stray.conference_id = OTHER_AREA, "accepted", \
            world.conference.id
        db.session.commit()
        return _refs({"mine": mine, "theirs": theirs, "waiting": waiting, "stray": stray})


def _meeting_page(world, browser, who: str) -> str:
    response = browser(world.people[who]).get(f"/conferences/{world.conference.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_meeting_page_lists_its_booked_cases_for_the_coordinator(app, world, browser):
    cases = _booked(app, world)
    page = _meeting_page(world, browser, "coordinator")
    booked = page[page.index("Bokade ärenden"):]
    assert booked.index(cases["mine"].number) < booked.index(cases["theirs"].number)
    assert cases["waiting"].number not in booked and cases["stray"].number not in booked
    row = _row(booked, cases["mine"].number)
    assert f'href="/cases/{cases["mine"].id}"' in row and "Brådskande" in row
    assert world.referring.short_name in row and "Kurativ kemoradioterapi" in row
    assert _pnr(NUMBERS[0]) in row  # the area's coordinator sees the identity
    assert "3 av 9 platser bokade" in page  # the places taken, the stray row's too
    with app.app_context():
        deadline = triage.referral_deadline(db.session.merge(world.conference),
                                            care_area(AREA).series_by_key("national"))
        assert f"Sista anmälningsdag</dt><dd>{format_datetime_local(deadline, 'sv')}" in page


def test_the_meeting_page_shows_each_reader_what_the_policy_allows(app, world, browser):
    cases = _booked(app, world)
    member = _meeting_page(world, browser, "member")  # an uninvolved NHV unit
    assert cases["mine"].number in member and cases["theirs"].number in member
    assert _pnr(NUMBERS[0]) not in member and _pnr(NUMBERS[1]) not in member
    assert "Nummer0" not in member
    treating = _meeting_page(world, browser, "treating_member")
    assert _pnr(NUMBERS[1]) in treating and _pnr(NUMBERS[0]) not in treating
    referrer = _meeting_page(world, browser, "referrer")  # their own unit's cases only
    assert cases["mine"].number in referrer and cases["theirs"].number not in referrer
    assert _pnr(NUMBERS[0]) in referrer and "3 av 9 platser bokade" in referrer
    for page in (member, treating, referrer):
        assert cases["stray"].number not in page
    crs = browser(world.people["crs_coordinator"]).get(f"/conferences/{world.conference.id}")
    assert crs.status_code == 404


def test_the_meeting_page_writes_one_read_event_per_case_shown(app, world, browser):
    cases = _booked(app, world)
    _meeting_page(world, browser, "referrer")
    with app.app_context():
        read = set(db.session.execute(
            select(AuditEvent.object_id, AuditEvent.patient_id)
            .where(AuditEvent.action == "case.read",
                   AuditEvent.actor_id == world.people["referrer"].id)))
    assert read == {(cases["mine"].id, cases["mine"].patient_id)}


def test_the_meeting_page_runs_a_constant_number_of_statements(
        app, world, browser, statement_counter):
    client = browser(world.people["coordinator"])

    def statements() -> int:
        with statement_counter() as counted:
            assert client.get(f"/conferences/{world.conference.id}").status_code == 200
        return counted.count

    with app.app_context():
        accept(world, refer(world))
    few = statements()
    with app.app_context():
        for index in range(1, 7):
            accept(world, refer(world, "other_referrer" if index % 2 else "referrer",
                                number_index=index, protected_identity=index == 3),
                   treating_unit_id=world.nhv[2].id)
    assert statements() == few


def test_the_api_list_runs_a_constant_number_of_statements(app, world, browser,
                                                           statement_counter):
    client = browser(world.people["coordinator"])

    def statements() -> int:
        with statement_counter() as counted:
            response = client.get("/api/v1/cases?area=analcancer")
            assert response.status_code == 200
        return counted.count

    with app.app_context():
        accept(world, refer(world))
    few = statements()
    with app.app_context():
        for index in range(1, 7):
            accept(world, refer(world, number_index=index, priority="urgent"),
                   treating_unit_id=world.nhv[2].id)
        refer(world, number_index=7)
    assert statements() == few
