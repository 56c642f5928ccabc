"""The coordinator's inbox (/inbox): each group holds exactly its cases, within the
coordinator's care areas; names only where the identity rule allows; one read event per case
shown, in one INSERT; and a fixed number of statements however many rows."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from mdk.audit.models import AuditEvent
from mdk.extensions import db
from tests.cases.factories import NUMBERS, accept, refer
from tests.queues.factories import (
    hold,
    resubmit,
    return_case,
    review_task,
    section,
    staff_the_host,
)


def _pnr(number: str) -> str:
    return f"{number[:8]}-{number[8:]}"


def _inbox(browser, person) -> str:
    response = browser(person).get("/inbox")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _every_group(app, world) -> dict:
    """One case of each kind the inbox must list, and of each it must not."""
    with app.app_context():
        staff_the_host(world)
        made = {
            "new": refer(world, number_index=0),
            "resubmitted": resubmit(world, return_case(world, refer(world, number_index=1))),
            "still_returned": return_case(world, refer(world, number_index=2)),
            "draft": refer(world, number_index=3, submit=False),
            "held": accept(world, refer(world, number_index=4)),
            "decided": accept(world, refer(world, number_index=5)),
            "held_elsewhere": accept(world, refer(world, number_index=6)),
            "ready_verdict": accept(world, refer(world, number_index=7)),
            "late": accept(world, refer(world, number_index=8)),
            "unassigned": accept(world, refer(world, number_index=9)),
            "on_time": accept(world, refer(world, number_index=10)),
            "late_but_done": accept(world, refer(world, number_index=11)),
        }
        hold(made["held"])
        hold(made["decided"], decided=True)
        hold(made["held_elsewhere"], world.later_conference)  # not its meeting now
        hold(made["ready_verdict"], outcome="ready")
        reviewer = world.people["reviewer"]
        review_task(made["late"], assignee=reviewer, due_in_days=-1)
        review_task(made["unassigned"], due_in_days=3)
        review_task(made["on_time"], assignee=reviewer, due_in_days=3)
        review_task(made["late_but_done"], assignee=reviewer, due_in_days=-1, state="done")
        return {key: case.number for key, case in made.items()}


def test_each_group_holds_exactly_its_cases(app, world, browser):
    numbers = _every_group(app, world)
    page = _inbox(browser, world.people["coordinator"])
    expected = {"new": {"new"}, "resubmitted": {"resubmitted"}, "held": {"held"},
                "reviews": {"late", "unassigned"}}
    for group, keys in expected.items():
        html = section(page, group)
        shown = {key for key, number in numbers.items() if number in html}
        assert shown == keys, group
    for key in ("still_returned", "draft", "decided", "held_elsewhere", "ready_verdict",
                "on_time", "late_but_done"):
        assert numbers[key] not in page, key
    assert "Nya anmälningar" in page and "Återsända och inskickade igen" in page
    assert "Inte klara vid stopptiden" in page and "Sena eller ofördelade granskningar" in page
    assert "Saknas: PAD inkl. p16." in section(page, "held")  # what it lacks now
    reviews = section(page, "reviews")
    assert "Ingen tilldelad" in reviews and 'badge-urgent">Försenad<' in reviews
    assert world.people["reviewer"].name in reviews


def test_the_groups_are_counted(app, world, browser):
    _every_group(app, world)
    page = _inbox(browser, world.people["coordinator"])
    for group, count in (("new", 1), ("resubmitted", 1), ("held", 1), ("reviews", 2)):
        assert f'<a href="#{group}"><span class="count">{count}</span>' in page, group


def test_accepting_with_nobody_to_review_at_the_host_puts_its_tasks_in_the_reviews_group(
        app, world, browser):
    with app.app_context():
        case = accept(world, refer(world, number_index=0))  # nobody at nhv[0] reviews
        number = case.number
    page = _inbox(browser, world.people["coordinator"])
    reviews = section(page, "reviews")
    assert number in reviews and "Ingen tilldelad" in reviews
    # Its three reviewed checklist entries: PAD, MR and PET-DT.
    assert '<a href="#reviews"><span class="count">3</span>' in page


def test_another_areas_coordinator_sees_none_and_a_referrer_may_not_open_it(app, world,
                                                                          browser):
    numbers = _every_group(app, world)
    page = _inbox(browser, world.people["crs_coordinator"])
    assert not any(number in page for number in numbers.values())
    assert browser(world.people["referrer"]).get("/inbox").status_code == 403
    assert browser(world.people["member"]).get("/inbox").status_code == 403


def test_names_are_shown_only_where_the_identity_rule_allows(app, world, browser):
    with app.app_context():
        refer(world, number_index=0)
        refer(world, number_index=1, protected_identity=True)
    page = section(_inbox(browser, world.people["coordinator"]), "new")
    assert _pnr(NUMBERS[0]) in page and "Nummer0" in page
    assert _pnr(NUMBERS[1]) not in page and "Nummer1" not in page
    assert "Skyddad identitet" in page


def test_each_case_shown_is_read_once_in_one_insert(app, world, browser, statement_counter):
    with app.app_context():
        both = accept(world, refer(world, number_index=0))
        hold(both)
        review_task(both, due_in_days=-1)  # held and late: in two groups, one event
        fresh = refer(world, number_index=1)
        expected = {(both.id, both.patient_id), (fresh.id, fresh.patient_id)}
    coordinator = world.people["coordinator"]
    with statement_counter() as counted:
        _inbox(browser, coordinator)
    inserts = [s for s in counted.statements if s.lstrip().upper().startswith("INSERT")
               and "audit_events" in s]
    assert len(inserts) == 1
    with app.app_context():
        read = list(db.session.execute(
            select(AuditEvent.object_id, AuditEvent.patient_id)
            .where(AuditEvent.action == "case.read", AuditEvent.actor_id == coordinator.id)))
    assert sorted(read) == sorted(expected)


def test_the_inbox_runs_a_constant_number_of_statements(app, world, browser,
                                                        statement_counter):
    client = browser(world.people["coordinator"])

    def statements() -> int:
        with statement_counter() as counted:
            assert client.get("/inbox").status_code == 200
        return counted.count

    def one_of_each(offset: int) -> None:
        with app.app_context():
            refer(world, number_index=offset)
            resubmit(world, return_case(world, refer(world, number_index=offset + 1)))
            hold(accept(world, refer(world, number_index=offset + 2,
                                     protected_identity=offset == 3)))
            late = accept(world, refer(world, number_index=offset + 3),
                          treating_unit_id=world.nhv[2].id)
            review_task(late, assignee=world.people["reviewer"], due_in_days=-1)
            review_task(late, due_in_days=2, key="ct")

    one_of_each(0)
    few = statements()
    for offset in (4, 8, 12):
        one_of_each(offset)
    many = statements()
    print("inbox statements", few, many)
    assert many == few


def test_a_new_referral_is_taken_from_the_inbox(app, world, browser):
    with app.app_context():
        case = refer(world, protected_identity=True)
        case_id, number = case.id, case.number
    client = browser(world.people["coordinator"])
    page = section(_inbox(browser, world.people["coordinator"]), "new")
    assert f'action="/cases/{case_id}/take"' in page and "Ta ärendet" in page
    response = client.post(f"/cases/{case_id}/take",
                           data={"take-unit_id": world.nhv[0].id, "back": "inbox"})
    assert response.status_code == 302 and response.location.endswith("/inbox")
    page = section(_inbox(browser, world.people["coordinator"]), "new")
    assert number in page and "Nummer0" in page
    assert f'action="/cases/{case_id}/take"' not in page  # already theirs
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "case.take", AuditEvent.object_id == case_id)) == 1


def test_the_navigation_links_the_queues_to_their_roles(app, world, browser):
    nav = r'<nav aria-label="Huvudmeny">(.*?)</nav>'
    coordinator = re.search(nav, _inbox(browser, world.people["coordinator"]), re.S)[1]
    assert re.search(r'<a href="/inbox"\s+aria-current="page">Inkorg</a>', coordinator)
    assert "Mina ärenden" not in coordinator
    page = browser(world.people["referrer"]).get("/").get_data(as_text=True)
    referrer = re.search(nav, page, re.S)[1]
    assert 'href="/my-cases"' in referrer and "Inkorg" not in referrer
