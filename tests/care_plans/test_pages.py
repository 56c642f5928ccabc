"""The care-plan page as each kind of user meets it: linked from the signed protocol, the
coordinator drafts it with its rows, establishes it with a confirmation and revises it; a
stale save and bad rows keep what was typed, named at the cell; the referrer and another
area's coordinator do not get in."""

from __future__ import annotations

import re
from html import unescape

from mdk.care_plans.models import CarePlan
from mdk.extensions import db
from tests.care_plans.factories import established, opened
from tests.protocols import factories as protocol

FORM = {"s-contact_nurse": "Anna Testsköterska", "s-nhv_unit_contact": "NHV-enheten",
        "s-recommendation": "Kurativ kemoradioterapi.", "s-treating_unit": "home_region",
        "s-treatment_plan": "Kemoradioterapi 58 Gy.",
        "s-contact_questions": "Ring kontaktsjuksköterskan.",
        "s-rehabilitation.rows": "2", "s-rehabilitation.0.need": "Tarmfunktion",
        "s-rehabilitation.0.profession": "Tarmterapeut", "s-rehabilitation.0.time_point": "",
        "s-follow_up.rows": "2", "s-follow_up.0.what": "Kontroll och MR",
        "s-follow_up.0.count": "3", "s-follow_up.0.unit": "months",
        "s-follow_up.0.from": "treatment_end", "s-follow_up.1.unit": "days",
        "s-prom.rows": "1", "s-prom.0.what": "Livskvalitet", "s-prom.0.instrument": "EQ-5D",
        "s-prom.0.date": "2099-05-01"}


def _url(case_id: int, tail: str = "") -> str:
    return f"/cases/{case_id}/care-plan{tail}"


def _version(page: str) -> str:
    return re.search(r'name="version" value="(\d+)"', page)[1]


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def test_draft_establish_and_revise_on_the_page(app, chaired, case_on_meeting, browser):
    case_id = case_on_meeting.id
    with app.app_context():
        protocol.signed(chaired, case_on_meeting)
    coordinator = browser(chaired.people["coordinator"])
    assert f'href="{_url(case_id)}"' in _text(coordinator.get(f"/cases/{case_id}/protocol"))
    assert "Påbörja vårdplanen" in _text(coordinator.get(_url(case_id)))
    assert coordinator.post(_url(case_id, "/draft")).status_code == 302
    page = _text(coordinator.get(_url(case_id)))
    assert "Min kontaktsjuksköterska" in page and "Patientrapporterade mått (PROM)" in page
    assert 'value="Uroterapeut"' in page and 'value="EORTC QLQ-C30 och QLQ-ANL27"' in page
    saved = coordinator.post(_url(case_id, "/save"), data={**FORM, "version": _version(page)})
    assert saved.status_code == 302
    page = _text(coordinator.get(_url(case_id)))
    unconfirmed = coordinator.post(_url(case_id, "/establish"), data={"version": _version(page)})
    assert unconfirmed.status_code == 422
    assert "Bekräfta att du har läst vårdplanen" in _text(unconfirmed)
    done = coordinator.post(_url(case_id, "/establish"),
                            data={"version": _version(page), "confirm": "yes"})
    assert done.status_code == 302
    page = _text(coordinator.get(_url(case_id)))
    assert f"Fastställd av {chaired.people['coordinator'].name}" in page
    assert "3 månader efter avslutad behandling" in page and "2099-05-01" in page
    assert 'id="care-plan-form"' not in page and 'id="revise-form"' in page
    assert coordinator.post(_url(case_id, "/revise")).status_code == 302
    page = _text(coordinator.get(_url(case_id)))
    assert 'id="care-plan-form"' in page and "Tidigare versioner" in page
    assert 'id="revision-1"' in page and "2 · Utkast" in page


def test_bad_rows_and_a_stale_save_keep_what_was_typed(app, chaired, case_on_meeting,
                                                       browser):
    with app.app_context():
        protocol.signed(chaired, case_on_meeting)
        plan_id = opened(chaired, case_on_meeting).id
    coordinator = browser(chaired.people["coordinator"])
    bad = coordinator.post(_url(case_on_meeting.id, "/save"), data={
        **FORM, "s-follow_up.0.count": "tre", "s-rehabilitation.0.profession": "",
        "version": "0"})
    assert bad.status_code == 422
    page = _text(bad)
    assert re.search(r'id="error-follow_up-0-count">Ange ett heltal från 0 till 1000', page)
    assert re.search(r'id="error-rehabilitation-0-profession">Fyll i radens behovsområde', page)
    assert 'value="tre"' in page and 'value="Tarmfunktion"' in page
    assert coordinator.post(_url(case_on_meeting.id, "/save"),
                            data={**FORM, "version": "0"}).status_code == 302
    stale = coordinator.post(_url(case_on_meeting.id, "/save"), data={
        **FORM, "s-contact_nurse": "Min andra text", "version": "0"})
    assert stale.status_code == 409
    page = _text(stale)
    assert "Vårdplanen har sparats av någon annan sedan du öppnade den." in page
    assert "Anna Testsköterska" in page and "Min andra text" in page
    with app.app_context():
        assert db.session.get(CarePlan, plan_id).values["contact_nurse"] == "Anna Testsköterska"


def test_who_gets_in(app, chaired, case_on_meeting, browser):
    case_id = case_on_meeting.id
    with app.app_context():
        protocol.signed(chaired, case_on_meeting)
        opened(chaired, case_on_meeting)
    assert browser(chaired.people["referrer"]).get(_url(case_id)).status_code == 403
    assert browser(chaired.people["crs_coordinator"]).get(_url(case_id)).status_code == 404
    member = browser(chaired.people["member"])
    page = member.get(_url(case_id))
    assert page.status_code == 200 and "Ingen fastställd vårdplan ännu." in _text(page)
    assert member.post(_url(case_id, "/draft")).status_code == 403


def test_a_row_section_reads_as_a_table_without_blank_lines_around_it(
        app, chaired, case_on_meeting, browser):
    established(chaired, case_on_meeting)
    page = _text(browser(chaired.people["coordinator"]).get(
        f"/cases/{case_on_meeting.id}/care-plan"))
    # The cell is pre-line (prose): a line break before the table would show as a blank line.
    assert re.search(r'id="value-rehabilitation"><table class="care-plan-rows"', page)
    assert re.search(r'<dd class="prose" id="value-recommendation">', page)
