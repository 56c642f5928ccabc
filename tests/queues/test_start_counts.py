"""The start page's queue tiles: per role, the counts of the queues in the user's scope,
linking to them; no patient named, nothing written to the audit log, a fixed number of
statements."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select

from mdk.audit.models import AuditEvent
from mdk.extensions import db
from mdk.material.models import MaterialAvailability, MaterialItem
from tests.cases.factories import NUMBERS, accept, refer
from tests.queues.factories import hold, resubmit, return_case, review_task, staff_the_host


def _tiles(page: str) -> dict[str, tuple[str | None, int]]:
    """label -> (link or None, count) of the work-queue tiles."""
    match = re.search(r'<ul class="tiles to-do queues">(.*?)</ul>', page, re.S)
    found = {}
    for item in re.findall(r"<li>(.*?)</li>", match[1] if match else "", re.S):
        link = re.search(r'href="([^"]+)"', item)
        count, label = re.search(r'<span class="count">(\d+)</span>\s*([^<]+)', item).groups()
        found[label.strip()] = (link[1] if link else None, int(count))
    return found


def _start(browser, person) -> str:
    response = browser(person).get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Testpatient" not in page
    assert not any(number in page or f"{number[:8]}-{number[8:]}" in page
                   for number in NUMBERS)
    return page


def _queues(app, world) -> None:
    with app.app_context():
        staff_the_host(world)
        refer(world, number_index=0)
        refer(world, number_index=1, priority="urgent")
        resubmit(world, return_case(world, refer(world, number_index=2)))
        return_case(world, refer(world, number_index=3))
        hold(accept(world, refer(world, number_index=4)))
        reviewed = accept(world, refer(world, number_index=5))
        reviewer = world.people["reviewer"]
        review_task(reviewed, assignee=reviewer, due_in_days=-1)
        review_task(reviewed, assignee=reviewer, due_in_days=2, key="ct")
        review_task(reviewed, due_in_days=2, key="mri")
        complete = accept(world, refer(world, "other_referrer", number_index=6))
        # Accepting made the (empty) rows of the entries reviewed at the host, and requested
        # them there: filled in and made available here.
        made = {row.checklist_key: row for row in complete.material_items}
        for entry in ("clinical_tumour_status", "pad_p16", "mri_pelvis", "pet_ct", "tnm"):
            item = made.get(entry) or MaterialItem(case_id=complete.id, checklist_key=entry,
                                                   kind="clinical", required=True)
            item.examined_on = date.today()
            db.session.add(item)
            db.session.flush()
            at_host = item.availability_at(world.nhv[0].id) or MaterialAvailability(
                item_id=item.id, unit_id=world.nhv[0].id)
            at_host.status, at_host.status_on = "available", date.today()
            db.session.add(at_host)
        refer(world, "other_referrer", number_index=7)
        db.session.commit()


def test_the_coordinator_counts_the_inbox_groups(app, world, browser):
    _queues(app, world)
    tiles = _tiles(_start(browser, world.people["coordinator"]))
    assert tiles == {
        "nya anmälningar": ("/inbox#new", 3),
        "återsända och inskickade igen": ("/inbox#resubmitted", 1),
        "inte klara vid stopptiden": ("/inbox#held", 1),
        "sena eller ofördelade granskningar": ("/inbox#reviews", 2),
    }
    assert _tiles(_start(browser, world.people["crs_coordinator"])) == {
        "nya anmälningar": ("/inbox#new", 0),
        "återsända och inskickade igen": ("/inbox#resubmitted", 0),
        "inte klara vid stopptiden": ("/inbox#held", 0),
        "sena eller ofördelade granskningar": ("/inbox#reviews", 0),
    }


def test_the_referrer_counts_their_units_cases(app, world, browser):
    _queues(app, world)
    assert _tiles(_start(browser, world.people["referrer"])) == {
        "mina pågående ärenden": ("/my-cases", 6),
        "återsända till mig för komplettering": ("/my-cases", 1),
        "där något saknas inför mötet": ("/my-cases", 6),
    }
    # The other unit: one case complete (and at the host), one lacking everything.
    assert _tiles(_start(browser, world.people["other_referrer"])) == {
        "mina pågående ärenden": ("/my-cases", 2),
        "återsända till mig för komplettering": ("/my-cases", 0),
        "där något saknas inför mötet": ("/my-cases", 1),
    }


def test_the_reviewer_counts_their_open_and_late_tasks(app, world, browser):
    _queues(app, world)
    tiles = _tiles(_start(browser, world.people["reviewer"]))
    assert {label: count for label, (_link, count) in tiles.items()} == {
        "mina öppna granskningar": 2, "varav sena": 1}
    assert _tiles(_start(browser, world.people["member"])) == {}


def test_the_counts_write_nothing_to_the_audit_log(app, world, browser):
    _queues(app, world)
    with app.app_context():
        before = db.session.scalar(select(func.count(AuditEvent.id)))
    for who in ("coordinator", "referrer", "reviewer"):
        _start(browser, world.people[who])
    with app.app_context():
        after = db.session.scalar(select(func.count(AuditEvent.id)))
    assert after == before


def test_the_counts_cost_the_same_for_few_or_many_cases(app, world, browser,
                                                         statement_counter):
    from mdk.people import service as people

    person = world.people["coordinator"]  # coordinator, referrer and reviewer at once
    people.grant_role(person, "referrer", "analcancer", world.referring.id)
    people.grant_role(person, "reviewer", "analcancer", person.unit_id)
    first = refer(world, number_index=0)
    # With an item: its availability and files are then loaded too, whatever their number.
    db.session.add(MaterialItem(case_id=first.id, checklist_key="tnm", kind="clinical",
                                required=True, examined_on=date.today()))
    db.session.commit()
    client = browser(person)

    def statements() -> int:
        with statement_counter() as counted:
            assert client.get("/").status_code == 200
        return counted.count

    few = statements()
    _queues(app, world)
    assert statements() == few
