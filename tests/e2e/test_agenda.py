"""The agenda in a real browser, in Swedish, with two coordinators of anal cancer at once: the
first moves a case to another meeting, where it arrives with its slot time; the second, who
opened the agenda before that save, places another case and is shown the conflict message
with the agenda as it is now (the first coordinator's move kept). The agenda pages are kept
in test-artifacts/ for a human look."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from mdk.access.policy import principal_for
from mdk.audit.service import actor_for
from mdk.cases import service as cases
from mdk.cases.models import Case
from mdk.conferences.models import Conference
from mdk.db import utcnow
from mdk.extensions import db
from mdk.patients.service import fictitious_identity_numbers
from mdk.people.models import Person, RoleGrant
from tests.cases.factories import referral
from tests.e2e.conftest import ARTIFACTS, LIVE, log_in_with

pytestmark = pytest.mark.e2e

# A seed of its own: neither the demo's patients nor the other browser tests' numbers.
NUMBERS = fictitious_identity_numbers(2, seed=20261301)
SLOT_TIME = re.compile(r"^\d{2}:\d{2}$")  # a slot's start as the page writes it


def _people(role: str) -> list[Person]:
    return list(db.session.scalars(
        select(Person).join(RoleGrant, RoleGrant.person_id == Person.id)
        .where(RoleGrant.role == role, RoleGrant.care_area == "analcancer", Person.active)
        .order_by(Person.id)))


def _setup() -> dict:
    """Two coming meetings with room; two cases of the test on the first; two coordinators."""
    with LIVE["app"].app_context():
        coordinators = _people("coordinator")[:2]
        referrer = _people("referrer")[0]
        meetings = [conference for conference in db.session.scalars(
            select(Conference).where(Conference.care_area == "analcancer",
                                     Conference.status == "planned",
                                     Conference.starts_at > utcnow() + timedelta(days=3))
            .order_by(Conference.starts_at))
            if cases.agenda_size(conference.id) + 2 <= conference.capacity][:2]
        made = []
        for index, number in enumerate(NUMBERS):
            data = {**referral(0, identity_number=number, family_name=f"Agenda{index}"),
                    "submit": True}
            case = cases.register_case(actor_for(referrer), principal_for(referrer), data)
            cases.move_case(actor_for(coordinators[0]), principal_for(coordinators[0]), case,
                            "accept", {"conference_id": meetings[0].id})
            made.append((case.id, case.number))
        found = {"coordinators": [person.email for person in coordinators],
                 "from": meetings[0].id, "to": meetings[1].id, "cases": made}
        db.session.remove()
    return found


def _context_page(browser, live_server: str) -> Page:
    context = browser.new_context(base_url=live_server, locale="sv-SE",
                                  timezone_id="Europe/Stockholm")
    context.set_default_timeout(10_000)
    return context.new_page()


def test_a_case_moves_between_meetings_and_a_stale_save_shows_the_conflict(
        browser, live_server):
    world = _setup()
    (moving_id, moving), (other_id, other) = world["cases"]
    first = _context_page(browser, live_server)
    second = _context_page(browser, live_server)
    try:
        log_in_with(first, world["coordinators"][0])
        log_in_with(second, world["coordinators"][1])
        # The second coordinator opens the agenda before the first one saves.
        second.goto(f"/conferences/{world['from']}")
        second.locator("#agenda-link").click()
        expect(second.locator("h1")).to_contain_text("Agenda")
        expect(second.locator(f"#slot-{moving_id}")).to_be_visible()

        first.goto(f"/conferences/{world['from']}/agenda")
        row = first.locator(f"#slot-{moving_id}")
        row.locator("summary").click()
        row.get_by_label("Flytta till mötet").select_option(str(world["to"]))
        row.get_by_label("Anledning (valfritt)").fill("Jämnare fördelning")
        row.get_by_role("button", name="Flytta ärendet").click()
        expect(first.locator(".flash")).to_contain_text("Ärendet flyttades till det andra mötet")
        expect(first.locator(f"#slot-{moving_id}")).to_have_count(0)
        ARTIFACTS.mkdir(exist_ok=True)
        first.screenshot(path=str(ARTIFACTS / "agenda-after-move.png"), full_page=True)

        first.goto(f"/conferences/{world['to']}/agenda")
        arrived = first.locator(f"#slot-{moving_id}")
        expect(arrived).to_contain_text(moving)
        expect(arrived.locator("time")).to_have_text(SLOT_TIME)
        first.screenshot(path=str(ARTIFACTS / "agenda.png"), full_page=True)

        # The second coordinator's page is stale: their save is refused, nothing lost.
        row = second.locator(f"#slot-{other_id}")
        row.locator("summary").click()
        row.get_by_label("Plats på agendan").fill("1")
        row.get_by_role("button", name="Placera här").click()
        expect(second.locator("#agenda-error")).to_contain_text(
            "Agendan har ändrats av någon annan sedan du öppnade den")
        expect(second.locator(f"#slot-{moving_id}")).to_have_count(0)  # the current agenda
        expect(second.locator(f"#slot-{other_id}")).to_be_visible()
        second.screenshot(path=str(ARTIFACTS / "agenda-conflict.png"), full_page=True)
    finally:
        first.context.close()
        second.context.close()
    with LIVE["app"].app_context():
        moved = db.session.get(Case, moving_id)
        assert moved.conference_id == world["to"] and moved.state == "accepted"
        assert moved.transitions[-1].reason == "Jämnare fördelning"
        assert db.session.get(Case, other_id).agenda_position is None  # refused: not saved
        db.session.remove()
