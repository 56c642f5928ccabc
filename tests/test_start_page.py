"""The start page per role (issue 9, item 12): what each role acts on next, as counts and
short lists of case numbers, never a patient's identity, in a constant number of statements."""

from __future__ import annotations

import re

import pytest

from mdk.cases import service as cases
from mdk.extensions import db
from mdk.people import service as people
from tests.cases.factories import NUMBERS, accept, make_world, refer
from tests.support import log_in


@pytest.fixture()
def world(app):
    with app.app_context():
        yield make_world()


@pytest.fixture()
def start_page(app):
    """`start_page(person)`: the start page's HTML as that person sees it, fetched in an app
    context of its own (the world's stays open; see tests/cases/test_pages.py)."""
    def fetch(person) -> str:
        client = app.test_client()
        log_in(client, person)
        with app.app_context():
            response = client.get("/")
        assert response.status_code == 200
        return response.get_data(as_text=True)
    return fetch


def _section(page: str, heading_id: str) -> str:
    match = re.search(rf'<section aria-labelledby="{heading_id}">(.*?)</section>', page, re.S)
    return match[1] if match else ""


def _return(world, case):
    return cases.move_case(world.actor("coordinator"), world.principal("coordinator"), case,
                           "return", {"reason": "PAD saknas"})


def _no_identity(page: str) -> None:
    assert "Testpatient" not in page and "Nummer" not in page
    for number in NUMBERS[:8]:
        assert number not in page and f"{number[:8]}-{number[8:]}" not in page


def test_referrer_sees_the_refer_button_and_the_units_cases_to_complete(world, start_page):
    returned = _return(world, refer(world, number_index=0))
    draft = refer(world, number_index=1, submit=False)
    other_units = refer(world, "other_referrer", number_index=2, submit=False)
    page = start_page(world.people["referrer"])
    assert '<a class="button big" href="/cases/new">Anmäl ett nytt ärende</a>' in page
    to_complete = _section(page, "to-complete")
    assert returned.number in to_complete and draft.number in to_complete
    assert to_complete.index(returned.number) < to_complete.index(draft.number)
    assert other_units.number not in page
    assert "Nästa att bedöma" not in page and "Kommande möten" not in page
    _no_identity(page)


def test_referrer_sees_the_recent_answers_with_the_meeting(world, start_page):
    booked = accept(world, refer(world, number_index=0))
    waiting = refer(world, number_index=1)
    answers = _section(start_page(world.people["referrer"]), "answers")
    assert booked.number in answers and "Accepterat" in answers and "möte" in answers
    assert waiting.number not in answers


def test_coordinator_sees_cases_to_triage_urgent_first_and_meetings_booked(world, start_page):
    normal = refer(world, number_index=0)
    urgent = refer(world, number_index=1, priority="urgent")
    accept(world, refer(world, number_index=2))
    page = start_page(world.people["coordinator"])
    triage = _section(page, "to-triage")
    assert triage.index(urgent.number) < triage.index(normal.number)
    meetings = _section(page, "meetings")
    assert re.search(r'<td class="num">1 / 9</td>', meetings)  # the first meeting, 1 booked
    assert re.search(r'<td class="num">0 / 9</td>', meetings)
    assert "Anmäl ett nytt ärende" in page  # a coordinator may refer too
    assert 'id="to-complete"' not in page and 'id="registers"' not in page
    _no_identity(page)


@pytest.mark.parametrize("who", ["member", "reviewer"])
def test_member_and_reviewer_see_the_next_meetings_of_their_area(world, start_page, who):
    page = start_page(world.people[who])
    meetings = _section(page, "meetings")
    assert meetings.count("/conferences/") == 2
    assert "Anmäl ett nytt ärende" not in page and 'id="to-triage"' not in page


def test_meetings_of_another_care_area_are_not_on_the_start_page(world, start_page):
    page = start_page(world.people["crs_coordinator"])
    assert "Inget möte är planerat." in _section(page, "meetings")


def test_admin_sees_registers_and_the_check_of_the_areas_they_administer(world, start_page):
    admin = world.people["nobody"]
    people.grant_role(admin, "admin", "analcancer", admin.unit_id)
    db.session.commit()
    page = start_page(admin)
    registers = _section(page, "registers")
    assert "aktiva enheter" in registers and "aktiva personer" in registers
    assert "Analcancer" in registers and "CRS" not in registers
    # The world's coordinators work at the first two NHV units only.
    nhv = [unit.short_name for unit in world.nhv]
    assert f"ingen koordinator: {nhv[2]}, {nhv[3]}" in registers
    assert 'id="to-triage"' not in page and 'id="meetings"' not in page
    assert "Anmäl ett nytt ärende" not in page


def test_admin_who_also_coordinates_sees_both_parts(start_page, admin_user):
    page = start_page(admin_user)  # admin and coordinator of every area
    assert 'id="registers"' in page and 'id="to-triage"' in page and 'id="meetings"' in page


def test_start_page_runs_the_same_statements_for_few_or_many_cases(
        app, world, statement_counter):
    person = world.people["coordinator"]  # also referrer and admin: every part of the page
    people.grant_role(person, "referrer", "analcancer", world.referring.id)
    people.grant_role(person, "admin", "analcancer", person.unit_id)
    db.session.commit()
    client = app.test_client()
    log_in(client, person)

    def statements() -> int:
        with app.app_context(), statement_counter() as counted:
            assert client.get("/").status_code == 200
        return counted.count

    refer(world, number_index=0)
    # An accepted case in the first count too: accepting makes material rows (the entries
    # reviewed at the host), whose availability and files are then loaded, whatever their number.
    accept(world, refer(world, number_index=8))
    few = statements()
    for index in range(1, 8):
        case = refer(world, number_index=index, submit=index % 2 == 0)
        if index % 4 == 0:
            accept(world, case)
        elif index % 4 == 2:
            _return(world, case)
    assert statements() == few


@pytest.mark.parametrize("who", ["coordinator", "referrer"])
def test_each_to_do_count_is_the_length_of_the_list_it_links_to(app, world, start_page, who):
    """The case list opens on the cases in progress; the start page's tiles name one state
    each, and the list they open counts what the tile says (ended cases aside)."""
    accept(world, refer(world, number_index=0))
    _return(world, refer(world, number_index=1))
    refer(world, number_index=2, submit=False)
    refer(world, number_index=3)
    declined = refer(world, number_index=4)
    cases.move_case(world.actor("coordinator"), world.principal("coordinator"), declined,
                    "decline", {"reason": "Inte aktuell"})
    page = start_page(world.people[who])
    tiles = re.findall(r'<a href="(/cases\?state=\w+)"><span class="count">(\d+)</span>', page)
    assert len(tiles) >= 2
    client = app.test_client()
    log_in(client, world.people[who])
    for link, count in tiles:
        with app.app_context():
            listed = client.get(link).get_data(as_text=True)
        assert f"Ärenden: {count} ·" in listed, link
