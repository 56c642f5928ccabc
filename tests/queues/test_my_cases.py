"""Mina ärenden (/my-cases): the referrer's units' cases, in progress first, each with its
timeline and what its meeting still lacks; read events for the cases shown; a fixed number
of statements."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from mdk.audit.models import AuditEvent
from mdk.cases import service as cases
from mdk.extensions import db
from mdk.material.models import MaterialItem
from tests.cases.factories import accept, refer
from tests.queues.factories import hold, resubmit, return_case


def _page(browser, person, query: str = "") -> str:
    response = browser(person).get(f"/my-cases{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _article(page: str, number: str) -> str:
    for match in re.finditer(r'<article class="own-case"[^>]*>(.*?)</article>', page, re.S):
        if number in match[1]:
            return match[1]
    return ""


def test_the_timeline_tells_how_the_case_moved_in_swedish(app, world, browser):
    with app.app_context():
        case = return_case(world, refer(world), reason="MR bäcken saknas")
        accept(world, resubmit(world, case))
        number = case.number
    article = _article(_page(browser, world.people["referrer"]), number)
    steps = re.findall(r"<li><time[^>]*>[^<]*</time>: (.*?)</li>", article, re.S)
    assert [re.sub(r"\s+", " ", step).strip() for step in steps] == [
        "Inskickat till MDK",
        'Återsänt för komplettering <span class="reason">(MR bäcken saknas)</span>',
        "Inskickat igen efter komplettering",
        f"Accepterat till mötet {_meeting(app, world)}",
    ]


def test_a_hold_at_the_cut_off_is_on_the_timeline(app, world, browser):
    with app.app_context():
        case = accept(world, refer(world))
        hold(case)
        number = case.number
    article = _article(_page(browser, world.people["referrer"]), number)
    assert article.index("Accepterat till mötet") < article.index(
        f"Inte klart vid stopptiden för mötet {_meeting(app, world)}: väntar på "
        "koordinatorns beslut")


def _meeting(app, world) -> str:
    from mdk.i18n import format_datetime_local

    with app.test_request_context(headers={"Accept-Language": "sv"}):
        return format_datetime_local(world.conference.starts_at, "sv")


def test_what_is_missing_for_the_meeting_is_listed(app, world, browser):
    with app.app_context():
        case = refer(world)
        db.session.add(MaterialItem(case_id=case.id, checklist_key="clinical_tumour_status",
                                    kind="clinical", required=True,
                                    examined_on=date.today()))
        db.session.commit()
        number = case.number
    article = _article(_page(browser, world.people["referrer"]), number)
    assert "Saknas ännu inför mötet" in article
    assert "Saknas: PAD inkl. p16." in article and "Saknas: MR bäcken." in article
    assert "Klinisk tumörstatus" not in article


def test_in_progress_first_returned_before_the_rest_and_only_own_units(app, world, browser):
    with app.app_context():
        done = refer(world, number_index=0)
        cases.move_case(world.actor("referrer"), world.principal("referrer"), done,
                        "withdraw", {"reason": "Patienten avstår"})
        waiting = refer(world, number_index=1)
        returned = return_case(world, refer(world, number_index=2))
        other_unit = refer(world, "other_referrer", number_index=3)
        order = [returned.number, waiting.number, done.number]
        others = other_unit.number
    page = _page(browser, world.people["referrer"])
    positions = [page.index(number) for number in order]
    assert positions == sorted(positions)
    assert others not in page
    assert "Återsänt till dig för komplettering" in _article(page, order[0])


def test_only_referrers_have_it(app, world, browser):
    assert browser(world.people["coordinator"]).get("/my-cases").status_code == 403
    assert browser(world.people["member"]).get("/my-cases").status_code == 403
    assert "Mina ärenden" in _page(browser, world.people["referrer"])


def test_each_case_shown_is_read(app, world, browser):
    with app.app_context():
        shown = {(case.id, case.patient_id) for case in
                 (refer(world, number_index=0), accept(world, refer(world, number_index=1)))}
        refer(world, "other_referrer", number_index=2)
    referrer = world.people["referrer"]
    _page(browser, referrer)
    with app.app_context():
        read = set(db.session.execute(
            select(AuditEvent.object_id, AuditEvent.patient_id)
            .where(AuditEvent.action == "case.read", AuditEvent.actor_id == referrer.id)))
    assert read == shown


def test_the_page_runs_a_constant_number_of_statements(app, world, browser,
                                                       statement_counter):
    client = browser(world.people["referrer"])

    def statements() -> int:
        with statement_counter() as counted:
            assert client.get("/my-cases").status_code == 200
        return counted.count

    def some(offset: int) -> None:
        with app.app_context():
            accept(world, resubmit(world, return_case(world, refer(world,
                                                                   number_index=offset))))
            case = refer(world, number_index=offset + 1)
            db.session.add(MaterialItem(case_id=case.id, checklist_key="tnm",
                                        kind="clinical", required=True,
                                        examined_on=date.today()))
            db.session.commit()
            refer(world, number_index=offset + 2, submit=False)

    some(0)
    few = statements()
    for offset in (3, 6, 9):
        some(offset)
    assert statements() == few


def test_a_page_number_out_of_range_or_bad_shows_a_page(app, world, browser):
    with app.app_context():
        number = refer(world).number
    for query in ("?page=999999", "?page=0", "?page=abc", f"?page={2**31}", "?page=%00"):
        assert number in _page(browser, world.people["referrer"], query), query
