"""The conference view in a real browser: the arrow keys go to the next and the previous
case (the links' ?case=N), and the case timer counts. A screenshot of the shared screen is
kept in test-artifacts/ for a human look."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from mdk.access.policy import principal_for
from mdk.audit.service import actor_for
from mdk.cases import service as cases
from mdk.conferences.models import Conference
from mdk.db import utcnow
from mdk.extensions import db
from mdk.patients.service import fictitious_identity_numbers
from mdk.people.models import Person, RoleGrant
from tests.cases.factories import referral
from tests.e2e.conftest import ARTIFACTS, LIVE, log_in_with

pytestmark = pytest.mark.e2e

NUMBERS = fictitious_identity_numbers(2, seed=20261401)


def _person(role: str) -> Person:
    return db.session.scalars(
        select(Person).join(RoleGrant, RoleGrant.person_id == Person.id)
        .where(RoleGrant.role == role, RoleGrant.care_area == "analcancer", Person.active)
        .order_by(Person.id)).first()


def _meeting_with_two_cases() -> tuple[int, str]:
    with LIVE["app"].app_context():
        coordinator, referrer = _person("coordinator"), _person("referrer")
        meeting = next(conference for conference in db.session.scalars(
            select(Conference).where(Conference.care_area == "analcancer",
                                     Conference.status == "planned",
                                     Conference.starts_at > utcnow() + timedelta(days=3))
            .order_by(Conference.starts_at))
            if cases.agenda_size(conference.id) + 2 <= conference.capacity)
        for index, number in enumerate(NUMBERS):
            case = cases.register_case(actor_for(referrer), principal_for(referrer), {
                **referral(0, identity_number=number, family_name=f"Skarm{index}"),
                "submit": True})
            cases.move_case(actor_for(coordinator), principal_for(coordinator), case,
                            "accept", {"conference_id": meeting.id})
        found = (meeting.id, coordinator.email)
        db.session.remove()
    return found


def test_the_arrow_keys_step_through_the_cases_and_the_timer_counts(anonymous_page: Page):
    meeting_id, coordinator = _meeting_with_two_cases()
    page = anonymous_page
    log_in_with(page, coordinator)
    page.goto(f"/conferences/{meeting_id}/conference")
    current = page.locator("#current-case")
    first = current.get_attribute("data-case-number")
    expect(page.locator("#case-timer")).not_to_have_text("0:00", timeout=5_000)
    page.keyboard.press("ArrowRight")
    page.wait_for_url(f"**/conferences/{meeting_id}/conference?case=2")
    assert current.get_attribute("data-case-number") != first
    expect(page.get_by_text("Ärende 2 av")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "conference-day.png"), full_page=True)
    page.keyboard.press("ArrowLeft")
    page.wait_for_url(f"**/conferences/{meeting_id}/conference?case=1")
    assert current.get_attribute("data-case-number") == first
