"""The agenda page as each kind of user meets it: who reads and who changes it, the patient
shown only where the identity rule allows, the Swedish conflict message on a stale save,
bad input named at its field (never a 500, on PostgreSQL too), and a page whose statement
count does not grow with its cases."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import select

from mdk.cases.models import Case
from mdk.conferences.models import Conference
from mdk.extensions import db
from tests.agenda.factories import many_on_agenda, on_agenda
from tests.cases.factories import NUMBERS


def _url(world, tail: str = "") -> str:
    return f"/conferences/{world.conference.id}/agenda{tail}"


def _version(page: str) -> str:
    return re.search(r'name="agenda_version" value="(\d+)"', page)[1]


def _rows(page: str) -> list[str]:
    return re.findall(r'data-case-number="([^"]+)"', page)


def test_the_coordinator_sees_the_agenda_with_slot_times_and_the_patient(app, world, browser):
    with app.app_context():
        first = on_agenda(world, 0, days_ago=4).number
        second = on_agenda(world, 1, who="other_referrer", days_ago=1,
                           priority="urgent").number
    response = browser(world.people["coordinator"]).get(_url(world))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _rows(page) == [second, first]
    assert "Agenda" in page and "10 minuter per ärende" in page
    assert "Placera, flytta eller ta bort" in page and "Lås agendan" in page
    assert "Nummer0" in page  # the coordinators of the area see the identity
    assert "Brådskande" in page


def test_a_member_reads_the_agenda_without_forms_or_another_units_patient(
        app, world, browser):
    with app.app_context():
        on_agenda(world, 0)
    page = browser(world.people["member"]).get(_url(world))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert len(_rows(text)) == 1
    assert "Nummer0" not in text and NUMBERS[0][:8] not in text
    assert "Placera, flytta eller ta bort" not in text and "Lås agendan" not in text


def test_who_may_open_and_change_the_agenda(app, world, browser):
    with app.app_context():
        case_id = on_agenda(world, 0).id
    for who, status in (("coordinator", 200), ("member", 200), ("reviewer", 200),
                        ("referrer", 403), ("crs_coordinator", 404)):
        assert browser(world.people[who]).get(_url(world)).status_code == status, who
    for who, status in (("member", 403), ("reviewer", 403), ("crs_coordinator", 404)):
        response = browser(world.people[who]).post(
            _url(world, "/order"), data={"agenda_version": "0", "case_id": str(case_id),
                                         "position": "1"})
        assert response.status_code == status, who


def test_the_meeting_page_and_the_calendar_list_link_to_the_agenda(app, world, browser):
    client = browser(world.people["coordinator"])
    assert _url(world) in client.get(f"/conferences/{world.conference.id}").get_data(
        as_text=True)
    assert _url(world) in client.get("/calendar/analcancer/list").get_data(as_text=True)


def test_a_stale_save_shows_the_conflict_and_the_current_agenda(app, world, browser):
    with app.app_context():
        ids = [on_agenda(world, index, days_ago=5 - index).id for index in range(3)]
        numbers = [db.session.get(Case, case_id).number for case_id in ids]
    first, second = browser(world.people["coordinator"]), \
        browser(world.people["other_coordinator"])
    stale = _version(second.get(_url(world)).get_data(as_text=True))
    saved = first.post(_url(world, "/order"), data={
        "agenda_version": _version(first.get(_url(world)).get_data(as_text=True)),
        "case_id": str(ids[2]), "position": "1"})
    assert saved.status_code == 302
    refused = second.post(_url(world, "/order"), data={
        "agenda_version": stale, "case_id": str(ids[1]), "position": "1", "form": "order"})
    assert refused.status_code == 409
    page = unescape(refused.get_data(as_text=True))
    assert "Agendan har ändrats av någon annan sedan du öppnade den" in page
    assert _rows(page) == [numbers[2], numbers[0], numbers[1]]  # the first save stays
    assert _version(page) != stale  # the page shown is the current one: redo from here
    again = second.post(_url(world, "/order"), data={
        "agenda_version": _version(page), "case_id": str(ids[1]), "position": "1"})
    assert again.status_code == 302


def test_bad_input_is_named_at_its_field_never_a_500(app, world, browser):
    with app.app_context():
        case_id = on_agenda(world, 0).id
    client = browser(world.people["coordinator"])
    version = _version(client.get(_url(world)).get_data(as_text=True))
    cases = [
        ("/order", {"case_id": "2147483648", "position": "1"}, 422, "Välj ett ärende"),
        ("/order", {"case_id": "99999999999999999999", "position": "1"}, 422,
         "Välj ett ärende"),
        ("/order", {"case_id": "1\x00", "position": "1"}, 422, "Välj ett ärende"),
        ("/order", {"case_id": str(case_id), "position": "7"}, 422, "Ange en plats"),
        ("/order", {"case_id": str(case_id), "position": "x\x00"}, 422, "Ange en plats"),
        ("/move", {"case_id": str(case_id), "conference_id": "2147483648"}, 422,
         "Välj ett möte"),
        ("/move", {"case_id": str(case_id), "conference_id": str(world.later_conference.id),
                   "reason": "a\x00b"}, 422, None),
        ("/remove", {"case_id": str(case_id), "reason": ""}, 422, None),
        ("/remove", {"case_id": str(case_id), "reason": "nul\x00"}, 422, None),
        ("/unlock", {"reason": "x"}, 409, "Agendan är inte låst"),
    ]
    for tail, data, status, text in cases:
        form = f"{'place' if tail == '/order' else tail.strip('/')}-{case_id}"
        response = client.post(_url(world, tail), data={"agenda_version": version,
                                                        "form": form, **data})
        assert response.status_code == status, (tail, data)
        page = unescape(response.get_data(as_text=True))
        if text:
            assert text in page, (tail, data)
        if tail == "/remove":
            assert f'id="remove-{case_id}-reason-error"' in page
    bad_version = client.post(_url(world, "/order"), data={
        "agenda_version": "-1\x00", "case_id": str(case_id), "position": "1"})
    assert bad_version.status_code == 422
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert (case.state, case.conference_id) == ("accepted", world.conference.id)


def test_a_locked_agenda_offers_only_the_unlock(app, world, browser):
    with app.app_context():
        case_id = on_agenda(world, 0).id
        db.session.get(Conference, world.conference.id).status = "agenda_locked"
        db.session.commit()
    client = browser(world.people["coordinator"])
    page = client.get(_url(world)).get_data(as_text=True)
    assert "Lås upp agendan" in page and "Placera, flytta eller ta bort" not in page
    refused = client.post(_url(world, "/order"), data={
        "agenda_version": _version(page), "case_id": str(case_id), "position": "1"})
    assert refused.status_code == 409
    assert "lås upp den först" in unescape(refused.get_data(as_text=True))
    unlocked = client.post(_url(world, "/unlock"), data={
        "agenda_version": _version(page), "reason": "Ett sent ärende", "form": "unlock"})
    assert unlocked.status_code == 302
    page = unescape(client.get(_url(world)).get_data(as_text=True))
    assert "Upplåst · " in page and "Ett sent ärende" in page
    assert "Placera, flytta eller ta bort" in page


def test_the_agenda_page_runs_the_same_statements_at_10_and_at_200_cases(
        app, world, browser, statement_counter):
    client = browser(world.people["coordinator"])

    def statements() -> int:
        with statement_counter() as counted:
            response = client.get(_url(world))
            assert response.status_code == 200
        return counted.count, len(_rows(response.get_data(as_text=True)))

    with app.app_context():
        many_on_agenda(world, world.conference, 10, seed=71)
        ten = statements()
        many_on_agenda(world, world.conference, 190, seed=72)
    two_hundred = statements()
    assert ten[1] == 10 and two_hundred[1] == 200
    assert ten[0] == two_hundred[0]
    with app.app_context():
        assert db.session.scalar(select(Case.id).where(
            Case.conference_id == world.conference.id).limit(1)) is not None


def test_the_agenda_is_available_in_english(app, world, browser):
    with app.app_context():
        on_agenda(world, 0)
    client = browser(world.people["coordinator"])
    client.post("/language", data={"language": "en", "next": "/"})
    page = unescape(client.get(_url(world)).get_data(as_text=True))
    assert "10 minutes per case" in page and "Place, move or remove" in page
    assert "Lock the agenda" in page and "minuter per ärende" not in page
