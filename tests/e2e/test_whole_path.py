"""A case's whole path in a real browser, in Swedish, as its users walk it (issue #14): the
referrer refers an anal-cancer case and gives its material; the coordinator accepts it onto
a meeting; the host unit's radiologist reviews the MRI and the coordinator writes the
combined statement; the coordinator sees it on the agenda and locks it; on the day the
coordinator opens the conference view and notes attendance until the quorum is complete;
drafts the protocol, which the meeting's chair signs; completes and establishes the care
plan, which issues the report; the referrer's mail links to the report, which the referrer
opens and acknowledges; the coordinator sees it opened and acknowledged.

The clock is the one thing a browser cannot wait for: the meeting's start is moved to a few
minutes ago through the database (as the calendar would be on the day), and the mail is
delivered by one run of the outbox job. A screenshot of each main step is kept in the test's
tmp_path and copied to /tmp/e2e-shots/ for a human look. No personnummer reaches a URL."""

from __future__ import annotations

import re
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from mdk.care_areas.service import care_area
from mdk.conference_day.models import Attendance
from mdk.conferences.models import Conference
from mdk.extensions import db
from mdk.outbox.delivery import deliver_due
from mdk.patients.service import fictitious_identity_numbers
from mdk.people.models import Person
from tests.conference_day.factories import start
from tests.e2e.conftest import (
    DEMO_LOGINS,
    LIVE,
    delivered_mail,
    fill_entry,
    host_radiologist,
    log_in_as,
    log_in_with,
    meeting_with_host,
    refer_anal_cancer_case,
    upload_pdf,
)

pytestmark = pytest.mark.e2e

# A seed of its own: neither the demo's patients nor the other browser tests' numbers.
NUMBER = fictitious_identity_numbers(1, seed=20261414)[0]
PNR = f"{NUMBER[:8]}-{NUMBER[8:]}"
FAMILY_NAME = "Helväg"
QUESTION = "Kurativ kemoradioterapi? MR bäcken och PAD är klara."
REVIEW = "MR bäcken: T2N1, sfinkterengagemang. Jämfört med originalutlåtandet: N1 i st.f. N0."
COMBINED = "Demonstration: T2N1M0 efter sekundärgranskning av MR och PAD."
RECOMMENDATION = "Kurativt syftande kemoradioterapi; återbesök hos kontaktsjuksköterskan."
TREATMENT = "Kemoradioterapi 58 Gy med mitomycin och kapecitabin, start inom två veckor."
CONTACT_NURSE = "Åsa Öberg, kontaktsjuksköterska, 010-123 45 67, vardagar 8–16"
CONTACT_QUESTIONS = "Dagtid kontaktsjuksköterskan, övrig tid 1177."
SHOTS = Path("/tmp/e2e-shots")


class Shots:
    """Screenshots of the main steps, numbered in order, in tmp_path and /tmp/e2e-shots/."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.count = folder, 0
        SHOTS.mkdir(exist_ok=True)

    def take(self, page: Page, name: str) -> None:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        shutil.copy(path, SHOTS / path.name)


def _today():
    with LIVE["app"].app_context():
        return datetime.now(LIVE["app"].config["MDK"].tz).date()


def _refer_with_material(referrer: Page) -> tuple[int, str]:
    """Step 1 and 3: the referral, then every checklist entry (with the MRI's PDF)."""
    number = refer_anal_cancer_case(referrer, PNR, FAMILY_NAME, QUESTION)
    case_id = int(re.search(r"/cases/(\d+)", referrer.url)[1])
    examined = (_today() - timedelta(days=12)).isoformat()
    fill_entry(referrer, "clinical_tumour_status", "Klinisk tumörstatus", examined, None,
               note="Palpabel tumör i analkanalen, 3 cm.")
    fill_entry(referrer, "pad_p16", "PAD inkl. p16", examined, ("pad_number", "T2026-14141"))
    fill_entry(referrer, "mri_pelvis", "MR bäcken", examined,
               ("accession_number", "RIS-2026-1414"))
    fill_entry(referrer, "tnm", "TNM-klassifikation", examined, None, note="T2N1M0")
    fill_entry(referrer, "pet_ct", "PET-DT", examined, ("accession_number", "RIS-2026-1415"))
    upload_pdf(referrer, "mri_pelvis", "MR bäcken")
    expect(referrer.locator("#material li", has_text="Saknas")).to_have_count(0)
    return case_id, number


def _accept(coordinator: Page, case_id: int) -> int:
    """Step 2: triage from the submitted list; onto the first meeting with a host unit."""
    coordinator.goto("/cases?state=submitted")
    coordinator.get_by_role("link", name=re.compile(r"AC-")).first.wait_for()
    coordinator.locator(f"a[href$='/cases/{case_id}']").first.click()
    expect(coordinator.locator(".facts").first).to_contain_text(PNR)
    value, meeting = meeting_with_host(coordinator)
    coordinator.locator("#accept-conference_id").select_option(value=value)
    coordinator.locator("#accept-treating_unit_id").select_option(index=1)
    coordinator.get_by_role("button", name="Ta upp på ett möte").last.click()
    expect(coordinator.locator(".flash").first).to_contain_text("Accepterat")
    expect(coordinator.locator("main")).to_contain_text(meeting.split(" · ")[0])
    return int(value)


def _review(reviewer: Page, number: str) -> None:
    """Step 4a: the host unit's radiologist reviews the MRI from Mina granskningar."""
    reviewer.goto("/reviews")
    row = reviewer.locator("tr", has_text=number).filter(has_text="MR bäcken")
    row.get_by_role("link", name=number).click()
    reviewer.get_by_label("Granskningsutlåtande").fill(REVIEW)
    reviewer.get_by_label("Mindre avvikelse").check()
    reviewer.get_by_role("button", name="Slutför granskningen").click()
    expect(reviewer.locator(".flash").first).to_contain_text(
        f"Granskningen av ärende {number} är sparad")


def _attendance_rows(conference_id: int, preferred: set[int]) -> dict[str, int]:
    """Per competence, the attendance row to mark: a preferred person's (the chair, the
    coordinator at the keyboard), else the first listed."""
    with LIVE["app"].app_context():
        rows = db.session.execute(
            select(Attendance.id, Attendance.person_id, Attendance.competence)
            .where(Attendance.conference_id == conference_id).order_by(Attendance.id)).all()
        db.session.remove()
    chosen: dict[str, int] = {}
    for row_id, person_id, competence in rows:
        if competence not in chosen or person_id in preferred:
            chosen[competence] = row_id
    return chosen


def _mark_present(coordinator: Page, row_id: int) -> None:
    row = coordinator.locator(f"#attendance-{row_id}")
    row.get_by_label("närvarande").check()
    row.get_by_role("button", name="Spara").click()
    expect(coordinator.locator(".flash").first).to_contain_text("Närvaron är sparad")
    expect(coordinator.locator(f"#attendance-{row_id}")).to_have_attribute("data-present", "yes")


def _mark_quorum_present(coordinator: Page, conference_id: int, preferred: set[int]) -> None:
    """Step 6: one person per quorum competence marked present; the indicator turns green
    only with the last one. Then the pathologist the case needs (its PAD is reviewed)."""
    rows = _attendance_rows(conference_id, preferred)
    with LIVE["app"].app_context():
        quorum = care_area("analcancer").quorum
    indicator = coordinator.locator("#quorum")
    expect(indicator).to_have_class(re.compile(r"\bquorum-missing\b"))
    for index, competence in enumerate(quorum):
        _mark_present(coordinator, rows[competence])
        if index < len(quorum) - 1:
            expect(indicator).to_have_class(re.compile(r"\bquorum-missing\b"))
            expect(indicator).to_contain_text("Kvorum: inte komplett")
    expect(indicator).to_have_class(re.compile(r"\bquorum-ok\b"))
    expect(indicator).to_contain_text("Kvorum: komplett")
    # Green, as a coordinator sees it on the screen: once the page's stylesheet has loaded
    # (marking someone present reloads the page; the class is there before the styles are,
    # and the computed colour is then the default black).
    coordinator.wait_for_load_state("load")
    colour = indicator.evaluate("element => getComputedStyle(element).borderLeftColor")
    red, green, blue = (int(part) for part in re.findall(r"\d+", colour)[:3])
    assert green > red and green > blue, colour
    _mark_present(coordinator, rows["pathologist"])
    expect(indicator).to_have_class(re.compile(r"\bquorum-ok\b"))


def _mark_available(page: Page, key: str, title: str, unit_id: int) -> None:
    """The images or slides have reached the host unit: marked available there."""
    page.locator("summary", has_text=f"Fyll i eller ändra: {title}").click()
    form = page.locator(f"form[action$='/material/{key}/availability']")
    form.get_by_label("Enhet").select_option(str(unit_id))
    form.get_by_label("Status").select_option("available")
    form.get_by_role("button", name="Spara tillgängligheten").click()
    expect(page.locator(".flash").first).to_contain_text("Tillgängligheten sparades")
    expect(page.locator(f"#material-{key} td").first).to_contain_text("Finns")


def _draft_protocol(coordinator: Page) -> None:
    """Step 7a: the coordinator drafts the protocol in its form, from the prefilled draft."""
    coordinator.get_by_role("button", name="Påbörja protokollet").click()
    form = coordinator.locator("#protocol-form")
    expect(form.locator("#s-question")).to_have_value(QUESTION)
    expect(form.locator("#s-review_statement")).to_have_value(COMBINED)
    expect(form.locator("#s-participants")).not_to_have_value("")  # from the attendance
    form.locator("#s-stage").fill("T2N1M0")
    form.locator("#s-recommendation").fill(RECOMMENDATION)
    form.locator("#s-intent").select_option(label="Kurativ")
    form.locator("#s-treatment").fill(TREATMENT)
    form.locator("#s-treating_unit").select_option(index=1)
    form.locator("#s-follow_up").select_option(label="Vid NHV-enheten")
    informs = form.locator("#section-informs_patient")
    informs.get_by_label("Vem").fill("Remittenten")
    informs.get_by_label("Senast när").fill((_today() + timedelta(days=3)).isoformat())
    form.locator("#section-study_considered").get_by_label("Ja").check()
    form.locator("#section-quality_register").get_by_label("Ja").check()
    form.get_by_role("button", name="Spara utkastet").click()
    expect(coordinator.locator(".flash").first).to_contain_text("Protokollutkastet är sparat")


def _sign_protocol(chair: Page, case_id: int) -> None:
    """Step 7b: the meeting's chair signs the protocol as saved, with the confirmation."""
    chair.goto(f"/cases/{case_id}/protocol")
    expect(chair.locator("#protocol-state")).to_contain_text("Utkast")
    chair.get_by_role("button", name="Signera protokollet").click()
    expect(chair.locator("#error-confirm")).to_be_visible()  # not without the confirmation
    chair.get_by_label("Jag har läst protokollet och signerar det som det är sparat.").check()
    chair.get_by_role("button", name="Signera protokollet").click()
    expect(chair.locator(".flash").first).to_contain_text("Protokollet är signerat")
    expect(chair.locator("#protocol-state")).to_contain_text("Signerat")
    expect(chair.locator("main")).to_contain_text(RECOMMENDATION)


def _establish_care_plan(coordinator: Page, case_id: int) -> None:
    """Step 8: the coordinator completes the care plan and establishes it."""
    coordinator.goto(f"/cases/{case_id}/protocol")
    coordinator.locator("#care-plan-link a").click()
    coordinator.get_by_role("button", name="Påbörja vårdplanen").click()
    form = coordinator.locator("#care-plan-form")
    expect(form.locator("#s-recommendation")).to_have_value(RECOMMENDATION)  # the protocol's
    form.locator("#s-contact_nurse").fill(CONTACT_NURSE)
    form.locator("#s-contact_questions").fill(CONTACT_QUESTIONS)
    form.get_by_role("button", name="Spara utkastet").click()
    expect(coordinator.locator(".flash").first).to_contain_text("sparat")
    coordinator.get_by_label(
        "Jag har läst vårdplanen och fastställer den som den är sparad.").check()
    coordinator.get_by_role("button", name="Fastställ vårdplanen").click()
    expect(coordinator.locator(".flash").first).to_contain_text("fastställd")
    expect(coordinator.locator("#care-plan-state")).to_contain_text("Fastställd")


def _meeting_facts(conference_id: int) -> dict:
    with LIVE["app"].app_context():
        conference = db.session.get(Conference, conference_id)
        coordinator = db.session.scalar(select(Person).where(
            Person.email == DEMO_LOGINS["coordinator"]))
        referrer = db.session.scalar(select(Person).where(
            Person.email == DEMO_LOGINS["referrer"]))
        found = {"host": conference.host_unit_id, "chair": conference.chair.email,
                 "people": {conference.chair_person_id, coordinator.id},
                 "referrer": referrer.name}
        db.session.remove()
    return found


def test_a_case_walks_the_whole_path_from_referral_to_acknowledged_report(
        new_page, tmp_path: Path):
    urls: list[str] = []
    shots = Shots(tmp_path)
    app = LIVE["app"]

    # 1. The referrer refers the case, and (3.) gives its material, the MRI's PDF uploaded.
    referrer = new_page(urls)
    log_in_as(referrer, "referrer")
    case_id, number = _refer_with_material(referrer)
    expect(referrer.locator(".badge").first).to_have_text("Inskickat")
    shots.take(referrer, "referral-with-material")

    # 2. The coordinator triages it: accepted onto a meeting with a host unit; the images
    # and slides, sent there, are marked available at the host.
    coordinator = new_page(urls)
    log_in_as(coordinator, "coordinator")
    conference_id = _accept(coordinator, case_id)
    meeting = _meeting_facts(conference_id)
    for key, title in (("pad_p16", "PAD inkl. p16"), ("mri_pelvis", "MR bäcken"),
                       ("pet_ct", "PET-DT")):
        _mark_available(coordinator, key, title, meeting["host"])
    expect(coordinator.locator("#material .notice")).to_have_count(0)  # nothing left to do
    shots.take(coordinator, "triage-accepted-material-at-host")

    # 4. The host unit's radiologist reviews; the coordinator writes the combined statement.
    reviewer = new_page(urls)
    log_in_with(reviewer, host_radiologist(conference_id))
    _review(reviewer, number)
    shots.take(reviewer, "secondary-review")
    reviewer.context.close()
    coordinator.reload()
    coordinator.get_by_label("Demonstrationsutlåtande").fill(COMBINED)
    coordinator.get_by_role("button", name="Spara demonstrationsutlåtandet").click()
    expect(coordinator.locator(".flash").first).to_contain_text(
        f"Demonstrationsutlåtandet för ärende {number} är sparat")
    shots.take(coordinator, "combined-statement")

    # 5. The agenda, from the case's meeting: the case is on it; the coordinator locks it
    # ahead of the cut-off with the page's button.
    coordinator.locator("main").get_by_role("link", name=re.compile(r"v\. \d+ \d\d:\d\d")
                                            ).first.click()
    coordinator.locator("#agenda-link").click()
    expect(coordinator.locator("h1")).to_contain_text("Agenda")
    expect(coordinator.locator(f"#slot-{case_id}")).to_contain_text(number)
    coordinator.get_by_role("button", name="Lås agendan").click()
    expect(coordinator.locator("#agenda-lock-state")).to_contain_text("Låst")
    shots.take(coordinator, "agenda-locked")

    # 6. The meeting. Its start is moved to five minutes ago through the database: the
    # browser cannot wait for the clock. Opening the conference view marks it held.
    with app.app_context():
        start(db.session.get(Conference, conference_id))
        db.session.remove()
    coordinator.goto(f"/conferences/{conference_id}/conference")
    expect(coordinator.locator("#meeting-status")).to_have_text("Pågående")
    coordinator.locator("#overview").get_by_role("link", name=number).click()
    expect(coordinator.locator("#current-case")).to_have_attribute("data-case-number", number)
    expect(coordinator.locator("#review-statement")).to_have_text(COMBINED)
    expect(coordinator.locator("#quorum")).to_contain_text("Kvorum: inte komplett")
    shots.take(coordinator, "conference-view-before-attendance")
    coordinator.get_by_role("link", name="Närvaro").first.click()
    expect(coordinator.locator("h1")).to_contain_text("Närvaro")
    _mark_quorum_present(coordinator, conference_id, meeting["people"])
    shots.take(coordinator, "attendance-quorum-complete")
    coordinator.get_by_role("link", name="Konferens").first.click()
    coordinator.locator("#overview").get_by_role("link", name=number).click()
    expect(coordinator.locator("#quorum")).to_contain_text("Kvorum: komplett")
    expect(coordinator.locator("#need-note")).to_have_count(0)  # its pathologist is there
    shots.take(coordinator, "conference-view-quorum-complete")

    # 7. The protocol: drafted by the coordinator from the case on the screen, signed by the
    # meeting's chair.
    coordinator.locator(f"#protocol-link-{case_id}").get_by_role("link").click()
    _draft_protocol(coordinator)
    shots.take(coordinator, "protocol-draft")
    chair = new_page(urls)
    log_in_with(chair, meeting["chair"])
    _sign_protocol(chair, case_id)
    shots.take(chair, "protocol-signed")
    chair.context.close()

    # 8. The care plan: completed and established by the coordinator; the report is issued.
    _establish_care_plan(coordinator, case_id)
    shots.take(coordinator, "care-plan-established")

    # 9. The referrer's mail (one run of the outbox job): a link to the report, no identity.
    with app.app_context():
        result = deliver_due()
        db.session.remove()
    assert result.dead == 0
    mail = delivered_mail(app, DEMO_LOGINS["referrer"], f"MDK-rapport för ärende {number}")
    links = re.findall(r"https?://\S+/cases/\d+/report\b", mail)
    assert links == [f"http://localhost/cases/{case_id}/report"]  # MDK_BASE_URL of the tests
    assert NUMBER[:8] not in mail and NUMBER[2:] not in mail and FAMILY_NAME not in mail
    referrer.goto(links[0].removeprefix("http://localhost"))
    main = referrer.locator("main")
    expect(main).to_contain_text(RECOMMENDATION)  # the protocol's, with its åäö
    expect(main).to_contain_text(CONTACT_NURSE)  # the care plan's
    expect(referrer.locator("#report-acknowledged")).to_contain_text("Inte bekräftad")
    _check_report_layout(referrer)
    shots.take(referrer, "report-opened")
    referrer.get_by_role("button", name="Bekräfta som mottagen").click()
    expect(referrer.locator("#report-acknowledged")).to_contain_text("Bekräftad")
    expect(referrer.get_by_role("button", name="Bekräfta som mottagen")).to_have_count(0)
    shots.take(referrer, "report-acknowledged")

    # The coordinator: the case page and the report say opened and acknowledged.
    coordinator.goto(f"/cases/{case_id}")
    acknowledged = coordinator.locator("#report + p")
    expect(acknowledged).to_contain_text("bekräftad")
    expect(acknowledged).not_to_contain_text("inte bekräftad")
    expect(acknowledged).to_contain_text(meeting["referrer"])
    coordinator.locator("#case-report-link").click()
    expect(coordinator.locator("#report-opened")).to_contain_text(meeting["referrer"])
    expect(coordinator.locator("#report-acknowledged")).to_contain_text("Bekräftad")
    expect(coordinator.locator("#report-acknowledged")).to_contain_text(meeting["referrer"])
    shots.take(coordinator, "report-coordinator")

    assert urls
    assert not [url for url in urls if NUMBER in url or NUMBER[2:] in url or PNR in url]


def _check_report_layout(page: Page) -> None:
    """The journal text is as wide as the page; a care plan's table starts on its label's
    line (no blank lines around it)."""
    width = page.locator("main").bounding_box()["width"]
    assert page.locator("#report-text").bounding_box()["width"] > 0.9 * width
    table = page.locator("table.care-plan-rows").first
    label = table.locator("xpath=ancestor::dd[1]/preceding-sibling::dt[1]")
    assert abs(table.bounding_box()["y"] - label.bounding_box()["y"]) < 20
